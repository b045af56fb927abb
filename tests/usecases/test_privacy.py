"""Personal data from first form to last erasure, on the in-memory adapters: a young person can
leave at any time, nobody in progress is kept forever, a person gets a copy of everything held
about them, and an erasure leaves nothing of theirs behind."""

import json
from datetime import timedelta

import pytest

from backup.domain.errors import NotFound
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import DeadLink, LinkKind, LinkStatus
from backup.domain.proposals import Candidate
from backup.domain.proposals import Proposal as Plan
from backup.domain.records import Leaving
from backup.domain.stages import Stage
from tests.factories import cleared_volunteer, confirmed_young_person, volunteer, young_person

from .conftest import CONSULTANT, screened

VOLUNTEER, YOUTH, MATCH = RecordKind.VOLUNTEER, RecordKind.YOUTH, RecordKind.MATCH
# marker values, as a data-protection officer would type them into every field
MARKERS = {
    "first_name": "Zorbalina",
    "last_name": "Quixtrop",
    "email": "zorbalina.quixtrop@example.org",
    "phone": "+4512983476",
    "address": "Markørvej 77",
    "city": "Markørby",
    "motivation": "Motivationsmarkør om Zorbalina",
    "experience": "Erfaringsmarkør",
    "references": ["Referencemarkør Hansen, 22334455"],
}


def kinds(world, person_id, kind=VOLUNTEER):
    return [e.kind for e in world.repository.history(kind, person_id)]


def everything_stored(world) -> str:
    """The whole in-memory table as text: what a scan of DynamoDB would read."""
    repo = world.repository
    parts = []
    for trail in repo._trails.values():
        parts.append(trail.record.model_dump_json())
        parts.extend(event.model_dump_json() for event, _ in trail.events)
    parts.extend(link.model_dump_json() for link, _ in repo._links.values())
    parts.extend(delivery.model_dump_json() for delivery in repo._deliveries.values())
    parts.extend(receipt.model_dump_json() for receipt, _ in repo.erasures)
    return "\n".join(parts)


# --- letters ------------------------------------------------------------------------------------


def test_every_letter_links_the_privacy_notice_and_is_noted_on_the_history_without_its_body(programme):
    programme.repository.create_person(volunteer("m1", **MARKERS), Event(at=programme.clock(), kind=EventKind.APPLIED))
    programme.journeys.start(VOLUNTEER, "m1")
    letter = programme.mailer.to(MARKERS["email"])[0]
    assert "https://backup.example/privatliv" in letter.text and "/privatliv" in letter.html
    sent = [e for e in programme.repository.history(VOLUNTEER, "m1") if e.kind is EventKind.EMAIL_SENT]
    assert sent[-1].details == {"subject": letter.subject, "to": MARKERS["email"], "recipient": "applicant"}


def test_every_letter_about_a_young_person_carries_their_link_to_leave(programme):
    programme.repository.create_person(
        young_person("y1", first_name="Sara", contact_adult_email="kontakt@kommune.dk", contact_adult_name="Lis"),
        Event(at=programme.clock(), kind=EventKind.REFERRED),
    )
    programme.journeys.start(YOUTH, "y1")
    link_id = programme.repository.get_young_person("y1").withdraw_link_id
    (received,) = programme.mailer.to("kontakt@kommune.dk")
    assert f"https://backup.example/withdraw/{link_id}" in received.text
    assert programme.repository.get_link(link_id).kind is LinkKind.WITHDRAW


