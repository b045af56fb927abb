"""A person's rights over their data: a copy of everything held about them (GDPR art. 15 and 20),
and erasure (art. 17). Ops run both (`backup-ops export`, `backup-ops erase`) through the ops
function, which records who asked.

Erasure ends the person's run the way a withdrawal does (through its Withdrawn branch; the run's
last task finds the record gone and records nothing), deletes their record, history and links,
takes their values out of everything else (a proposal that named them, the other person's history
keep only an anonymous id) and leaves one anonymous receipt.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backup.domain.erasure import ErasureReceipt, Scrubber, anonymous_id, personal_values
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link
from backup.domain.records import Leaving, Person, ProposalRecord
from backup.domain.settings import Settings
from backup.usecases.ports import Clock, Repository
from backup.usecases.withdrawal import Withdrawal

# what a link, a record or a proposal holds that must not leave the table even in a person's own
# copy, at any depth: the secrets that resume runs or open pages (letters_sent names the open
# step's link: "step:<link id>")
SECRETS = frozenset(
    {
        "task_token",
        "match_token",
        "link_id",
        "open_link_id",
        "ops_link_id",
        "withdraw_link_id",
        "activity_link_id",
        "answer_links",
        "letters_sent",
    }
)
PARTY_OF = {RecordKind.VOLUNTEER: Party.VOLUNTEER, RecordKind.YOUTH: Party.YOUTH}
# the recipients, in a proposal's letters, who are this person (a young person's contact adult is
# written to about them)
RECIPIENTS = {RecordKind.VOLUNTEER: {"volunteer"}, RecordKind.YOUTH: {"youth", "contact_adult"}}


class DataRights:
    def __init__(self, repository: Repository, withdrawal: Withdrawal, settings: Settings, now: Clock):
        self.repository = repository
        self.withdrawal = withdrawal
        self.settings = settings
        self.now = now

    def export(self, kind: RecordKind, person_id: str, requested_by: str) -> dict[str, Any]:
        """Everything held about the person, as JSON: their record, every event of their history
        (notes included), their links (without secrets), the proposals naming them (what concerns
        them) and every email sent to them or about them (subject, recipient, time; not the body).
        The export itself goes on their history. NotFound if there is no such person."""
        person = self.repository.get_person(kind, person_id)
        history = self.repository.history(kind, person_id)
        proposals = self.repository.proposals_naming(person_id)
        links = self._links_of(person, proposals)
        emails = [_email(e, kind.value, person_id) for e in history if e.kind is EventKind.EMAIL_SENT]
        for proposal in proposals:
            for event in self.repository.history(RecordKind.MATCH, proposal.id):
                if event.kind is EventKind.EMAIL_SENT and event.details.get("recipient") in RECIPIENTS[kind]:
                    emails.append(_email(event, "MATCH", proposal.id))
        self.repository.add_event(
            kind,
            person_id,
            Event(at=self.now(), kind=EventKind.DATA_EXPORTED, stage=person.stage, by=requested_by[:200]),
        )
        return {
            "kind": kind.value,
            "id": person_id,
            "exported_at": self.now().isoformat(),
            "record": _without_secrets(person.model_dump(mode="json")),
            "history": [_without_secrets(e.model_dump(mode="json", exclude_none=True)) for e in history],
            "links": [_link(link) for link in links],
            "proposals": [_proposal(p, person_id) for p in proposals],
            "emails": sorted(emails, key=lambda e: str(e["at"])),
        }

    def erase(self, kind: RecordKind, person_id: str, requested_by: str) -> ErasureReceipt:
        """Erase the person (see the module's docstring). NotFound if there is no such person."""
        person = self.repository.get_person(kind, person_id)
        # their run ends first, so nothing it does later can write about them again
        self.withdrawal.end_run(person, Leaving.ERASED, requested_by)
        proposals = self.repository.proposals_naming(person_id)
        links = self._links_of(person, proposals)
        values = personal_values(person)
        deleted = self.repository.delete_record(kind, person_id)
        for link in links:
            self.repository.delete_link(link.link_id)
        anonymous = anonymous_id()
        # what is about them: their proposals, and the histories of the people they were proposed to
        around = {(RecordKind.MATCH, p.id) for p in proposals} | {
            (kind_, other)
            for p in proposals
            for kind_, other in ((RecordKind.YOUTH, p.youth_id), (RecordKind.VOLUNTEER, p.volunteer_id))
            if other != person_id
        }
        scrubbed, submissions = self.repository.scrub_everywhere(Scrubber(person_id, anonymous, values), around)
        receipt = ErasureReceipt(
            anonymous_id=anonymous,
            kind=kind,
            at=self.now(),
            by=requested_by[:200],
            deleted=deleted + len(links) + submissions,
            scrubbed=scrubbed,
        )
        self.repository.put_erasure(receipt, self.now() + timedelta(days=self.settings.retention_days))
        return receipt

    def what_goes(self, kind: RecordKind, person_id: str) -> dict[str, int]:
        """What an erasure would delete and change, for ops to confirm. NotFound if there is no such person."""
        person = self.repository.get_person(kind, person_id)
        proposals = self.repository.proposals_naming(person_id)
        return {
            "history_events": len(self.repository.history(kind, person_id)),
            "links": len(self._links_of(person, proposals)),
            "proposals_naming_them": len(proposals),
        }

    def _links_of(self, person: Person, proposals: list[ProposalRecord]) -> list[Link]:
        """Their own links, and the proposals' links sent to them (the consultant's links of a
        proposal are about the proposal, and stay)."""
        party = PARTY_OF[person.kind]
        # a proposal's answer link is theirs only where they are its young person or its chosen
        # volunteer (an alternative's proposal asks someone else)
        theirs = {p.id for p in proposals if person.id in (p.youth_id, p.volunteer_id)}
        links = self.repository.links_about({person.id, *theirs})
        return [link for link in links if link.record_id == person.id or link.party is party]


def _without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _secretless(value) for key, value in data.items() if key not in SECRETS}


