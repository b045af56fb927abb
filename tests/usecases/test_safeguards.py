"""The attacks on the rule that protects the children: no path but a consultant's recorded decision
moves a volunteer towards a young person. Each test tries a bypass and checks that nothing moved,
that the attempt is on the person's history with who asked, and that ops were alarmed."""

from datetime import timedelta

import pytest

from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import HUMAN_STEPS, Stage
from backup.domain.transitions import TransitionRefused
from tests.factories import approvals, volunteer

from .conftest import OPS, screened

VOLUNTEER = RecordKind.VOLUNTEER


@pytest.fixture
def world(programme):
    programme.repository.create_person(
        volunteer("a1", first_name="Mette", email="mette@example.org"),
        Event(at=programme.clock(), kind=EventKind.APPLIED),
    )
    return programme


def refusals(world):
    return [e for e in world.repository.history(VOLUNTEER, "a1") if e.kind is EventKind.TRANSITION_REFUSED]


def alarms(world):
    return [e for e in world.repository.history(VOLUNTEER, "a1") if e.kind is EventKind.SAFEGUARDING_ALARM]


def alarmed(world):
    return [m for m in world.mailer.to(OPS) if m.subject.startswith("Sikkerhedsalarm")]


def test_a_direct_invoke_of_finish_ready_for_match_moves_nobody_and_is_recorded_with_who_asked(world):
    screened(world, through=HUMAN_STEPS[:1], ready=False)  # only the phone screening is approved
    world.journeys.open_step(VOLUNTEER, "a1", Stage.HOME_VISIT, "t-home", "execution volunteer-a1")
    with pytest.raises(TransitionRefused, match="not the next step of the programme"):
        world.journeys.finish(VOLUNTEER, "a1", Stage.READY_FOR_MATCH, "a direct invoke that named no execution")
    person = world.repository.get_volunteer("a1")
    assert person.stage is Stage.HOME_VISIT and person.cleared_until is None
    (refused,) = refusals(world)
    assert refused.by == "a direct invoke that named no execution"
    assert refused.details["from"] == "HOME_VISIT" and refused.details["to"] == "READY_FOR_MATCH"
    assert len(alarmed(world)) == 1 and "HOME_VISIT" in alarmed(world)[0].text
    assert ("SafeguardingAlarm", None) in world.metrics.counts
    assert not [m for m in world.emails if "klar til at blive matchet" in m.subject]


def test_a_replayed_task_token_does_not_pass_a_step_its_link_did_not_decide(world):
    world.results.waiting.add("t1")
    world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "execution volunteer-a1")
    # the token, read from the execution's history, sent with SendTaskSuccess: the wait ends with
    # {"outcome": "approve"}, and the next state asks what the link recorded
    outcome = world.journeys.confirm_step(
        VOLUNTEER, "a1", Stage.PHONE_SCREENING, {"outcome": "approve"}, "execution volunteer-a1"
    )
    assert outcome == "forged"
    person = world.repository.get_volunteer("a1")
    assert person.stage is Stage.PHONE_SCREENING and Stage.PHONE_SCREENING not in person.evidence
    (alarm,) = alarms(world)
    assert alarm.details["claimed"] == "outcome=approve" and alarm.by == "execution volunteer-a1"
    assert alarmed(world)
    # and the step still waits for its consultant, on the same link
    link_id = person.open_link_id
    world.results.waiting.add("t2")
    world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t2", "execution volunteer-a1")
    assert world.repository.get_volunteer("a1").open_link_id == link_id
    with pytest.raises(TransitionRefused):  # nor can the next step be opened on that result
        world.journeys.open_step(VOLUNTEER, "a1", Stage.HOME_VISIT, "t3", "execution volunteer-a1")


def test_a_step_cannot_be_skipped_repeated_or_gone_back_to(world):
    screened(world, through=HUMAN_STEPS[:2], ready=False)  # phone screening and home visit approved
    world.journeys.open_step(VOLUNTEER, "a1", Stage.CHILD_CERTIFICATE, "t-cert", "test")
    for step in (Stage.TRAINING, Stage.PHONE_SCREENING, Stage.HOME_VISIT):  # skip, back, back
        with pytest.raises(TransitionRefused):
            world.journeys.open_step(VOLUNTEER, "a1", step, f"t-{step.value}", "test")
    assert world.repository.get_volunteer("a1").stage is Stage.CHILD_CERTIFICATE
    assert len(refusals(world)) == 3


