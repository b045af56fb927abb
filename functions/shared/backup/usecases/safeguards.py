"""Safeguards: every change of a person's stage goes through the domain's transition check, and
anything that tries to move someone without the evidence is refused, recorded and raised with ops.

A refused move (a direct invoke asking for READY_FOR_MATCH, a step opened out of order) raises
TransitionRefused after the audit event and the alarm; a task result that no used link backs (a
forged or replayed task token) is recorded the same way and the person stays where they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from backup.domain import emails
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.records import Person, Record
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.domain.transitions import TransitionRefused, check_transition
from backup.usecases.letters import Letters
from backup.usecases.ports import Change, Clock, Expect, Metrics, Repository

SYSTEM = "system"


class Safeguards:
    def __init__(self, repository: Repository, letters: Letters, settings: Settings, now: Clock, metrics: Metrics):
        self.repository = repository
        self.letters = letters
        self.settings = settings
        self.now = now
        self.metrics = metrics

    def check(self, person: Person, to: Stage, requested_by: str, closure: Evidence | None = None) -> None:
        """TransitionRefused (recorded, and ops alarmed) unless `person` may move to `to` now
        (`closure`: the recorded end of the match that holds them, for a move out of MATCHED)."""
        try:
            check_transition(person, to, self.now().date(), self.settings.rules, closure)
        except TransitionRefused as refused:
            self.raise_alarm(
                person,
                EventKind.TRANSITION_REFUSED,
                requested_by,
                {"from": refused.from_stage.value, "to": refused.to_stage.value, "reason": refused.reason[:500]},
                f"{refused.from_stage.value} → {refused.to_stage.value} blev afvist: {refused.reason}",
            )
            raise

    def change(
        self,
        person: Person,
        to: Stage,
        event: Event,
        requested_by: str,
        set: Mapping[str, Any] | None = None,
        expect: Expect | None = None,
        closure: Evidence | None = None,
    ) -> Change:  # noqa: A002
        """One person's move, checked; written only while they are still where they were read."""
        self.check(person, to, requested_by, closure)
        expected = replace(expect or Expect(), stages=frozenset({person.stage}))
        return Change(
            person.kind, person.id, {"stage": to, "stage_since": event.at, **(set or {})}, event=event, expect=expected
        )

    def move(
        self,
        person: Person,
        to: Stage,
        event: Event,
        requested_by: str,
        set: Mapping[str, Any] | None = None,
        expect: Expect | None = None,
    ) -> None:  # noqa: A002
        self.repository.change_together([self.change(person, to, event, requested_by, set, expect)])

    def backed_decision(
        self, person: Person, kind: LinkKind, stage: Stage, claimed: Mapping[str, Any], requested_by: str
    ) -> str:
        """After a wait: the decision the person's used link of this kind and stage recorded as
        evidence (approve or reject), whatever the task result claimed. "forged" if no used link
        backs it (a replayed or forged task token): recorded and raised, and nobody moves."""
        link = self.repository.get_link(person.open_link_id) if person.open_link_id else None
        evidence = person.evidence.get(stage)
        if (
            link is None
            or link.kind is not kind
            or not link.is_used
            or link.stage is not stage
            or link.decision is None
            or evidence is None
            or evidence.link_id != link.link_id
            or evidence.decision != link.decision
            or evidence.decided_by != link.decided_by
        ):
            self.forged(person, stage, claimed, requested_by)
            return "forged"
        return link.decision

    def forged(self, record: Record, stage: Stage | None, claimed: Mapping[str, Any], requested_by: str) -> None:
        """A task result that no used link backs: recorded and raised; nobody moves."""
        shown = {str(k): str(v)[:100] for k, v in list(claimed.items())[:5]}
        self.raise_alarm(
            record,
            EventKind.SAFEGUARDING_ALARM,
            requested_by,
            {"stage": stage.value if stage else "", "claimed": ", ".join(f"{k}={v}" for k, v in shown.items())},
            f"et resultat for trinnet {stage.label if stage else ''} uden en brugt afgørelseslink bag sig "
            f"({', '.join(f'{k}={v}' for k, v in shown.items()) or 'intet indhold'})",
        )

    def raise_alarm(
        self, record: Record, kind: EventKind, requested_by: str, details: dict[str, str], what: str
    ) -> None:
        self.repository.add_event(
            record.kind,
            record.id,
            Event(at=self.now(), kind=kind, stage=record.stage, by=requested_by[:200], details=details),
        )
        self.metrics.count("SafeguardingAlarm")  # without a stage: the alarm watches the one series
        kind_option = "" if record.kind is RecordKind.VOLUNTEER else f" --kind {record.kind.prefix}"
        self.letters.send(
            record.kind,
            record.id,
            emails.safeguarding_alarm(self.settings.ops_email, record.id, kind_option, what, requested_by),
            "ops",
        )