def test_every_letter_says_who_sends_it_and_a_person_hears_whom_to_reach():
    from backup.domain.regions import parse_regional_consultants

    from .conftest import Programme, settings

    programme = Programme(
        settings(
            consultant_name="Karen Konsulent",
            consultant_phone="+4535259200",
            regional_consultants=parse_regional_consultants("Hovedstaden=anna@rodekors.dk;Anna Holm;35259201"),
        )
    )
    programme.repository.create_person(
        volunteer("m1", email="m1@example.org", postcode="2100"), Event(at=programme.clock(), kind=EventKind.APPLIED)
    )
    programme.repository.create_person(
        young_person("y1", contact_adult_email="kontakt@kommune.dk", postcode="9000"),
        Event(at=programme.clock(), kind=EventKind.REFERRED),
    )
    programme.journeys.start(VOLUNTEER, "m1")
    programme.journeys.start(YOUTH, "y1")
    programme.results.waiting.add("token-1")
    programme.journeys.open_step(VOLUNTEER, "m1", Stage.PHONE_SCREENING, "token-1", "test")
    (receipt,) = programme.mailer.to("m1@example.org")
    assert "Sendt af BackUp, et program i Dansk Røde Kors" in receipt.text
    # the applicant in Copenhagen hears of the capital region's consultant, with her phone
    assert "kontakte konsulenten: Anna Holm, anna@rodekors.dk, tlf. +45 35 25 92 01." in receipt.text
    assert "Anna Holm" in receipt.html
    # the contact adult in North Jutland, of the default consultant
    (referral,) = programme.mailer.to("kontakt@kommune.dk")
    assert "Karen Konsulent, konsulent@rodekors.example, tlf. +45 35 25 92 00" in referral.text.replace(
        CONSULTANT, "konsulent@rodekors.example"
    )
    # the consultants' own letters say who sends them, and name nobody to call
    to_staff = [e for e in programme.emails if e.to in ("anna@rodekors.dk", CONSULTANT)]
    assert to_staff and all("Sendt af BackUp" in e.text and "kontakte konsulenten" not in e.text for e in to_staff)


# --- a young person leaves --------------------------------------------------------------------------


@pytest.fixture
def waiting_young_person(programme):
    programme.repository.create_person(
        confirmed_young_person("y1", programme.clock(), first_name="Sara", contact_adult_email="kontakt@kommune.dk"),
        Event(at=programme.clock(), kind=EventKind.REFERRED),
    )
    programme.journeys.start(YOUTH, "y1")
    programme.results.waiting.add("pool-token")
    programme.journeys.await_match(YOUTH, "y1", "pool-token")
    return programme


def test_a_young_person_in_the_pool_can_leave_and_their_run_ends_through_its_withdrawn_branch(waiting_young_person):
    world = waiting_young_person
    link_id = world.repository.get_young_person("y1").withdraw_link_id
    world.withdrawal.withdraw(link_id)
    assert world.results.failed == [("pool-token", "Withdrawn")]
    assert world.repository.get_young_person("y1").leaving_because is Leaving.WITHDREW
    world.journeys.finish(YOUTH, "y1", Stage.WITHDRAWN, "execution youth-y1")
    assert world.repository.get_young_person("y1").stage is Stage.WITHDRAWN
    assert "ikke længere med" in world.mailer.to("kontakt@kommune.dk")[-1].subject


def test_a_young_person_in_a_proposal_leaves_and_the_volunteer_is_not_told_why(waiting_young_person):
    world = waiting_young_person
    world.repository.create_person(
        cleared_volunteer("v1", world.clock(), email="v1@example.org"), Event(at=world.clock(), kind=EventKind.APPLIED)
    )
    (proposal_id,) = world.proposals.propose([Plan("y1", Candidate("v1", 90.0, "4 km"))])
    world.results.waiting.add("choice-token")
    world.proposals.open_proposal(proposal_id, "choice-token")
    world.withdrawal.withdraw(world.repository.get_young_person("y1").withdraw_link_id)
    assert ("choice-token", "PersonGone") in world.results.failed
    world.proposals.release(proposal_id, exclude=False, tell=False)  # what the match machine does next
    assert world.repository.get_volunteer("v1").stage is Stage.READY_FOR_MATCH
    assert world.mailer.to("v1@example.org") == []


def test_a_matched_young_person_who_leaves_is_recorded_and_their_consultant_told_within_the_hour(programme):
    programme.repository.create_person(
        young_person("y1", Stage.MATCHED, first_name="Sara", postcode="8000", record={"withdraw_link_id": None}),
        Event(at=programme.clock(), kind=EventKind.REFERRED),
    )
    link = programme.steps.new_link((YOUTH, "y1"), LinkKind.WITHDRAW, "kontakt@kommune.dk", timedelta(days=9), None)
    programme.repository.update(YOUTH, "y1", set={"withdraw_link_id": link.link_id})
    programme.withdrawal.withdraw(link.link_id)
    assert programme.repository.get_young_person("y1").withdrawal_requested
    assert programme.quiet.check()["leaving_told"] == 1
    assert programme.quiet.check()["leaving_told"] == 0  # once
    assert "vil gerne stoppe" in programme.mailer.to(CONSULTANT)[-1].subject


