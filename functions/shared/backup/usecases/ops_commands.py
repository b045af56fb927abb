"""What ops do from the command line (the ops function, the only one ops may invoke): send an open
step's link again or move it to another consultant (either way the old link dies, so only the
newest one decides), and choose what happens after a failure (retry or end) without the emailed
link. Every command records who asked; none sets a stage: a journey moves on only through its
state machine, which checks the recorded evidence."""

from __future__ import annotations

from backup.domain import emails
from backup.domain.errors import Conflict, NoOpenStep
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.records import PERSON_MODELS, Person
from backup.domain.settings import Settings
from backup.usecases.delivery import Outbox
from backup.usecases.human_steps import HumanSteps
from backup.usecases.letters import Letters
from backup.usecases.link_decisions import decision_event, decision_evidence
from backup.usecases.ports import Clock, Expect, Repository


class OpsCommands:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        outbox: Outbox,
        settings: Settings,
        now: Clock,
    ):
        self.outbox = outbox
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.settings = settings
        self.now = now

    def resend(self, kind: RecordKind, person_id: str, by: str) -> Link:
        """Send the open step's link again; the old link dies so only the newest one works."""
        person = self._person_with_a_step(kind, person_id)
        consultant = person.consultant or self.settings.consultant_for(person.postcode)
        return self._move_step(person, consultant, by, "resent", EventKind.LINK_RESENT)

    def reassign(self, kind: RecordKind, person_id: str, consultant: str, by: str) -> Link:
        """Move the open step to another consultant; the old link dies."""
        return self._move_step(
            self._person_with_a_step(kind, person_id), consultant, by, "reassigned", EventKind.REASSIGNED
        )

    def _person_with_a_step(self, kind: RecordKind, person_id: str) -> Person:
        if kind not in PERSON_MODELS:
            # a proposal's links go to the consultant and to the two people, each its own kind
            raise NoOpenStep(
                f"{person_id} is a match proposal: its links cannot be moved; the consultant's "
                "link keeps working, and an unanswered proposal returns both people to the pool"
            )
        return self.repository.get_person(kind, person_id)

    def _move_step(self, person: Person, consultant: str, by: str, reason: str, kind: EventKind) -> Link:
        old = self.repository.get_link(person.open_link_id) if person.open_link_id else None
        if old is None or not old.is_open or old.stage is None:
            raise NoOpenStep(f"{person.id} has no step waiting for a consultant")
        at = self.now()
        lifetime = max(old.expires_at, at + self.settings.link_lifetime()) - at
        link = self.steps.new_link(
            (person.kind, person.id), LinkKind.DECISION, consultant, lifetime, old.task_token, stage=old.stage
        )
        self.repository.update(
            person.kind,
            person.id,
            set={"open_link_id": link.link_id, "consultant": consultant},
            expect=Expect(open_link=old.link_id),
            event=Event(at=at, kind=kind, stage=old.stage, by=by, details={"from": old.sent_to, "to": consultant}),
        )
        # a reminder may have swapped the old link's token meanwhile: the newest follows the new link
        latest = self.repository.get_link(old.link_id)
        if latest is not None and latest.task_token and latest.task_token != old.task_token:
            self.repository.refresh_token(link.link_id, latest.task_token)
        self.repository.invalidate_link(old.link_id, reason)
        self.letters.send(
            person.kind,
            person.id,
            emails.step_request(consultant, old.stage, person.id, self.steps.url(link)),
            "consultant",
        )
        return link

    def after_failure(self, kind: RecordKind, record_id: str, choice: str, by: str, notes: str = "") -> Link:
        """Ops' choice for a journey that waits for them after a failure: retry the step, or end
        the journey. Recorded on ops' link once (as if they had used it), then sent to the run."""
        record = self.repository.get_record(kind, record_id)
        link = self.repository.get_link(record.ops_link_id) if record.ops_link_id and record.needs_ops else None
        if link is None or not link.is_open or not link.task_token or self.now() >= link.expires_at:
            raise NoOpenStep(f"{record_id} is not waiting for ops")
        at = self.now()
        try:
            self.repository.use_link_once(
                link,
                choice,
                by,
                at,
                decision_event(link, choice, notes, {}, at, by),
                decision_evidence(link, choice, at, {}, by),
            )
        except Conflict:
            raise NoOpenStep(f"ops' choice for {record_id} was made already") from None
        self.repository.update(kind, record_id, set={"needs_ops": None})
        self.outbox.owe((kind, record_id), link.task_token, {"choice": choice, "link_id": link.link_id})
        return link.model_copy(update={"decision": choice, "decided_by": by, "decided_at": at})
