"""The outcomes the domain and its ports signal as exceptions. Their names are part of the
contract with the state machines: a definition catches `Withdrawn` and `PersonGone` by name."""

from __future__ import annotations


class NotFound(Exception):
    """No record with that id."""


class Conflict(Exception):
    """A conditional write lost: somebody else changed the record first."""


class StepNotWaiting(Exception):
    """The execution no longer waits on this token (decided, timed out or ended)."""


class ConfigurationError(RuntimeError):
    """The function was deployed without a setting it needs, or with one it cannot read."""


class Withdrawn(Exception):
    """The person withdrew; raised inside a task so the definition's Catch ends the run."""


class PersonGone(Exception):
    """One of a proposal's two people left the programme while it was open; the match definition
    catches this and lets the other return to the pool."""


class NoOpenStep(Exception):
    """The person has no step waiting for a consultant (or it cannot be moved)."""