# --- nobody in progress is kept forever -----------------------------------------------------------


@pytest.fixture
def quiet_volunteer(programme):
    screened(programme)
    programme.results.waiting.add("pool-token")
    programme.journeys.await_match(VOLUNTEER, "a1", "pool-token")
    programme.clock.at += timedelta(days=181)
    return programme


@pytest.fixture(autouse=True)
def _applicant(programme):
    programme.repository.create_person(
        volunteer("a1", first_name="Mette", email="mette@example.org", postcode="8000"),
        Event(at=programme.clock(), kind=EventKind.APPLIED),
    )


def activity_link(world):
    return world.repository.get_volunteer("a1").activity_link_id


def test_someone_not_heard_from_for_inactivity_days_is_asked_about_through_their_consultant(quiet_volunteer):
    world = quiet_volunteer
    assert world.quiet.check()["activity_checks"] == 1
    assert world.quiet.check()["activity_checks"] == 0  # asked once
    link_id = activity_link(world)
    question = world.mailer.to(CONSULTANT)[-1]
    assert "stadig med" in question.subject and link_id in question.text
    assert EventKind.ACTIVITY_CHECK in kinds(world, "a1")


def test_they_carry_on_and_the_clock_starts_again(quiet_volunteer):
    world = quiet_volunteer
    world.quiet.check()
    link_id = activity_link(world)
    world.activity.answer(link_id, "continue")
    assert world.repository.get_volunteer("a1").still_active_at == world.clock()
    world.clock.at += timedelta(days=100)
    assert world.quiet.check()["activity_checks"] == 0
    assert world.results.failed == []
    with pytest.raises(DeadLink):  # the answer is given once
        world.activity.answer(link_id, "close")
    world.clock.at += timedelta(days=81)
    assert world.quiet.check()["activity_checks"] == 1  # 181 days after they said so: asked again


def test_they_stop_and_their_run_ends_with_a_kind_letter_and_six_months_retention(quiet_volunteer):
    world = quiet_volunteer
    world.quiet.check()
    world.activity.answer(activity_link(world), "close", "Har ikke længere tid")
    assert world.results.failed == [("pool-token", "Withdrawn")]
    world.journeys.finish(VOLUNTEER, "a1", Stage.WITHDRAWN, "execution volunteer-a1")
    letter = world.mailer.to("mette@example.org")[-1]
    assert letter.subject == "Dit forløb i BackUp er afsluttet" and "trukket" not in letter.text
    expiry = int((world.clock() + timedelta(days=183)).timestamp())
    assert set(world.repository.expiries(VOLUNTEER, "a1")) == {expiry}


def test_no_answer_within_thirty_days_closes_the_journey(quiet_volunteer):
    world = quiet_volunteer
    world.quiet.check()
    world.clock.at += timedelta(days=29)
    assert world.quiet.check()["closed_inactive"] == 0
    world.clock.at += timedelta(days=2)
    assert world.quiet.check()["closed_inactive"] == 1
    assert world.results.failed == [("pool-token", "Withdrawn")]
    assert world.repository.get_link(activity_link(world)).status is LinkStatus.INVALIDATED


def test_someone_active_recently_is_not_asked(programme):
    screened(programme)
    programme.clock.at += timedelta(days=100)
    assert programme.quiet.check()["activity_checks"] == 0


# --- access and portability -------------------------------------------------------------------------


