"""Certificate renewal: a volunteer's child-protection certificate counts for CertificateValidityDays.

Before it runs out (CertificateRenewalNoticeDays ahead) the hourly watch starts a renewal run, a
human step like the screening steps (link, reminders, escalation) in which the consultant records
the new certificate. Approved: the volunteer stays cleared until the new certificate runs out.
Not clean: the volunteer is suspended and ops are alarmed. Not renewed in time: the certificate
runs out, the volunteer is out of the pool (no proposal claims them, see
backup.domain.transitions), and their consultant is told.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backup.domain import emails
from backup.domain.errors import Withdrawn
from backup.domain.evidence import certificate_valid_until
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.records import Suspension, Volunteer
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.usecases.human_steps import SYSTEM, HumanSteps, Reminded, Step
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Executions, Repository
from backup.usecases.safeguards import Safeguards

VOLUNTEER = RecordKind.VOLUNTEER
# where a volunteer with a certificate stands: in the pool, in a proposal, or matched
CLEARED_STAGES = (Stage.READY_FOR_MATCH, Stage.MATCH_PROPOSED, Stage.INTRO_MEETING, Stage.MATCHED)
NEAR_A_CHILD = frozenset({Stage.MATCH_PROPOSED, Stage.INTRO_MEETING, Stage.MATCHED})


def renewal_execution(volunteer_id: str, valid_until: date) -> str:
    """One renewal run per certificate: named after its last day, so starting it twice is once."""
    return f"renewal-{volunteer_id}-{valid_until:%Y%m%d}"


class CertificateWatch:
    """The hourly watch's part: who is due for a renewal, and whose certificate ran out."""

    def __init__(self, repository: Repository, letters: Letters, settings: Settings, now: Clock, notice_days: int):
        self.repository = repository
        self.letters = letters
        self.settings = settings
        self.now = now
        self.notice = timedelta(days=notice_days)

    def due(self, renewals: Executions) -> dict[str, int]:
        """Start a renewal run for every cleared volunteer whose certificate runs out within the
        notice (once per certificate); record and tell about every certificate that has run out."""
        today = self.now().date()
        started = expired = 0
        for volunteer in self._cleared_volunteers():
            until = volunteer.cleared_until
            if until is None or volunteer.withdrawal_requested:
                continue
            if until - self.notice <= today and volunteer.suspended is None:
                # the run's reminders pace like a screening step's (the volunteer run's $.settings)
                run_input = {
                    "person_id": volunteer.id,
                    "settings": {"reminder_delay_seconds": self.settings.reminder_delay_seconds},
                }
                renewals.start(volunteer.id, run_input, name=renewal_execution(volunteer.id, until))
                started += 1
            if until <= today:
                expired += self._expired(volunteer, until)
        return {"renewals_due": started, "certificates_expired": expired}

    def _cleared_volunteers(self) -> list[Volunteer]:
        ids = [w.id for stage in CLEARED_STAGES for w in self.repository.waiting_in_stage(stage) if w.kind is VOLUNTEER]
        return [p for p in self.repository.get_people(VOLUNTEER, ids) if isinstance(p, Volunteer)]

    def _expired(self, volunteer: Volunteer, until: date) -> int:
        """Recorded and told once per certificate (the letter's key is the certificate's last day)."""
        key = f"certificate_expired:{until.isoformat()}"
        if key in volunteer.letters_sent:
            return 0
        self.repository.add_event(
            VOLUNTEER,
            volunteer.id,
            Event(
                at=self.now(),
                kind=EventKind.CERTIFICATE_EXPIRED,
                stage=volunteer.stage,
                by=SYSTEM,
                details={"valid_until": until.isoformat()},
            ),
        )
        consultant = volunteer.consultant or self.settings.consultant_for(volunteer.postcode)
        self.letters.send_once(
            volunteer,
            key,
            emails.certificate_expired(
                consultant, volunteer.id, volunteer.first_name, until, volunteer.stage in NEAR_A_CHILD
            ),
            "consultant",
        )
        return 1


