"""The programme's shared activities: network days ("netværksdage") for young people and
volunteers, and supervision sessions for volunteers with a volunteer professional supervisor.

A gathering has a capacity; everyone in its target group is invited with their own link (a
256-bit id, backup.domain.links.new_link_id) and answers yes or no, changeable until the sign-up
deadline. A yes beyond the capacity goes on the waiting list, which moves up by itself when a
seat is given back. The repository enforces all of this in its writes (a seat is taken only by a
conditional write that sees one free); this module says what is allowed and why not, in Danish.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backup.domain import clock
from backup.domain.kinds import RecordKind
from backup.domain.regions import REGIONS

MAX_CAPACITY = 500
# a sign-up can be changed until this long before the start, unless staff say otherwise
DEFAULT_DEADLINE_BEFORE = timedelta(days=1)
# the reminder goes out this long before the start (the template's EventReminderLeadSeconds)
DEFAULT_REMINDER_LEAD_SECONDS = 2 * 24 * 3600
NATIONWIDE = "Hele landet"


class GatheringKind(StrEnum):
    NETWORK_DAY = "NETWORK_DAY"
    SUPERVISION = "SUPERVISION"

    @property
    def label(self) -> str:
        return {"NETWORK_DAY": "Netværksdag", "SUPERVISION": "Supervision"}[self.value]


class Audience(StrEnum):
    """Who is invited: the matched pairs (both of each), volunteers, young people."""

    PAIRS = "PAIRS"
    VOLUNTEERS = "VOLUNTEERS"
    YOUTH = "YOUTH"

    @property
    def label(self) -> str:
        return {"PAIRS": "matchede par", "VOLUNTEERS": "frivillige", "YOUTH": "unge"}[self.value]


class GatheringStatus(StrEnum):
    OPEN = "OPEN"  # invitations out, sign-up open until the deadline
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"  # it has taken place; attendance can be recorded


class Answer(StrEnum):
    NONE = "NONE"  # not answered yet
    YES = "YES"  # has a seat
    WAITING = "WAITING"  # said yes when it was full: on the waiting list
    NO = "NO"

    @property
    def label(self) -> str:
        return {"NONE": "Ikke svaret", "YES": "Tilmeldt", "WAITING": "På venteliste", "NO": "Afmeldt"}[self.value]


def _region(value: str | None) -> str | None:
    if value is None or not value.strip() or value.strip().lower() in {NATIONWIDE.lower(), "nationwide", "all"}:
        return None
    for region in REGIONS:
        if region.lower() == value.strip().lower():
            return region
    raise ValueError(f"Vælg en region ({', '.join(REGIONS)}) eller hele landet.")


class GatheringDetails(BaseModel):
    """What staff say about a gathering; checked the same way from the staff page, the command line
    and a direct invoke. Every refusal is one Danish sentence per field."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)

    kind: GatheringKind
    theme: str = Field(min_length=3, max_length=200)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(min_length=2, max_length=300)
    region: str | None = None  # None: nationwide
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    audiences: tuple[Audience, ...] = Field(min_length=1)
    supervisor: str | None = Field(default=None, max_length=200)
    signup_deadline: datetime | None = None  # None: a day before the start

    @field_validator("region", mode="before")
    @classmethod
    def _known_region(cls, value: object) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValueError("Vælg en region eller hele landet.")
        return _region(value)

    @field_validator("starts_at", "ends_at", "signup_deadline")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=clock.DANISH_TIME)  # a time typed by staff is Danish time
        return value

    @field_validator("audiences", mode="before")
    @classmethod
    def _distinct(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            return tuple(dict.fromkeys(value))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> GatheringDetails:
        if self.ends_at <= self.starts_at:
            raise ValueError("Sluttidspunktet skal ligge efter starttidspunktet.")
        if self.signup_deadline is not None and self.signup_deadline > self.starts_at:
            raise ValueError("Fristen for tilmelding skal ligge før arrangementet begynder.")
        if self.kind is GatheringKind.SUPERVISION:
            if set(self.audiences) != {Audience.VOLUNTEERS}:
                raise ValueError("Supervision er kun for frivillige.")
            if not self.supervisor:
                raise ValueError("Skriv, hvem der er supervisor.")
        return self

    @property
    def deadline(self) -> datetime:
        return self.signup_deadline or self.starts_at - DEFAULT_DEADLINE_BEFORE


class Gathering(BaseModel):
    """A network day or a supervision session as stored: its details, status and seats taken."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    details: GatheringDetails
    status: GatheringStatus = GatheringStatus.OPEN
    taken: int = 0  # seats given to a yes
    created_by: str
    created_at: datetime
    cancel_reason: str | None = None

    @property
    def deadline(self) -> datetime:
        return self.details.deadline

    @property
    def starts_at(self) -> datetime:
        return self.details.starts_at

    @property
    def free(self) -> int:
        return max(0, self.details.capacity - self.taken)

    @property
    def where(self) -> str:
        return self.details.region or NATIONWIDE


class Invitation(BaseModel):
    """One person's invitation: their link, their answer, and whether they came."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    gathering_id: str
    link_id: str = Field(repr=False)
    person_kind: RecordKind
    person_id: str
    answer: Answer = Answer.NONE
    answered_at: datetime | None = None
    waiting_since: datetime | None = None  # the waiting list's order
    attended: bool | None = None
    invited_at: datetime


class SignUpClosed(Exception):
    """The gathering takes no (more) changes of answer: cancelled, held, or past its deadline."""

    def __init__(self, message: str, title: str, status_code: int = 409):
        super().__init__(message)
        self.message = message
        self.title = title
        self.status_code = status_code  # 410: it is over (cancelled or held); 409: the deadline passed


def check_answerable(gathering: Gathering, at: datetime) -> None:
    """Raise why an answer can no longer be given or changed, in words for the invited person."""
    if gathering.status is GatheringStatus.CANCELLED:
        raise SignUpClosed(
            "Arrangementet er desværre aflyst, så du skal ikke gøre mere. Vi håber at se dig en anden gang.",
            "Arrangementet er aflyst",
            410,
        )
    if gathering.status is GatheringStatus.CLOSED or at >= gathering.starts_at:
        raise SignUpClosed(
            "Arrangementet har allerede fundet sted. Du skal ikke gøre mere.", "Arrangementet er holdt", 410
        )
    if at >= gathering.deadline:
        raise SignUpClosed(
            f"Fristen for at tilmelde og afmelde sig var {clock.danish(gathering.deadline)}. "
            "Kan du alligevel ikke komme, eller vil du gerne med, så skriv til din konsulent.",
            "Fristen er overskredet",
        )


def waiting_order(invitations: list[Invitation]) -> list[Invitation]:
    """The waiting list, first come first: who said yes to a full gathering, oldest first."""
    waiting = [i for i in invitations if i.answer is Answer.WAITING]
    return sorted(waiting, key=lambda i: (i.waiting_since or i.invited_at, i.link_id))


def reminder_at(gathering: Gathering, lead_seconds: int) -> datetime:
    return gathering.starts_at - timedelta(seconds=lead_seconds)


class Tally(BaseModel):
    """A gathering's measures: invited, answered yes, on the waiting list, said no, came."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    invited: int = 0
    signed_up: int = 0
    waiting: int = 0
    declined: int = 0
    attended: int = 0

    @staticmethod
    def of(invitations: list[Invitation]) -> Tally:
        return Tally(
            invited=len(invitations),
            signed_up=sum(i.answer is Answer.YES for i in invitations),
            waiting=sum(i.answer is Answer.WAITING for i in invitations),
            declined=sum(i.answer is Answer.NO for i in invitations),
            attended=sum(i.attended is True for i in invitations),
        )