@pytest.fixture
def matched_pair(programme):
    world = programme
    world.repository.create_person(
        cleared_volunteer("v1", world.clock(), **MARKERS), Event(at=world.clock(), kind=EventKind.APPLIED)
    )
    world.repository.create_person(
        confirmed_young_person(
            "y1", world.clock(), first_name="Sara", contact_adult_email="kontakt@kommune.dk", contact_adult_name="Lis"
        ),
        Event(at=world.clock(), kind=EventKind.REFERRED),
    )
    (proposal_id,) = world.proposals.propose([Plan("y1", Candidate("v1", 90.0, "Zorbalina og Sara: 4 km"))])
    world.results.waiting.add("choice-token")
    world.proposals.open_proposal(proposal_id, "choice-token")
    match = world.repository.get_proposal(proposal_id)
    world.decisions.decide(match.open_link_id, "chosen:v1", "Zorbalina Quixtrop passer godt til Sara", {})
    world.repository.add_event(
        YOUTH, "y1", Event(at=world.clock(), kind=EventKind.STEP_OPENED, notes="Sara vil gerne møde Zorbalina")
    )
    world.proposal_id = proposal_id
    return world


def test_the_export_holds_everything_about_them_and_no_secret(matched_pair):
    world = matched_pair
    exported = world.rights.export(VOLUNTEER, "v1", "ops@rodekors.example")
    text = json.dumps(exported)
    assert exported["record"]["details"]["email"] == MARKERS["email"]
    assert [p["named_as"] for p in exported["proposals"]] == ["chosen volunteer"]
    assert any(e["kind"] == "APPLIED" for e in exported["history"])
    assert "task_token" not in text and "choice-token" not in text and "match_token" not in text
    for link, _ in world.repository._links.values():
        assert link.link_id not in text  # a link's id opens its page: a secret too
    assert "Sara" not in json.dumps(exported["proposals"])  # the other person's data is not theirs
    assert EventKind.DATA_EXPORTED in kinds(world, "v1")


def test_the_export_lists_the_emails_sent_to_them_without_the_bodies(programme):
    programme.journeys.start(VOLUNTEER, "a1")
    exported = programme.rights.export(VOLUNTEER, "a1", "ops")
    (email,) = exported["emails"]
    assert email["to"] == "mette@example.org" and email["subject"] == "Tak for din ansøgning til BackUp"
    assert "text" not in email and "html" not in email


def test_there_is_nothing_to_export_for_someone_unknown(programme):
    with pytest.raises(NotFound):
        programme.rights.export(VOLUNTEER, "nobody", "ops")


# --- erasure ---------------------------------------------------------------------------------------


def test_after_an_erasure_nothing_stored_holds_any_of_their_values(matched_pair):
    world = matched_pair
    world.journeys.start(VOLUNTEER, "v1")  # their letters, their withdrawal link
    receipt = world.rights.erase(VOLUNTEER, "v1", "ops@rodekors.example")
    stored = everything_stored(world)
    for value in ["v1@", "Zorbalina", "Quixtrop", "+4512983476", "Markørvej", "Referencemarkør", "zorbalina"]:
        assert value.lower() not in stored.lower(), value
    assert '"v1"' not in stored
    with pytest.raises(NotFound):
        world.repository.get_volunteer("v1")
    # the young person's history and the proposal keep an anonymous id, and their own words
    match = world.repository.get_proposal(world.proposal_id)
    assert match.volunteer_id == receipt.anonymous_id
    notes = [e.notes for e in world.repository.history(YOUTH, "y1") if e.notes]
    assert notes == ["Sara vil gerne møde [slettet]"]
    assert receipt.by == "ops@rodekors.example" and receipt.deleted > 3 and receipt.scrubbed >= 2


def test_the_receipt_holds_no_personal_data(matched_pair):
    receipt = matched_pair.rights.erase(VOLUNTEER, "v1", "ops")
    assert set(receipt.model_dump()) == {"anonymous_id", "kind", "at", "by", "deleted", "scrubbed"}
    assert "v1" not in receipt.model_dump_json()


def test_an_erasure_ends_the_run_through_withdrawal_and_the_runs_last_task_records_nothing(programme):
    screened(programme)
    programme.results.waiting.add("pool-token")
    programme.journeys.await_match(VOLUNTEER, "a1", "pool-token")
    programme.rights.erase(VOLUNTEER, "a1", "ops")
    assert programme.results.failed == [("pool-token", "Withdrawn")]
    programme.journeys.finish(VOLUNTEER, "a1", Stage.WITHDRAWN, "execution volunteer-a1")  # nothing to do
    assert programme.journeys.is_gone(VOLUNTEER, "a1")
    with pytest.raises(NotFound):
        programme.repository.add_event(VOLUNTEER, "a1", Event(at=programme.clock(), kind=EventKind.REMINDER_SENT))


