"""Network days and supervision on the in-memory adapters: who is invited, the young person's
contact adult told, seats and the waiting list with their letters, the reminder, a cancellation
and attendance in each person's history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backup.adapters.memory_gatherings import MemoryGatherings, RecordingMeasures
from backup.domain.errors import NotFound
from backup.domain.gatherings import Answer, Audience, GatheringKind, GatheringStatus, SignUpClosed
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.usecases.gatherings import RECHECK_SECONDS, Gatherings, InThePast, NotOpen, RunStep, gathering_execution
from tests.factories import volunteer, young_person
from tests.gathering_factories import details
from tests.usecases.conftest import Programme

LEAD = 2 * 24 * 3600


@pytest.fixture
def world(programme: Programme):
    store = MemoryGatherings()
    ids = iter(f"g{n}" for n in range(1, 100))
    programme.measures = RecordingMeasures()
    programme.gatherings = Gatherings(
        store,
        programme.repository,
        programme.letters,
        programme.executions,
        programme.clock,
        LEAD,
        programme.measures,
        lambda: next(ids),
    )
    programme.store = store
    return programme


def person(world, record, at=None):
    world.repository.create_person(record, Event(at=world.clock(), kind=EventKind.APPLIED))


def people(world):
    """Two matched pairs in Aarhus and one volunteer ready in Copenhagen; a young person aged 16
    with their own address, one without (written to through the contact adult)."""
    person(world, volunteer("v1", Stage.MATCHED, first_name="Mette", email="mette@example.dk", postcode="8000"))
    person(world, volunteer("v2", Stage.MATCHED, first_name="Jonas", email="jonas@example.dk", postcode="8200"))
    person(world, volunteer("v3", Stage.READY_FOR_MATCH, first_name="Eva", email="eva@example.dk", postcode="2100"))
    person(world, volunteer("v4", Stage.PHONE_SCREENING, first_name="Ib", email="ib@example.dk", postcode="8000"))
    person(
        world,
        young_person(
            "y1",
            Stage.MATCHED,
            first_name="Sara",
            email="sara@example.dk",
            postcode="8000",
            birth_date=date(2010, 5, 1),
            contact_adult_name="Lone",
            contact_adult_email="lone@kommune.dk",
        ),
    )
    person(
        world,
        young_person(
            "y2",
            Stage.MATCHED,
            first_name="Ali",
            postcode="8000",
            birth_date=date(2005, 5, 1),
            contact_adult_name="Per",
            contact_adult_email="per@kommune.dk",
        ),
    )


def test_creating_starts_the_run_and_a_past_date_is_refused(world):
    created = world.gatherings.create(details(), "staff@rodekors.dk")
    assert created.id == "g1"
    assert world.executions.names == [gathering_execution("g1")]
    with pytest.raises(InThePast):
        world.gatherings.create(details(starts_in=-timedelta(hours=1)), "staff@rodekors.dk")


def test_the_pairs_of_a_region_are_invited_once_with_a_calendar_file_and_the_minors_contact_adult_told(world):
    people(world)
    world.gatherings.create(details(region="Midtjylland", audiences=(Audience.PAIRS,)), "staff@rodekors.dk")
    invited = world.gatherings.invite("g1")
    assert invited.invited == 4
    assert invited.step.seconds == RECHECK_SECONDS  # days to go: the run looks again within the hour
    to = sorted(e.to for e in world.emails)
    assert to == ["jonas@example.dk", "lone@kommune.dk", "mette@example.dk", "per@kommune.dk", "sara@example.dk"]
    sara = next(e for e in world.emails if e.to == "sara@example.dk")
    assert sara.calendar is not None and sara.calendar.location == "Røde Kors, Aarhus"
    assert "svar=ja" in sara.text and "svar=nej" in sara.text and "Kære Sara" in sara.text
    lone = next(e for e in world.emails if e.to == "lone@kommune.dk")
    assert "orientering" in lone.subject and "/tilmelding/" not in lone.text
    # Ali has no address of his own: his invitation goes to his contact adult, with the links
    assert "/tilmelding/" in next(e for e in world.emails if e.to == "per@kommune.dk").text
    before = len(world.emails)
    assert world.gatherings.invite("g1").invited == 4  # a retried task sends nothing twice
    assert len(world.emails) == before


def test_supervision_invites_volunteers_only_and_nationwide_reaches_every_region(world):
    people(world)
    world.gatherings.create(
        details(
            kind=GatheringKind.SUPERVISION, region=None, audiences=(Audience.VOLUNTEERS,), supervisor="Psykolog Hanne"
        ),
        "staff@rodekors.dk",
    )
    world.gatherings.invite("g1")
    assert sorted(e.to for e in world.emails) == ["eva@example.dk", "jonas@example.dk", "mette@example.dk"]
    assert "Supervisor: Psykolog Hanne" in world.emails[0].text


def links(world):
    return {i.person_id: i.link_id for i in world.store.invitations("g1")}


def volunteers_invited(world, **changes):
    """The people, and a nationwide gathering for volunteers (v1, v2, v3) with its invitations out."""
    people(world)
    world.gatherings.create(details(audiences=(Audience.VOLUNTEERS,), region=None, **changes), "staff@rodekors.dk")
    world.gatherings.invite("g1")
    return links(world)


def test_a_full_gathering_puts_the_next_on_the_waiting_list_who_moves_up_with_a_letter(world):
    link = volunteers_invited(world, capacity=1)
    assert world.gatherings.answer("g1", link["v1"], True).answer is Answer.YES
    assert world.gatherings.answer("g1", link["v2"], True).answer is Answer.WAITING
    world.mailer.sent.clear()
    assert world.gatherings.answer("g1", link["v1"], False).answer is Answer.NO
    assert world.store.get_invitation("g1", link["v2"]).answer is Answer.YES
    assert [e.to for e in world.emails] == ["jonas@example.dk"]
    assert "plads til dig" in world.emails[0].subject
    assert world.measures.totals[("GatheringSignUps", "Hele landet")] == 2
    kinds = [e.kind for e in world.repository.history(RecordKind.VOLUNTEER, "v1")]
    assert kinds.count(EventKind.GATHERING_ANSWERED) == 2


def test_a_start_moved_earlier_is_found_by_the_run_within_the_hour(world):
    link = volunteers_invited(world)
    world.gatherings.answer("g1", link["v1"], True)
    assert world.gatherings.remind("g1").seconds == RECHECK_SECONDS
    world.gatherings.edit("g1", details(audiences=(Audience.VOLUNTEERS,), region=None, starts_in=timedelta(hours=30)))
    world.clock.at += timedelta(seconds=RECHECK_SECONDS)
    assert world.gatherings.remind("g1").done  # 30 hours before: inside the two days, so reminded now
    assert [e.to for e in world.emails if e.subject.startswith("Påmindelse")] == ["mette@example.dk"]


def test_more_seats_move_the_waiting_list_up(world):
    link = volunteers_invited(world, capacity=1)
    for who in ("v1", "v2", "v3"):
        world.gatherings.answer("g1", link[who], True)
    world.gatherings.edit("g1", details(capacity=2, audiences=(Audience.VOLUNTEERS,), region=None))
    answers = {i.person_id: i.answer for i in world.store.invitations("g1")}
    assert list(answers.values()).count(Answer.YES) == 2 and list(answers.values()).count(Answer.WAITING) == 1
    with pytest.raises(ValueError, match="skifte"):
        world.gatherings.edit("g1", details(kind=GatheringKind.SUPERVISION, supervisor="H", audiences=("VOLUNTEERS",)))


def test_the_reminder_goes_to_those_with_a_seat_once_and_closing_ends_answers(world):
    link = volunteers_invited(world, capacity=1)
    world.gatherings.answer("g1", link["v1"], True)
    world.gatherings.answer("g1", link["v2"], True)
    world.mailer.sent.clear()
    early = world.gatherings.remind("g1")
    assert not early.done and early.status is GatheringStatus.OPEN and world.emails == []
    world.clock.at = world.store.get_gathering("g1").starts_at - timedelta(seconds=LEAD + 30)
    assert world.gatherings.remind("g1") == RunStep(GatheringStatus.OPEN, False, 31)
    world.clock.at += timedelta(seconds=31)
    assert world.gatherings.remind("g1").done
    assert world.gatherings.remind("g1").done  # a retried task reminds nobody twice
    assert [e.to for e in world.emails] == ["mette@example.dk"]
    assert not world.gatherings.close("g1").done  # not over yet
    world.clock.at = world.store.get_gathering("g1").details.ends_at
    assert world.gatherings.close("g1").status is GatheringStatus.CLOSED
    (organiser,) = [e for e in world.emails if e.to == "staff@rodekors.dk"]
    assert "Registrér fremmøde" in organiser.subject and "/staff?side=/arrangementer/g1" in organiser.text
    assert world.gatherings.close("g1").done and len([e for e in world.emails if e.to == "staff@rodekors.dk"]) == 1
    with pytest.raises(SignUpClosed):
        world.gatherings.answer("g1", link["v1"], False)


def test_a_cancellation_tells_everyone_signed_up_or_waiting_and_nobody_is_reminded(world):
    link = volunteers_invited(world, capacity=1)
    world.gatherings.answer("g1", link["v1"], True)
    world.gatherings.answer("g1", link["v2"], True)
    world.gatherings.answer("g1", link["v3"], False)
    world.mailer.sent.clear()
    assert world.gatherings.cancel("g1", "Underviseren er syg", "staff@rodekors.dk") == 2
    assert world.gatherings.cancel("g1", "Underviseren er syg", "staff@rodekors.dk") == 2  # a retry
    assert sorted(e.to for e in world.emails) == ["jonas@example.dk", "mette@example.dk"]
    assert all("Underviseren er syg" in e.text and e.calendar.cancelled for e in world.emails)
    world.clock.at += timedelta(days=9)
    assert world.gatherings.remind("g1") == RunStep(GatheringStatus.CANCELLED, True, 0)
    assert len(world.emails) == 2
    with pytest.raises(SignUpClosed, match="aflyst"):
        world.gatherings.answer("g1", link["v3"], True)
    world.gatherings.close("g1")
    assert world.store.get_gathering("g1").status is GatheringStatus.CANCELLED


def test_attendance_after_the_gathering_goes_into_each_persons_history(world):
    link = volunteers_invited(world)
    world.gatherings.answer("g1", link["v1"], True)
    with pytest.raises(NotOpen):
        world.gatherings.record_attendance("g1", {link["v1"]: True}, "staff@rodekors.dk")
    world.clock.at = world.store.get_gathering("g1").details.ends_at
    world.gatherings.close("g1")
    world.gatherings.record_attendance("g1", {link["v1"]: True, link["v2"]: False}, "staff@rodekors.dk")
    _, tally, _ = world.gatherings.show("g1")
    assert (tally.invited, tally.signed_up, tally.attended) == (3, 1, 1)
    nationwide = {name: value for (name, region), value in world.measures.totals.items() if region == "Hele landet"}
    assert nationwide == {"GatheringInvitations": 3, "GatheringSignUps": 1, "GatheringAttendance": 1}
    came = [e for e in world.repository.history(RecordKind.VOLUNTEER, "v1") if e.kind is EventKind.GATHERING_ATTENDED]
    assert came[0].details["value"] == "ja" and came[0].details["gathering_id"] == "g1"
    with pytest.raises(NotFound):
        world.gatherings.record_attendance("g1", {"forged": True}, "staff@rodekors.dk")


def test_a_persons_export_shows_their_answers_and_attendance(world):
    link = volunteers_invited(world)
    world.gatherings.answer("g1", link["v1"], True)
    world.clock.at = world.store.get_gathering("g1").details.ends_at
    world.gatherings.record_attendance("g1", {link["v1"]: True}, "staff@rodekors.dk")
    export = world.rights.export(RecordKind.VOLUNTEER, "v1", "ops")
    gathering_events = [e for e in export["history"] if e["kind"].startswith("GATHERING_")]
    assert [(e["kind"], e["details"]["value"]) for e in gathering_events] == [
        ("GATHERING_ANSWERED", "YES"),
        ("GATHERING_ATTENDED", "ja"),
    ]
    assert any(e["subject"].startswith("Invitation: netværksdag") for e in export["emails"])
    assert all(link["v1"] not in str(value) for value in export.values())  # the link answers for them: not shown
