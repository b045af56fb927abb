"""Concerns about a running match (backup.domain.concerns).

`ConcernReports` (the links function): a concern from someone's "Jeg er bekymret" link is kept on
the match (only while it is MATCHED; the same text twice from one link is kept once) and wakes the
support run wherever it waits, so the consultant and ops hear at once, never after a reminder.
`Concerns` (the support function): each party's link, made once and sent with a letter; the alert
to the consultant and ops; a safeguarding concern suspends the volunteer and pauses the match; the
consultant's decision (continue, pause, end) applied, a suspension cleared only with who and why."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from backup.domain import support_emails
from backup.domain.concerns import PARTIES, concern_key
from backup.domain.errors import Conflict, StepNotWaiting
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind, check_usable
from backup.domain.records import ProposalRecord, Suspension
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.usecases.delivery import Deliverer
from backup.usecases.human_steps import HumanSteps
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Metrics, Repository
from backup.usecases.safeguards import Safeguards

MATCH = RecordKind.MATCH
CONCERN_LINK_LIFETIME = timedelta(days=3660)  # as long as a match may last (the young person leaves at 25)


class ConcernReports:
    def __init__(self, repository: Repository, deliverer: Deliverer, now: Clock):
        self.repository = repository
        self.deliverer = deliverer
        self.now = now

    def party(self, link: Link, match: ProposalRecord) -> str:
        return next((party for party, link_id in match.concern_links.items() if link_id == link.link_id), "")

    def raise_concern(self, link_id: str, text: str, safeguarding: bool) -> bool:
        """Keep the concern and wake the support run. False if the match is no longer running (the
        concern is refused in the write itself); a replay of the same concern changes nothing."""
        at = self.now()
        link = check_usable(self.repository.get_link(link_id), at)
        match = self.repository.get_proposal(link.record_id)
        if link.kind is not LinkKind.CONCERN or match.stage is not Stage.MATCHED:
            return False
        key = concern_key(link.link_id, text)
        if key in match.concerns:
            return True  # the same concern again: kept once, told once
        party = self.party(link, match)
        evidence = Evidence(
            decision="concern",
            decided_by=party or link.sent_to,
            decided_at=at,
            link_id=link.link_id,
            fields={"party": party, "concern": text, "safeguarding": "yes" if safeguarding else "no"},
        )
        try:
            self.repository.update(
                MATCH,
                match.id,
                set={f"concerns.{key}": evidence, "concern_open": True},
                event=Event(
                    at=at,
                    kind=EventKind.CONCERN_RAISED,
                    stage=Stage.MATCHED,
                    by=party or "person",
                    details={"party": party, "safeguarding": evidence.fields["safeguarding"]},
                ),
                expect=Expect(stages=frozenset({Stage.MATCHED})),
            )
        except Conflict:
            return False
        self._wake(self.repository.get_proposal(match.id))
        return True

    def wake_schedule(self, match_id: str) -> None:
        """An answer that needs the consultant ("svært"): the run's schedule, if it waits, looks now."""
        match = self.repository.get_proposal(match_id)
        if match.support_token and match.stage is Stage.MATCHED:
            with contextlib.suppress(StepNotWaiting):
                self.deliverer.resume_or_owe((MATCH, match.id), match.support_token, {"outcome": "pulse"})

    def _wake(self, match: ProposalRecord) -> None:
        """Resume the support run wherever it waits: its schedule, or a step's link. If it waits on
        neither right now, its next task sees the open concern itself."""
        step = self.repository.get_link(match.open_link_id) if match.open_link_id else None
        for token in (match.support_token, step.task_token if step and step.is_open else None):
            if token:
                with contextlib.suppress(StepNotWaiting):
                    self.deliverer.resume_or_owe((MATCH, match.id), token, {"outcome": "concern"})
                    return


