"""A volunteer's child-protection certificate is renewed before it runs out; one that runs out takes
the volunteer out of the pool and tells their consultant; one that is not clean suspends them."""

from datetime import timedelta

import pytest

from backup.adapters.memory import RecordingExecutions
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.domain.transitions import clearance_problem
from backup.usecases.renewal import CertificateRenewals, CertificateWatch, renewal_execution
from tests.factories import approvals, cleared_volunteer

from .conftest import CONSULTANT, OPS

VOLUNTEER = RecordKind.VOLUNTEER


@pytest.fixture
def world(programme):
    programme.repository.create_person(
        cleared_volunteer("v1", programme.clock(), first_name="Bo", postcode="8000"),
        Event(at=programme.clock(), kind=EventKind.APPLIED),
    )
    programme.watch = CertificateWatch(programme.repository, programme.letters, programme.settings, programme.clock, 60)
    programme.renewals = CertificateRenewals(
        programme.repository, programme.steps, programme.safeguards, programme.settings, programme.clock
    )
    programme.renewal_runs = RecordingExecutions()
    return programme


def kinds(world):
    return [e.kind for e in world.repository.history(VOLUNTEER, "v1")]


def renew(world, decision, **fields):
    world.results.waiting.add("renewal-token")
    world.renewals.open("v1", "renewal-token")
    link_id = world.repository.get_volunteer("v1").open_link_id
    request = world.mailer.to(CONSULTANT)[-1]
    assert "skal fornyes" in request.subject and link_id in request.text
    world.decisions.decide(link_id, decision, "", {**approvals(world.clock())[Stage.CHILD_CERTIFICATE], **fields})
    outcome = world.renewals.confirm("v1", {}, "execution renewal-v1")
    world.renewals.record("v1", outcome, "execution renewal-v1")
    return outcome


def test_a_renewal_run_starts_once_within_the_notice_and_not_before(world):
    until = world.repository.get_volunteer("v1").cleared_until
    assert world.watch.due(world.renewal_runs)["renewals_due"] == 0  # two years ahead: not yet
    world.clock.at += timedelta(days=730 - 60)
    world.watch.due(world.renewal_runs)
    world.watch.due(world.renewal_runs)  # the next hour: the same run, not a second one
    assert world.renewal_runs.names == [renewal_execution("v1", until)]


def test_a_renewed_certificate_keeps_the_volunteer_cleared_for_another_period(world):
    world.clock.at += timedelta(days=700)
    assert renew(world, "approve") == "approve"
    volunteer = world.repository.get_volunteer("v1")
    assert volunteer.cleared_until == (world.clock() + timedelta(days=730)).date()
    assert volunteer.stage is Stage.READY_FOR_MATCH and volunteer.open_link_id is None
    assert EventKind.CERTIFICATE_RENEWED in kinds(world)
    world.clock.at += timedelta(days=100)  # past the old certificate's last day
    assert clearance_problem(volunteer, world.clock().date(), world.settings.rules) is None


def test_a_certificate_that_is_not_clean_suspends_the_volunteer_and_alarms_ops(world):
    world.clock.at += timedelta(days=700)
    assert renew(world, "reject", reason="Anmærkning på attesten") == "reject"
    volunteer = world.repository.get_volunteer("v1")
    assert volunteer.suspended is not None and volunteer.suspended.by == CONSULTANT
    assert clearance_problem(volunteer, world.clock().date(), world.settings.rules).startswith("suspended")
    assert EventKind.SUSPENDED in kinds(world)
    assert [m for m in world.mailer.to(OPS) if m.subject.startswith("Sikkerhedsalarm")]
    assert world.watch.due(world.renewal_runs)["renewals_due"] == 0  # no renewal for someone suspended


def test_a_certificate_that_ran_out_is_recorded_once_and_the_consultant_of_a_matched_volunteer_told(world):
    world.repository.update(VOLUNTEER, "v1", set={"stage": Stage.MATCHED, "proposal_id": "p1"})
    world.clock.at += timedelta(days=731)
    assert world.watch.due(world.renewal_runs)["certificates_expired"] == 1
    assert world.watch.due(world.renewal_runs)["certificates_expired"] == 0
    (told,) = [m for m in world.mailer.to(CONSULTANT) if "er udløbet" in m.subject]
    assert "matchet med en ung" in told.text and "mødes alene" in told.text
    assert kinds(world).count(EventKind.CERTIFICATE_EXPIRED) == 1
    volunteer = world.repository.get_volunteer("v1")
    assert clearance_problem(volunteer, world.clock().date(), world.settings.rules) is not None


def test_a_forged_renewal_result_renews_nothing(world):
    world.clock.at += timedelta(days=700)
    world.results.waiting.add("renewal-token")
    world.renewals.open("v1", "renewal-token")
    before = world.repository.get_volunteer("v1").cleared_until
    assert world.renewals.confirm("v1", {"outcome": "approve"}, "a direct invoke") == "forged"
    assert world.repository.get_volunteer("v1").cleared_until == before
    assert EventKind.SAFEGUARDING_ALARM in kinds(world)
