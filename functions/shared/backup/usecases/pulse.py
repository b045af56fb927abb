"""The monthly "hvordan går det?" of a running match (backup.domain.pulse), on the support run's
schedule: each round sends the volunteer and the young person their own one-use link (with their
"Jeg er bekymret" link beside it); a "svært" or a round neither answered alerts the consultant,
once. Nothing is sent while the match is paused."""

from __future__ import annotations

from datetime import timedelta

from backup.domain import support_emails
from backup.domain.concerns import PARTIES
from backup.domain.links import LinkKind
from backup.domain.pulse import PULSE_PARTIES, round_key
from backup.domain.records import ProposalRecord
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.domain.support import CheckInSchedule
from backup.usecases.human_steps import HumanSteps
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Repository

MATCH_STAGES = frozenset({Stage.MATCHED})


class Pulses:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        settings: Settings,
        schedule: CheckInSchedule,
        now: Clock,
    ):
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.settings = settings
        self.schedule = schedule
        self.now = now

    def first_due(self) -> timedelta:
        """The first round falls between the check-ins: half a month after the match."""
        return timedelta(seconds=max(1, self.schedule.monthly_seconds // 2))

    def tick(self, match_id: str) -> None:
        """On the schedule: alert what needs alerting, and send a round that has fallen due."""
        match = self.repository.get_proposal(match_id)
        if match.stage is not Stage.MATCHED:
            return
        match = self._alerts(match)
        if match.pulse_round:
            self._letters(match, match.pulse_round)
            match = self.repository.get_proposal(match_id)
        if match.support_paused or match.next_pulse_at is None or self.now() < match.next_pulse_at:
            return
        if match.pulse_round and not any(round_key(match.pulse_round, p) in match.pulses for p in PULSE_PARTIES):
            match = self.letters.send_once(
                match,
                f"pulse_missing:{match.pulse_round}",
                support_emails.pulse_missing(self._consultant(match), match.id, match.pulse_round),
                "consultant",
            )
        self._send_round(match, match.pulse_round + 1)

    def _letters(self, match: ProposalRecord, number: int) -> None:
        """Round `number`'s letters, each once (a retried task sends what is missing)."""
        youth = self.repository.get_young_person(match.youth_id)
        volunteer = self.repository.get_volunteer(match.volunteer_id)
        people = {
            "youth": (youth.email, f"Hej {youth.first_name}"),
            "volunteer": (volunteer.email, f"Hej {volunteer.first_name}"),
        }
        for party in PULSE_PARTIES:
            link_id = match.pulse_links.get(round_key(number, party))
            if not link_id:
                continue
            address, greeting = people[party]
            concern = match.concern_links.get(party) or match.concern_links.get("contact_adult", "")
            match = self.letters.send_once(
                match,
                f"pulse:{number}:{party}",
                support_emails.pulse_request(
                    address,
                    greeting,
                    self.settings.url(f"/decisions/{link_id}"),
                    self.settings.url(f"/decisions/{concern}"),
                ),
                party,
            )

    def _consultant(self, match: ProposalRecord) -> str:
        return match.consultant or self.settings.consultant_email

    def _alerts(self, match: ProposalRecord) -> ProposalRecord:
        for key, answer in sorted(match.pulses.items()):
            if answer.decision == "svaert":
                party = PARTIES.get(key.split("-", 1)[1], "en af parterne")
                match = self.letters.send_once(
                    match,
                    f"pulse_alert:{key}",
                    support_emails.pulse_alert(
                        self._consultant(match), match.id, party, answer.fields.get("comment", "")
                    ),
                    "consultant",
                )
        return match

    def _send_round(self, match: ProposalRecord, number: int) -> None:
        youth = self.repository.get_young_person(match.youth_id)
        volunteer = self.repository.get_volunteer(match.volunteer_id)
        addresses = {"youth": youth.email, "volunteer": volunteer.email}
        links = dict(match.pulse_links)
        for party in PULSE_PARTIES:
            key = round_key(number, party)
            if key not in links:
                lifetime = timedelta(seconds=self.schedule.monthly_seconds)
                links[key] = self.steps.new_link(
                    (match.kind, match.id), LinkKind.PULSE, addresses[party], lifetime, None
                ).link_id
        self.repository.update(
            match.kind,
            match.id,
            set={
                "pulse_links": links,
                "pulse_round": number,
                "next_pulse_at": self.now() + timedelta(seconds=self.schedule.monthly_seconds),
            },
            expect=Expect(stages=MATCH_STAGES),
        )
        self._letters(self.repository.get_proposal(match.id), number)