class Concerns:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        safeguards: Safeguards,
        settings: Settings,
        now: Clock,
        metrics: Metrics,
    ):
        self.metrics = metrics
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.safeguards = safeguards
        self.settings = settings
        self.now = now

    def url(self, match: ProposalRecord, party: str) -> str:
        return self.settings.url(f"/decisions/{match.concern_links[party]}")

    def give_links(self, match_id: str) -> ProposalRecord:
        """Each of the three gets their own "Jeg er bekymret" link, made once, with a letter saying
        what it is for."""
        match = self.repository.get_proposal(match_id)
        youth = self.repository.get_young_person(match.youth_id)
        volunteer = self.repository.get_volunteer(match.volunteer_id)
        addresses = {
            "youth": youth.email,
            "volunteer": volunteer.email,
            "contact_adult": youth.details.contact_adult_email,
        }
        for party, address in addresses.items():
            if party in match.concern_links:
                continue
            link = self.steps.new_link((MATCH, match_id), LinkKind.CONCERN, address, CONCERN_LINK_LIFETIME, None)
            with contextlib.suppress(Conflict):  # a retry made it already
                self.repository.update(
                    MATCH,
                    match_id,
                    set={f"concern_links.{party}": link.link_id},
                    expect=Expect(stages=frozenset({Stage.MATCHED})),
                )
            match = self.repository.get_proposal(match_id)
        greetings = {
            "youth": f"Hej {youth.first_name}",
            "volunteer": f"Hej {volunteer.first_name}",
            "contact_adult": f"Kære {youth.details.contact_adult_name}",
        }
        for party, address in addresses.items():
            if party in match.concern_links and not (party == "youth" and address == addresses["contact_adult"]):
                match = self.letters.send_once(
                    match,
                    f"concern_link:{party}",
                    support_emails.concern_link_letter(
                        address, greetings[party], youth.first_name, self.url(match, party)
                    ),
                    party,
                )
        return match

    def raised(self, match_id: str) -> None:
        """The consultant and ops hear of each new concern at once (once each); a safeguarding
        concern suspends the volunteer from every match and the pool and pauses the match."""
        match = self.repository.get_proposal(match_id)
        consultant = match.consultant or self.settings.consultant_email
        for key, concern in sorted(match.concerns.items()):
            party = PARTIES.get(concern.fields.get("party", ""), "en af parterne")
            safety = concern.fields.get("safeguarding") == "yes"
            if safety:
                self._suspend(match, concern)
            if f"concern:{key}:consultant" not in match.letters_sent:
                self.metrics.count("ConcernRaised", Stage.MATCHED)
            for to, who in ((consultant, "consultant"), (self.settings.ops_email, "ops")):
                match = self.letters.send_once(
                    match, f"concern:{key}:{who}", support_emails.concern_alert(to, match_id, party, safety), who
                )
        step = self.repository.get_link(match.open_link_id) if match.open_link_id else None
        if step is not None and step.kind is LinkKind.CHECK_IN and step.is_open:
            # the check-in waits for the decision; it opens afresh when the match carries on
            self.repository.invalidate_link(step.link_id, "step_closed")
            with contextlib.suppress(Conflict):
                self.repository.update(
                    MATCH, match_id, set={"open_link_id": None}, expect=Expect(open_link=step.link_id)
                )

    def _suspend(self, match: ProposalRecord, concern: Evidence) -> None:
        volunteer = self.repository.get_volunteer(match.volunteer_id)
        if not match.support_paused:
            self.repository.update(MATCH, match.id, set={"support_paused": True})
        if volunteer.suspended is not None:
            return
        suspension = Suspension(
            reason="en bekymring om sikkerhed i et match", at=concern.decided_at, by=concern.decided_by
        )
        self.repository.update(RecordKind.VOLUNTEER, volunteer.id, set={"suspended": suspension})
        self.safeguards.raise_alarm(
            volunteer,
            EventKind.SUSPENDED,
            concern.decided_by,
            {"reason": suspension.reason, "proposal_id": match.id},
            "en bekymring om sikkerhed; den frivillige er suspenderet fra puljen og alle match",
        )

    def apply(self, match: ProposalRecord, decision: Evidence) -> str:
        """The consultant's decision on the open concern: "recorded" (continue or pause) or "close"."""
        changes: dict[str, object] = {"concern_open": False}
        if decision.decision == "continue":
            changes["support_paused"] = False
            volunteer = self.repository.get_volunteer(match.volunteer_id)
            if volunteer.suspended is not None and decision.fields.get("clear_reason"):
                self.repository.update(
                    RecordKind.VOLUNTEER,
                    volunteer.id,
                    set={"suspended": None},
                    event=Event(
                        at=decision.decided_at,
                        kind=EventKind.SUSPENSION_CLEARED,
                        by=decision.decided_by,
                        notes=decision.fields["clear_reason"],
                        details={"proposal_id": match.id},
                    ),
                )
        elif decision.decision == "pause":
            changes["support_paused"] = True
        else:
            changes["closure_requested"] = decision
        self.repository.update(MATCH, match.id, set=changes)
        return "close" if decision.decision == "end" else "recorded"