def test_an_erased_young_persons_open_proposal_returns_the_volunteer_to_the_pool(matched_pair):
    world = matched_pair
    world.rights.erase(YOUTH, "y1", "ops")
    assert not world.proposals.still_on(world.proposal_id)
    world.proposals.release(world.proposal_id, exclude=False, tell=False)
    assert world.repository.get_volunteer("v1").stage is Stage.READY_FOR_MATCH
    assert "kontakt@kommune.dk" not in everything_stored(world)
    assert "Sara" not in everything_stored(world)


def test_their_old_links_are_gone(programme):
    programme.journeys.start(VOLUNTEER, "a1")
    link_id = programme.repository.get_volunteer("a1").withdraw_link_id
    programme.rights.erase(VOLUNTEER, "a1", "ops")
    assert programme.repository.get_link(link_id) is None


def test_what_an_erasure_would_take_changes_nothing(matched_pair):
    before = everything_stored(matched_pair)
    preview = matched_pair.rights.what_goes(VOLUNTEER, "v1")
    assert preview["proposals_naming_them"] == 1 and preview["history_events"] >= 1
    assert everything_stored(matched_pair) == before


def test_the_party_of_a_proposal_link_decides_whose_it_is(matched_pair):
    # the proposal's choice link went to the consultant: it is about the proposal, not the volunteer
    links = matched_pair.rights._links_of(
        matched_pair.repository.get_volunteer("v1"), [matched_pair.repository.get_proposal(matched_pair.proposal_id)]
    )
    assert all(link.party in (None, Party.VOLUNTEER) and link.record_id == "v1" for link in links)


def test_the_export_holds_no_link_that_still_opens_a_page(programme):
    """An applicant with their export in hand while a step is open must not find the consultant's
    link in it (letters_sent names it as "step:<link id>")."""
    programme.results.waiting.add("t1")
    programme.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")
    open_link = programme.repository.get_volunteer("a1").open_link_id
    exported = json.dumps(programme.rights.export(VOLUNTEER, "a1", "ops"))
    assert open_link not in exported


def test_erasing_an_alternative_volunteer_leaves_the_chosen_volunteers_answer_link(programme):
    world = programme
    for volunteer_id in ("v1", "v2"):
        world.repository.create_person(
            cleared_volunteer(volunteer_id, world.clock(), email=f"{volunteer_id}@example.org"),
            Event(at=world.clock(), kind=EventKind.APPLIED),
        )
    world.repository.create_person(
        confirmed_young_person("y1", world.clock(), first_name="Sara"), Event(at=world.clock(), kind=EventKind.REFERRED)
    )
    (proposal_id,) = world.proposals.propose([Plan("y1", Candidate("v1", 90.0, "a"), (Candidate("v2", 80.0, "b"),))])
    world.results.waiting.add("answers-token")
    world.proposals.ask_both(proposal_id, "answers-token")
    answer_links = dict(world.repository.get_proposal(proposal_id).answer_links)
    world.rights.erase(VOLUNTEER, "v2", "ops")  # only an alternative in this proposal
    for link_id in answer_links.values():
        assert world.repository.get_link(link_id) is not None


def test_the_consultants_reason_for_choosing_nobody_stays_out_of_the_task_result(programme):
    world = programme
    world.repository.create_person(
        cleared_volunteer("v1", world.clock()), Event(at=world.clock(), kind=EventKind.APPLIED)
    )
    world.repository.create_person(
        confirmed_young_person("y1", world.clock(), first_name="Sara"), Event(at=world.clock(), kind=EventKind.REFERRED)
    )
    (proposal_id,) = world.proposals.propose([Plan("y1", Candidate("v1", 90.0, "a"))])
    world.results.waiting.add("choice-token")
    world.proposals.open_proposal(proposal_id, "choice-token")
    link_id = world.repository.get_proposal(proposal_id).open_link_id
    world.decisions.decide(link_id, "none", "", {"reason": "Sara har brug for en med tegnsprog"})
    assert world.results.resumed == [("choice-token", {"outcome": "none"})]  # into the execution history