def _secretless(value: Any) -> Any:
    if isinstance(value, dict):
        return _without_secrets(value)
    if isinstance(value, list):
        return [_secretless(item) for item in value]
    return value


def _link(link: Link) -> dict[str, Any]:
    return _without_secrets(link.model_dump(mode="json", exclude_none=True))


def _proposal(proposal: ProposalRecord, person_id: str) -> dict[str, Any]:
    """What a proposal says about this person: when, how far it got, their own answer. Not the
    other person's details, nor the candidates' reasons (which describe them both)."""
    party = Party.YOUTH if proposal.youth_id == person_id else Party.VOLUNTEER
    named_as = (
        "young person"
        if party is Party.YOUTH
        else "chosen volunteer"
        if proposal.volunteer_id == person_id
        else "alternative volunteer"
    )
    return {
        "proposal_id": proposal.id,
        "named_as": named_as,
        "stage": proposal.stage.value,
        "created_at": proposal.created_at.isoformat(),
        "stage_since": proposal.stage_since.isoformat(),
        "their_answer": proposal.answers.get(party) if named_as != "alternative volunteer" else None,
        **({"support": _support(proposal, party.value)} if proposal.support_run else {}),
    }


def _support(match: ProposalRecord, party: str) -> dict[str, Any]:
    """A match's support as it concerns one of the two: the roles agreed, every check-in (about
    the two of them), the closure, their own monthly answers and the concerns they raised. Concerns
    others raised about them stay with the consultant (a report's author is protected, as in any
    child-protection matter); the consultant can give what may be given."""

    def shown(evidence: Evidence | None) -> dict[str, Any] | None:
        return None if evidence is None else _without_secrets(evidence.model_dump(mode="json"))

    own_link = match.concern_links.get(party)
    return {
        "roles": shown(match.roles),
        "check_ins": [shown(e) for _, e in sorted(match.check_ins.items())],
        "closure": shown(match.closure),
        "their_monthly_answers": [shown(e) for key, e in sorted(match.pulses.items()) if key.endswith(f"-{party}")],
        "concerns_they_raised": [
            shown(e) for _, e in sorted(match.concerns.items()) if own_link and e.link_id == own_link
        ],
    }


def _email(event: Event, kind: str, record_id: str) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "subject": event.details.get("subject", event.details.get("email", "")),
        "to": event.details.get("to", ""),
        "recipient": event.details.get("recipient", ""),
        "about": f"{kind} {record_id}",
    }
