"""The use cases wired to the in-memory adapters, with a clock the tests move: the whole
programme in one process, a few milliseconds per test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from backup.adapters.memory import (
    ImmediateCourier,
    MemoryRepository,
    RecordingExecutions,
    RecordingMailer,
    RecordingMetrics,
    RecordingResults,
)
from backup.domain.emails import Email
from backup.domain.kinds import RecordKind
from backup.domain.settings import Settings
from backup.domain.stages import HUMAN_STEPS, Stage
from backup.usecases.data_rights import DataRights
from backup.usecases.delivery import Deliverer, Outbox
from backup.usecases.human_steps import HumanSteps
from backup.usecases.inactivity import ActivityAnswers, Inactivity
from backup.usecases.journeys import Journeys
from backup.usecases.letters import Letters
from backup.usecases.link_decisions import LinkDecisions
from backup.usecases.ops_commands import OpsCommands
from backup.usecases.proposals import Proposals, ProposalWaits
from backup.usecases.referral import YoungPersonJourney
from backup.usecases.safeguards import Safeguards
from backup.usecases.screening import VolunteerJourney
from backup.usecases.withdrawal import Withdrawal, WithdrawLinks
from tests.factories import approvals

CONSULTANT = "konsulent@rodekors.example"
OPS = "drift@rodekors.example"


class Clock:
    """A clock tests can move."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Programme:
    settings: Settings
    clock: Clock = field(default_factory=Clock)
    repository: MemoryRepository = field(default_factory=MemoryRepository)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    results: RecordingResults = field(default_factory=RecordingResults)
    executions: RecordingExecutions = field(default_factory=RecordingExecutions)
    metrics: RecordingMetrics = field(default_factory=RecordingMetrics)

    def __post_init__(self) -> None:
        self.rewire()

    def rewire(self) -> None:
        """Build every use case on the current adapters (after a test swapped one)."""
        r, s, now = self.repository, self.settings, self.clock
        self.letters = Letters(r, self.mailer, s, now)
        # only the links function sends task results; the others leave them owed and ring it, and
        # here the ring reaches the deliverer at once (in AWS: an asynchronous invoke)
        self.deliverer = Deliverer(r, self.results, now, self.metrics, sleep=lambda seconds: None)
        self.courier = ImmediateCourier()
        self.courier.deliver = self.deliverer.deliver
        self.outbox = Outbox(r, self.courier, now)
        self.steps = HumanSteps(r, self.letters, self.outbox, s, now, self.metrics)
        self.safeguards = Safeguards(r, self.letters, s, now, self.metrics)
        self.withdraw_links = WithdrawLinks(r, self.steps, s, now)
        self.journeys = Journeys(
            r,
            self.letters,
            self.steps,
            self.outbox,
            s,
            now,
            self.metrics,
            kinds={
                RecordKind.VOLUNTEER: VolunteerJourney(self.letters, self.withdraw_links),
                RecordKind.YOUTH: YoungPersonJourney(self.letters, self.withdraw_links),
            },
            safeguards=self.safeguards,
        )
        self.proposals = Proposals(
            r, self.letters, self.steps, self.outbox, self.executions, s, now, self.metrics, self.safeguards
        )
        self.decisions = LinkDecisions(r, self.deliverer, ProposalWaits(r, self.deliverer), now, self.metrics)
        self.withdrawal = Withdrawal(r, self.deliverer, now)
        self.ops = OpsCommands(r, self.letters, self.steps, self.outbox, s, now)
        # what the watch and the ops function build: they owe the runs' ends to the links function
        self.quiet = Inactivity(r, self.steps, self.letters, Withdrawal(r, self.outbox, now), s, now)
        self.activity = ActivityAnswers(r, self.withdrawal, now)
        self.rights = DataRights(r, Withdrawal(r, self.outbox, now), s, now)

    @property
    def emails(self) -> list[Email]:
        return self.mailer.emails


def settings(**changes: object) -> Settings:
    values: dict[str, object] = dict(
        base_url="https://backup.example",
        consultant_email=CONSULTANT,
        ops_email=OPS,
        max_reminders=2,
        reminder_delay_seconds=3600,
    )
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def programme() -> Programme:
    return Programme(settings())


def screened(
    world: Programme, person_id: str = "a1", through: tuple[Stage, ...] = HUMAN_STEPS, ready: bool = True
) -> None:
    """Take a volunteer through the screening steps as consultants do: each step opened, decided
    on its link with what the step records, and confirmed; then ready for a match."""
    for number, stage in enumerate(through):
        token = f"screening-{person_id}-{number}"
        world.results.waiting.add(token)
        world.journeys.open_step(RecordKind.VOLUNTEER, person_id, stage, token, "test")
        link_id = world.repository.get_volunteer(person_id).open_link_id
        assert link_id
        world.decisions.decide(link_id, "approve", "", approvals(world.clock())[stage])
        assert world.journeys.confirm_step(RecordKind.VOLUNTEER, person_id, stage, {}, "test") == "approve"
    if ready:
        world.journeys.finish(RecordKind.VOLUNTEER, person_id, Stage.READY_FOR_MATCH, "test")
    world.results.resumed.clear()  # the screening's own deliveries: what a test checks comes after