class CertificateRenewals:
    """The renewal run's tasks: a human step like the screening steps, for the certificate."""

    def __init__(
        self, repository: Repository, steps: HumanSteps, safeguards: Safeguards, settings: Settings, now: Clock
    ):
        self.repository = repository
        self.steps = steps
        self.safeguards = safeguards
        self.settings = settings
        self.now = now

    def step(self, volunteer: Volunteer) -> Step:
        consultant = volunteer.consultant or self.settings.consultant_for(volunteer.postcode)
        until = volunteer.cleared_until or self.now().date()
        ops = self.settings.ops_email
        return Step(
            kind=LinkKind.RENEWAL,
            stage=Stage.CHILD_CERTIFICATE,
            metric_stage=Stage.CHILD_CERTIFICATE,
            consultant=consultant,
            lifetime=self.settings.link_lifetime(),
            request=lambda url: emails.renewal_request(consultant, volunteer.id, volunteer.first_name, until, url),
            reminder=lambda url, number: emails.renewal_reminder(
                consultant, volunteer.id, volunteer.first_name, until, url, number
            ),
            escalation=lambda reminders: emails.renewal_escalation(ops, volunteer.id, until, reminders),
            output=lambda link: {"outcome": link.decision, "link_id": link.link_id},
        )

    def open(self, volunteer_id: str, token: str) -> None:
        volunteer = self._still_in(volunteer_id)
        self.steps.open(volunteer, self.step(volunteer), token, guard=lambda: self._still_in(volunteer_id))

    def remind(self, volunteer_id: str) -> Reminded:
        volunteer = self._still_in(volunteer_id)
        return self.steps.remind(volunteer, self.step(volunteer))

    def _still_in(self, volunteer_id: str) -> Volunteer:
        volunteer = self.repository.get_volunteer(volunteer_id)
        if volunteer.withdrawal_requested or volunteer.stage.is_final:
            raise Withdrawn(volunteer_id)
        return volunteer

    def confirm(self, volunteer_id: str, claimed: dict[str, Any], requested_by: str) -> str:
        """What the renewal's used link recorded (approve or reject); "forged" if no used link backs
        the task result (the step waits again, ops are alarmed)."""
        volunteer = self.repository.get_volunteer(volunteer_id)
        return self.safeguards.backed_decision(
            volunteer, LinkKind.RENEWAL, Stage.CHILD_CERTIFICATE, claimed, requested_by
        )

    def record(self, volunteer_id: str, outcome: str, requested_by: str) -> None:
        """The renewal's outcome: cleared until the new certificate runs out, or suspended."""
        volunteer = self.repository.get_volunteer(volunteer_id)
        at = self.now()
        evidence = volunteer.evidence.get(Stage.CHILD_CERTIFICATE)
        if outcome == "approve" and evidence is not None and evidence.decision == "approve":
            until = certificate_valid_until(evidence, self.settings.rules)
            self.repository.update(
                VOLUNTEER,
                volunteer_id,
                set={"cleared_until": until, "open_link_id": None},
                event=Event(
                    at=at,
                    kind=EventKind.CERTIFICATE_RENEWED,
                    stage=volunteer.stage,
                    by=evidence.decided_by,
                    details={"valid_until": until.isoformat()},
                ),
            )
            return
        decided_by = evidence.decided_by if evidence is not None else requested_by
        suspension = Suspension(reason="børneattesten er ikke fornyet uden anmærkninger", at=at, by=decided_by)
        self.repository.update(VOLUNTEER, volunteer_id, set={"suspended": suspension, "open_link_id": None})
        self.safeguards.raise_alarm(  # the suspension's event, and ops told at once
            volunteer,
            EventKind.SUSPENDED,
            decided_by,
            {"reason": suspension.reason},
            "børneattesten blev ikke godkendt ved fornyelsen; den frivillige er suspenderet fra puljen og alle match",
        )
