"""The records the programme keeps, as typed models: volunteers, young people and proposals.

Only the storage adapter knows how they are laid out in the table; use cases read and change
them through these models and the repository port.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backup.domain.consent import Consent, GuardianConsent
from backup.domain.evidence import Evidence
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.proposals import Candidate
from backup.domain.referrals import Preferences
from backup.domain.stages import Stage


class Leaving(str, Enum):
    """Why a person's run is ending before its outcome (the run ends through its Withdrawn branch)."""

    WITHDREW = "withdrew"  # they (or, for a young person, their contact adult) asked, by their link
    INACTIVE = "inactive"  # nothing happened for a long time, and they stopped or did not answer
    ERASED = "erased"  # their data is being erased (the record is gone when the run ends)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class VolunteerDetails(_Frozen):
    """What an applicant told us (backup.domain.applications checks it on the way in)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    birth_date: date | None = None
    address: str = ""
    postcode: str = ""
    city: str = ""
    interests: tuple[str, ...] = ()
    availability: str = ""
    motivation: str = ""
    experience: str = ""
    gender: str | None = None
    references: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class YouthDetails(_Frozen):
    """What a contact adult and the young person told us (backup.domain.referrals checks it)."""

    first_name: str = ""
    birth_date: date | None = None
    postcode: str = ""
    placement: str = ""
    interests: tuple[str, ...] = ()
    wishes: str = ""
    preferences: Preferences = Field(default_factory=Preferences)
    availability: str = ""
    email: str | None = None
    phone: str | None = None
    contact_adult_name: str = ""
    contact_adult_email: str = ""
    contact_adult_phone: str = ""  # referrals before it was asked for have none
    contact_adult_organisation: str = ""
    # under 18: who consented besides the young person (the form's guardian_* fields)
    guardian_consent: GuardianConsent | None = None

    @model_validator(mode="before")
    @classmethod
    def _guardian_from_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("guardian_name") and "guardian_consent" not in data:
            data = {
                **data,
                "guardian_consent": {
                    "name": data["guardian_name"],
                    "role": data.get("guardian_role"),
                    "how": data.get("guardian_how"),
                    "given_on": data.get("guardian_date"),
                },
            }
        return data


_OPTIONAL_TEXT = frozenset(
    {
        "consultant",
        "open_stage",
        "open_link_id",
        "needs_ops",
        "ops_link_id",
        "withdraw_link_id",
        "activity_link_id",
        "proposal_id",
        "match_token",
        "outcome",
    }
)


class Record(_Frozen):
    """What every record has: its stage, and the step it may be waiting on (a consultant's link,
    reminders and escalation, or ops' choice after a failure)."""

    kind: ClassVar[RecordKind]

    id: str
    stage: Stage
    stage_since: datetime
    created_at: datetime
    consultant: str | None = None
    open_stage: Stage | None = None
    open_link_id: str | None = None
    reminders_sent: int = 0
    escalated: bool = False
    needs_ops: str | None = None  # the state that failed for good, while ops decide
    ops_link_id: str | None = None
    letters_sent: tuple[str, ...] = ()  # see backup.usecases.letters
    expires_at: int | None = None  # when DynamoDB's TTL deletes it (epoch seconds); None: kept
    run: int = 1  # which execution is current (see backup.domain.executions)
    ops_decision: Evidence | None = None  # ops' choice from their link after a failure (retry or end)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """An empty text where a value is optional means "none" (records written before this model
        cleared a step by storing "")."""
        if isinstance(data, dict):
            return {key: (None if value == "" and key in _OPTIONAL_TEXT else value) for key, value in data.items()}
        return data

    def waits_on(self, link: Link) -> bool:
        """Whether this record's open step still waits for `link`'s decision."""
        return self.open_link_id == link.link_id and not self.stage.is_final


class Suspension(_Frozen):
    """Why someone is kept out of the pool and of every match until a consultant clears them."""

    reason: str
    at: datetime
    by: str


class Person(Record):
    """A volunteer or a young person."""

    # what they (or for a young person, their contact adult) agreed to, each with its wording's version
    consents: dict[str, Consent] = Field(default_factory=dict)
    withdrawal_requested: bool = False
    leaving_because: Leaving | None = None  # why, once withdrawal_requested is set
    withdraw_link_id: str | None = None
    proposal_id: str | None = None  # the proposal (or match) that holds them
    match_token: str | None = Field(default=None, repr=False)  # the pool's wait, resumed when matched
    excluded_volunteers: tuple[str, ...] = ()  # pairs declined before (young people)
    no_candidates: bool = False  # nobody within reach at the last matching run (young people)
    details: VolunteerDetails | YouthDetails
    # each step's decision as the consultant recorded it through the step's link
    evidence: dict[Stage, Evidence] = Field(default_factory=dict)
    # the last day the child-protection certificate counts (volunteers; set when cleared for matching)
    cleared_until: date | None = None
    suspended: Suspension | None = None
    # no activity for InactivityDays: the consultant's link to say whether they carry on
    activity_link_id: str | None = None
    still_active_at: datetime | None = None  # when the consultant last said they carry on

    @property
    def last_activity(self) -> datetime:
        """When something last happened in their journey: a change of stage, or the consultant
        saying they carry on."""
        return max(self.stage_since, self.still_active_at or self.stage_since)

    @property
    def first_name(self) -> str:
        return self.details.first_name

    @property
    def postcode(self) -> str:
        return self.details.postcode

    @property
    def email(self) -> str:
        """Where their own letters go."""
        raise NotImplementedError

    @property
    def leaving(self) -> bool:
        """Out of the programme, or on the way out (asked to withdraw, not yet recorded)."""
        return self.stage.is_final or self.withdrawal_requested

    def waits_on(self, link: Link) -> bool:
        # a renewal is a step beside the journey: the person stays in their stage while it waits
        beside = link.kind is LinkKind.RENEWAL
        return (
            super().waits_on(link)
            and link.stage is not None
            and (beside or self.stage is link.stage)
            and not self.withdrawal_requested
        )


class Volunteer(Person):
    kind: ClassVar[RecordKind] = RecordKind.VOLUNTEER
    details: VolunteerDetails = Field(default_factory=VolunteerDetails)

    @property
    def email(self) -> str:
        return self.details.email


class YoungPerson(Person):
    kind: ClassVar[RecordKind] = RecordKind.YOUTH
    details: YouthDetails = Field(default_factory=YouthDetails)

    @property
    def answers_through_contact_adult(self) -> bool:
        """A young person without an email address of their own is written to through their contact adult."""
        return not self.details.email

    @property
    def email(self) -> str:
        """Where their own letters go: their address, else their contact adult's."""
        return self.details.email or self.details.contact_adult_email