@pytest.mark.parametrize(
    "outcome", [Stage.REJECTED, Stage.WITHDRAWN, Stage.CLOSED, Stage.MATCHED, Stage.MATCH_PROPOSED, Stage.TRAINING]
)
def test_no_outcome_is_recorded_without_what_allows_it(world, outcome):
    screened(world, through=HUMAN_STEPS[:1], ready=False)
    world.journeys.open_step(VOLUNTEER, "a1", Stage.HOME_VISIT, "t-home", "test")
    with pytest.raises(TransitionRefused):
        world.journeys.finish(VOLUNTEER, "a1", outcome, "test")
    assert world.repository.get_volunteer("a1").stage is Stage.HOME_VISIT


@pytest.mark.parametrize(
    "field, value",
    [
        ("hours", "NaN"),
        ("hours", "inf"),
        ("hours", "1e309"),
        ("hours", "٣"),
        ("hours", "1,5"),
        ("completed_date", "1995-01-01"),
    ],
)
def test_a_decision_posted_around_the_page_with_bad_values_moves_nobody(world, field, value):
    """The page refuses these; a request crafted around it is recorded, but the move is refused."""
    screened(world, through=HUMAN_STEPS[:3], ready=False)
    world.results.waiting.add("t-training")
    world.journeys.open_step(VOLUNTEER, "a1", Stage.TRAINING, "t-training", "test")
    link_id = world.repository.get_volunteer("a1").open_link_id
    fields = {**approvals(world.clock())[Stage.TRAINING], field: value}
    world.decisions.decide(link_id, "approve", "", fields)
    with pytest.raises(TransitionRefused, match="breaks the rules"):
        world.journeys.finish(VOLUNTEER, "a1", Stage.READY_FOR_MATCH, "execution volunteer-a1")
    assert world.repository.get_volunteer("a1").stage is Stage.TRAINING


def test_a_certificate_older_than_its_validity_stops_the_volunteer_before_training(world):
    screened(world, through=HUMAN_STEPS[:3], ready=False)
    world.clock.at += timedelta(days=731)  # the certificate no longer counts when training is due
    world.results.waiting.add("t-training")
    with pytest.raises(TransitionRefused, match="CHILD_CERTIFICATE"):
        world.journeys.open_step(VOLUNTEER, "a1", Stage.TRAINING, "t-training", "test")
    assert world.repository.get_volunteer("a1").stage is Stage.CHILD_CERTIFICATE


def test_every_step_decided_on_its_link_makes_the_volunteer_ready_until_the_certificate_runs_out(world):
    screened(world)
    person = world.repository.get_volunteer("a1")
    assert person.stage is Stage.READY_FOR_MATCH
    assert person.cleared_until == (world.clock() + timedelta(days=730)).date()
    for stage in HUMAN_STEPS:
        evidence = person.evidence[stage]
        assert evidence.decision == "approve" and evidence.decided_by == "konsulent@rodekors.example"
        assert evidence.decided_at == world.clock() and evidence.link_id
    assert person.evidence[Stage.TRAINING].fields["hours"] == "6"
    assert not refusals(world) and not alarms(world)


def test_a_rejections_internal_reason_stays_in_the_history_not_in_the_evidence(world):
    world.results.waiting.add("t1")
    world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")
    link_id = world.repository.get_volunteer("a1").open_link_id
    world.decisions.decide(link_id, "reject", "", {"reason": "Virkede utilregnelig"})
    assert world.journeys.confirm_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, {}, "test") == "reject"
    world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    evidence = world.repository.get_volunteer("a1").evidence[Stage.PHONE_SCREENING]
    assert evidence.decision == "reject" and "reason" not in evidence.fields


def test_ops_end_a_journey_only_from_their_own_link(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.results.waiting.add("ops")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops", True)
    with pytest.raises(TransitionRefused):  # "end" sent with the token, not chosen on the link
        world.journeys.finish(VOLUNTEER, "a1", Stage.CLOSED, "test")
    world.decisions.decide(world.repository.get_volunteer("a1").ops_link_id, "end", "Ansøgeren er ringet op")
    world.journeys.finish(VOLUNTEER, "a1", Stage.CLOSED, "test")
    assert world.repository.get_volunteer("a1").stage is Stage.CLOSED