class ProposalRecord(Record):
    """A proposed pair: the young person, the chosen volunteer (and alternatives), the
    consultant's steps and the two answers. If both say yes it is the match's record."""

    kind: ClassVar[RecordKind] = RecordKind.MATCH

    youth_id: str
    volunteer_id: str
    chosen: Candidate
    alternatives: tuple[Candidate, ...] = ()
    answer_links: dict[Party, str] = Field(default_factory=dict)
    answers: dict[Party, str] = Field(default_factory=dict)
    outcome: str | None = None  # declined or both_yes, written once
    nudged: bool = False
    # after MATCHED, the match's support (backup.domain.support): which support run is current
    # (None: none yet), the roles as agreed and as the contact adult confirmed them, and the check-ins
    support_run: int | None = None
    roles: Evidence | None = None
    roles_confirm_link_id: str | None = None
    roles_confirmed: Evidence | None = None
    check_ins: dict[str, Evidence] = Field(default_factory=dict)
    check_ins_missed: int = 0
    next_check_in_at: datetime | None = None
    closure_requested: Evidence | None = None  # a check-in whose consultant chose to end the match
    closure: Evidence | None = None  # the end as recorded (backup.domain.closure)
    # concerns (backup.domain.concerns): each party's reusable link, what was raised, whether one
    # waits for the consultant's decision, and the token the support run's schedule waits on
    concern_links: dict[str, str] = Field(default_factory=dict)
    concerns: dict[str, Evidence] = Field(default_factory=dict)
    concern_open: bool = False
    concern_decision: Evidence | None = None  # the consultant's last decision on a concern
    support_token: str | None = Field(default=None, repr=False)
    # the monthly "hvordan går det?" (backup.domain.pulse): rounds sent, their links, the answers
    pulse_round: int = 0
    next_pulse_at: datetime | None = None
    pulse_links: dict[str, str] = Field(default_factory=dict)  # round_key -> link id
    pulses: dict[str, Evidence] = Field(default_factory=dict)  # round_key -> answer
    support_paused: bool = False

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return (self.chosen, *self.alternatives)

    def waits_on(self, link: Link) -> bool:
        if self.stage is Stage.MATCHED and link.kind in {
            LinkKind.ROLES,
            LinkKind.CHECK_IN,
            LinkKind.CLOSURE,
            LinkKind.CONCERN_DECISION,
        }:
            return self.open_link_id == link.link_id  # a support step
        if self.stage.is_final or self.stage is Stage.MATCHED:
            return False
        return link.link_id in self.answer_links.values() or self.open_link_id == link.link_id


PERSON_MODELS: dict[RecordKind, type[Person]] = {RecordKind.VOLUNTEER: Volunteer, RecordKind.YOUTH: YoungPerson}
RECORD_MODELS: dict[RecordKind, type[Record]] = {**PERSON_MODELS, RecordKind.MATCH: ProposalRecord}


def known_details(kind: RecordKind, names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` if each is one of this kind of person's details; ValueError otherwise. A read of some
    details must not leave one out unnoticed: a misspelt "preferences" would read as "no wish" and
    a young person's wish of a volunteer is a hard rule of matching."""
    if not isinstance(names, tuple):  # a bare string too: its letters are not names
        raise ValueError(f"details to read are a tuple of names, not {type(names).__name__}")
    details = PERSON_MODELS[kind].model_fields["details"].annotation
    assert isinstance(details, type) and issubclass(details, BaseModel)
    unknown = sorted(set(names) - set(details.model_fields))
    if unknown:
        raise ValueError(f"{kind.noun} has no details named {', '.join(unknown)}")
    return names


class Waiting(_Frozen):
    """Someone waiting in a stage, and since when (what the stage index gives)."""

    kind: RecordKind
    id: str
    since: datetime
