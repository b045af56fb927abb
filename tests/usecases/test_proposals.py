"""Proposals on the in-memory adapters: nobody is ever in two open proposals, however many matching
runs overlap; the consultant's steps remind like screening steps; the two answers share one wait."""

import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from backup.adapters.ses import SesThrottled
from backup.domain.errors import PersonGone
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import DeadLink, LinkKind, LinkStatus
from backup.domain.proposals import Candidate
from backup.domain.proposals import Proposal as Plan
from backup.domain.stages import Stage
from tests.factories import cleared_volunteer, confirmed_young_person

from .conftest import Programme, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions" / "matching"))
from pool import run_matching  # noqa: E402

VOLUNTEER, YOUTH, MATCH = RecordKind.VOLUNTEER, RecordKind.YOUTH, RecordKind.MATCH
CONSULTANT, OPS = "k@rodekors.example", "o@rodekors.example"


@pytest.fixture
def pool():
    world = Programme(settings(consultant_email=CONSULTANT, ops_email=OPS, reminder_delay_seconds=60))
    postcodes = ["8000", "8200", "8210", "8220", "8230", "8240", "8250", "8260"]
    at = world.clock()
    for index, postcode in enumerate(postcodes):
        world.repository.create_person(
            cleared_volunteer(
                f"v{index}",
                at,
                first_name=f"v{index}",
                email=f"v{index}@example.org",
                postcode=postcode,
                interests=["football"],
                availability="weekly",
                birth_date="1980-01-01",
            ),
            Event(at=at, kind=EventKind.APPLIED),
        )
    for index, postcode in enumerate(postcodes[:6]):
        world.repository.create_person(
            confirmed_young_person(
                f"y{index}",
                at,
                first_name=f"y{index}",
                postcode=postcode,
                interests=["football"],
                availability="weekly",
                birth_date="2008-01-01",
                wishes="",
                contact_adult_email="k@example.org",
                contact_adult_name="K",
            ),
            Event(at=at, kind=EventKind.REFERRED),
        )
    return world


def started(world):
    return [record_id for record_id, _, _ in world.executions.started]


def _claimed(world):
    people = world.repository.get_people(VOLUNTEER, [f"v{i}" for i in range(8)]) + world.repository.get_people(
        YOUTH, [f"y{i}" for i in range(6)]
    )
    return {p.id: p.proposal_id for p in people}


def kinds(world, record_id, kind=MATCH):
    return [e.kind.value for e in world.repository.history(kind, record_id)]


def test_a_run_proposes_each_waiting_young_person_once_with_a_free_volunteer(pool):
    result = run_matching(pool.repository, pool.proposals, pool.clock(), 40)
    assert result == {"young_waiting": 6, "volunteers_ready": 8, "proposed": 6, "without_candidates": 0}
    claimed = _claimed(pool)
    assert all(claimed[f"y{i}"] for i in range(6))
    volunteer_proposals = [claimed[f"v{i}"] for i in range(8) if claimed[f"v{i}"]]
    assert sorted(volunteer_proposals) == sorted(started(pool))
    proposal_id, execution_input, run = pool.executions.started[0]
    assert execution_input == {"proposal_id": proposal_id, "remind_after_seconds": 60} and run == 1


def test_overlapping_runs_never_put_anyone_in_two_proposals(pool):
    crashed = []

    def run():
        try:
            run_matching(pool.repository, pool.proposals, pool.clock(), 40)
        except Exception as error:  # a run that crashed proves nothing about the others
            crashed.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    assert len(started(pool)) == 6  # four runs, six young people: six proposals in all
    proposals = [p for p in _claimed(pool).values() if p]
    # each proposal holds exactly one young person and one volunteer
    assert sorted(proposals) == sorted(started(pool) * 2)


def test_a_second_proposal_for_a_claimed_person_is_refused(pool):
    first = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "tæt på"))])
    second = pool.proposals.propose(
        [Plan("y1", Candidate("v0", 80.0, "tæt på")), Plan("y0", Candidate("v1", 80.0, "tæt på"))]
    )
    assert len(first) == 1 and second == []
    assert pool.repository.get_young_person("y1").stage is Stage.WAITING_FOR_MATCH


def test_a_proposal_whose_run_cannot_start_lets_both_people_go(pool, monkeypatch):
    def refused(*args, **kwargs):
        raise RuntimeError("ThrottlingException")

    monkeypatch.setattr(pool.executions, "start", refused)
    with pytest.raises(RuntimeError):
        pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    assert pool.repository.get_young_person("y0").proposal_id is None
    assert pool.repository.get_volunteer("v0").stage is Stage.READY_FOR_MATCH


def test_choosing_an_alternative_claims_it_and_frees_the_first_choice(pool):
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    assert pool.proposals.choose(proposal_id, "v1") is True
    assert pool.repository.get_volunteer("v1").proposal_id == proposal_id
    assert pool.repository.get_volunteer("v0").proposal_id is None
    assert pool.repository.get_volunteer("v0").stage is Stage.READY_FOR_MATCH


def test_an_alternative_taken_meanwhile_cannot_be_chosen(pool):
    (first,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    pool.proposals.propose([Plan("y1", Candidate("v1", 85.0, "c"))])
    assert pool.proposals.choose(first, "v1") is False
    assert pool.repository.get_volunteer("v0").proposal_id == first


def test_after_a_no_the_pair_is_excluded_and_never_proposed_again(pool):
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    pool.proposals.release(proposal_id, exclude=True, tell=False)
    youth = pool.repository.get_young_person("y0")
    assert youth.stage is Stage.WAITING_FOR_MATCH and youth.excluded_volunteers == ("v0",)
    assert pool.repository.get_proposal(proposal_id).stage is Stage.CLOSED
    run_matching(pool.repository, pool.proposals, pool.clock(), 40)
    again = pool.repository.get_proposal(pool.repository.get_young_person("y0").proposal_id)
    assert again.volunteer_id != "v0"


def test_a_proposal_that_did_not_become_a_match_is_deleted_about_six_months_after(pool):
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    pool.proposals.release(proposal_id, exclude=True, tell=False)
    expiries = pool.repository.expiries(MATCH, proposal_id)
    expiry = int((pool.clock() + timedelta(days=183)).timestamp())
    assert len(expiries) >= 3  # the proposal, its PROPOSED and CLOSED events
    assert set(expiries) == {expiry}
    # the two people are back in the pool: their data stays
    assert pool.repository.get_young_person("y0").expires_at is None


def test_a_release_retried_after_a_crash_still_lets_the_proposal_expire(pool, monkeypatch):
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    real_expire = pool.repository.expire_trail
    monkeypatch.setattr(pool.repository, "expire_trail", lambda *args: (_ for _ in ()).throw(RuntimeError("throttled")))
    with pytest.raises(RuntimeError):
        pool.proposals.release(proposal_id, exclude=False, tell=False)
    assert pool.repository.get_proposal(proposal_id).stage is Stage.CLOSED  # the crash came after closing
    monkeypatch.setattr(pool.repository, "expire_trail", real_expire)
    pool.proposals.release(proposal_id, exclude=False, tell=False)  # Step Functions retries the task
    assert None not in pool.repository.expiries(MATCH, proposal_id)


# --- the consultant's steps remind, like screening steps -------------------------------------------


@pytest.fixture
def consultant(pool):
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    pool.results.waiting.add("t1")
    pool.proposals.open_proposal(proposal_id, "t1")
    return pool, proposal_id


def _link(world, proposal_id):
    return world.repository.get_link(world.repository.get_proposal(proposal_id).open_link_id)


def test_a_consultant_who_has_not_chosen_is_reminded_with_the_same_link_then_ops_are_told_once(consultant):
    world, proposal_id = consultant
    first_link = _link(world, proposal_id).link_id
    waits_for = []
    for token in ("t2", "t3", "t4"):  # each reminder period: remind, then the step waits again
        reminded = world.proposals.remind(proposal_id)
        assert reminded.expired is False
        waits_for.append(reminded.seconds)
        world.results.waiting.add(token)
        world.proposals.open_proposal(proposal_id, token)
        assert _link(world, proposal_id).task_token == token
    assert _link(world, proposal_id).link_id == first_link  # one link all along
    # a reminder period (60 s here) until ops are told, then the rest of the link's life in one wait
    assert waits_for[:2] == [60, 60] and waits_for[2] > 59 * 86400
    to_consultant = world.mailer.to(CONSULTANT)
    requests, reminders = to_consultant[:1], to_consultant[1:]
    assert len(requests) == 1 and len(reminders) == 2
    assert all(first_link in m.text for m in reminders)
    escalations = world.mailer.to(OPS)
    assert len(escalations) == 1 and "backup-ops show" in escalations[0].text
    history = kinds(world, proposal_id)
    assert history.count("REMINDER_SENT") == 2 and history.count("ESCALATED") == 1


def test_a_choice_made_while_the_wait_was_between_tokens_is_delivered_when_it_waits_again(consultant):
    world, proposal_id = consultant
    link = _link(world, proposal_id)
    world.results.waiting.discard(link.task_token)  # the wait timed out for a reminder
    world.decisions.decide(link.link_id, "chosen:v1")  # the consultant sees it accepted
    assert world.proposals.remind(proposal_id).expired is False
    world.results.waiting.add("t2")
    world.proposals.open_proposal(proposal_id, "t2")
    assert world.results.resumed == [("t2", {"outcome": "chosen", "volunteer_id": "v1"})]
    assert "DECISION_UNDELIVERED" not in kinds(world, proposal_id)


def test_a_proposal_nobody_chooses_expires_when_its_link_does(consultant):
    world, proposal_id = consultant
    link = _link(world, proposal_id)
    world.clock.at = link.expires_at + timedelta(seconds=1)
    assert world.proposals.remind(proposal_id).expired is True
    assert world.repository.get_link(link.link_id).status is LinkStatus.INVALIDATED


def test_choosing_again_after_the_alternative_was_taken_gets_a_fresh_link(consultant):
    world, proposal_id = consultant
    first = _link(world, proposal_id)
    world.decisions.decide(first.link_id, "chosen:v1")
    world.repository.update(VOLUNTEER, "v1", set={"proposal_id": "someone-else"})  # taken meanwhile
    assert world.proposals.choose(proposal_id, "v1") is False
    world.results.waiting.add("t2")
    world.proposals.open_proposal(proposal_id, "t2")
    fresh = _link(world, proposal_id)
    assert fresh.link_id != first.link_id and fresh.status is LinkStatus.OPEN
    assert world.results.resumed == [(first.task_token, {"outcome": "chosen", "volunteer_id": "v1"})]  # not on t2
    assert len(world.mailer.to(CONSULTANT)) == 2


def test_someone_who_withdrew_between_two_waits_ends_the_proposal(consultant):
    world, proposal_id = consultant
    world.repository.update(VOLUNTEER, "v0", set={"withdrawal_requested": True})  # asked, not yet recorded
    with pytest.raises(PersonGone):
        world.proposals.remind(proposal_id)  # no reminder about someone who left
    with pytest.raises(PersonGone):
        world.proposals.open_proposal(proposal_id, "t2")
    assert len(world.mailer.to(CONSULTANT)) == 1  # the request, and nothing after


def test_a_step_retried_after_ses_throttled_its_request_still_asks_the_consultant_once(pool):
    from .test_journeys import throttle_once

    sent = throttle_once(pool)
    (proposal_id,) = pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    with pytest.raises(SesThrottled):
        pool.proposals.open_proposal(proposal_id, "t1")
    pool.proposals.open_proposal(proposal_id, "t1")  # Step Functions retries the task
    pool.proposals.open_proposal(proposal_id, "t2")  # and later waits again after a reminder
    requests = sent.to(CONSULTANT)
    assert len(requests) == 1 and "fundet en frivillig" in requests[0].text


# --- the introduction: held, moved to a new date, or not going to happen ---------------------------


@pytest.fixture
def introducing(consultant):
    """The consultant chose v0; the introduction's step waits on its link (wait t2)."""
    world, proposal_id = consultant
    world.decisions.decide(_link(world, proposal_id).link_id, "chosen:v0")
    assert world.proposals.choose(proposal_id, "v0") is True
    world.results.waiting.add("t2")
    world.proposals.open_intro(proposal_id, "t2")
    return world, proposal_id


def test_a_meeting_moved_to_a_new_date_gets_a_new_link_and_nobody_leaves_the_proposal(introducing):
    world, proposal_id = introducing
    first = _link(world, proposal_id)
    world.decisions.decide(first.link_id, "rescheduled", "Sygdom", {"new_date": "2026-12-20"})
    assert world.proposals.confirm_step(proposal_id, LinkKind.INTRO, {}, "test") == ("rescheduled", None)
    world.results.waiting.add("t3")
    world.proposals.open_intro(proposal_id, "t3")  # the run is back at the introduction
    second = _link(world, proposal_id)
    assert second.link_id != first.link_id and second.is_open and second.kind is LinkKind.INTRO
    assert world.repository.get_link(first.link_id).is_used  # the old link says what it recorded
    world.proposals.open_intro(proposal_id, "t4")  # a retried task waits on the new link, no third one
    assert _link(world, proposal_id).link_id == second.link_id
    for person in (world.repository.get_young_person("y0"), world.repository.get_volunteer("v0")):
        assert person.stage is Stage.INTRO_MEETING and person.proposal_id == proposal_id
    assert "INTRO_NOT_HELD" in kinds(world, proposal_id)
    # the meeting then held on the new date: both are asked as usual
    world.decisions.decide(second.link_id, "held", "", {"intro_date": "2026-11-20"})
    assert world.proposals.confirm_step(proposal_id, LinkKind.INTRO, {}, "test") == ("held", None)


def test_a_meeting_that_will_not_happen_sends_both_back_alike_and_keeps_the_pair_apart(introducing):
    world, proposal_id = introducing
    world.decisions.decide(_link(world, proposal_id).link_id, "ended", "", {"reason": "Den unge er flyttet"})
    assert world.proposals.confirm_step(proposal_id, LinkKind.INTRO, {}, "test") == ("ended", None)
    world.proposals.release(proposal_id, exclude=True, tell=True)  # what the machine does next
    letters = [m for m in world.emails if m.subject == "Om jeres match i BackUp"]
    assert len(letters) == 2 and len({m.text.split("\n", 1)[1] for m in letters}) == 1  # the same words
    assert "bliver ikke til noget" in letters[0].text and "Tak for introduktionsmødet" not in letters[0].text
    assert "flyttet" not in letters[0].text + letters[1].text  # the reason is internal
    youth = world.repository.get_young_person("y0")
    assert youth.stage is Stage.WAITING_FOR_MATCH and youth.excluded_volunteers == ("v0",)
    assert world.repository.get_volunteer("v0").stage is Stage.READY_FOR_MATCH


def test_a_forged_rescheduled_or_ended_without_the_link_is_refused_and_alarmed(introducing):
    world, proposal_id = introducing
    for claimed in ({"outcome": "rescheduled"}, {"outcome": "ended"}):
        assert world.proposals.confirm_step(proposal_id, LinkKind.INTRO, claimed, "a replayed token") == (
            "forged",
            None,
        )
    assert _link(world, proposal_id).is_open  # the step still waits on its link
    assert len([e for e in world.repository.history(MATCH, proposal_id) if e.kind is EventKind.SAFEGUARDING_ALARM]) == 2


# --- after the introduction: the two answers -----------------------------------------------------


@pytest.fixture
def asked(introducing):
    """The consultant chose v0 and recorded the meeting; both have been asked (wait t3)."""
    world, proposal_id = introducing
    intro = _link(world, proposal_id)
    world.decisions.decide(intro.link_id, "held", "", {"intro_date": "2026-11-20"})
    world.results.waiting.add("t3")
    world.proposals.ask_both(proposal_id, "t3")
    answer_links = world.repository.get_proposal(proposal_id).answer_links
    return world, proposal_id, {party: world.repository.get_link(link_id) for party, link_id in answer_links.items()}


def nudges(world):
    return [m for m in world.mailer.to(CONSULTANT) if "mangler stadig svar" in m.text]


def test_the_introduction_moves_all_three_on_together(asked):
    world, proposal_id, links = asked
    for person in (world.repository.get_young_person("y0"), world.repository.get_volunteer("v0")):
        assert person.stage is Stage.INTRO_MEETING and person.proposal_id == proposal_id
    assert world.repository.get_proposal(proposal_id).stage is Stage.INTRO_MEETING
    assert links[Party.YOUTH].sent_to == "k@example.org"  # no email of their own: their contact adult


def test_when_one_has_not_answered_the_consultant_is_told_once_who(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "yes")
    nudged = world.proposals.nudge(proposal_id)
    assert nudged.expired is False and nudged.seconds > 59 * 86400  # then wait out the links
    told = nudges(world)
    assert len(told) == 1 and "den frivillige" in told[0].text and "den unge" not in told[0].text
    world.results.waiting.discard("t3")  # the wait timed out for the nudge and now waits again
    world.results.waiting.add("t4")
    world.proposals.ask_both(proposal_id, "t4")
    assert world.proposals.nudge(proposal_id).expired is False
    assert len(nudges(world)) == 1
    assert len(world.mailer.to("v0@example.org")) == 1  # the volunteer was asked once, not again on waiting again
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "yes")
    assert world.results.resumed[-1] == ("t4", {"outcome": "both_yes"})


def test_answers_given_while_no_wait_was_open_are_delivered_when_the_answers_wait_again(asked):
    world, proposal_id, links = asked
    world.results.waiting.discard("t3")  # timed out for the nudge
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "no")  # accepted, not lost
    world.decisions.decide(links[Party.YOUTH].link_id, "yes")
    assert world.proposals.nudge(proposal_id).seconds == 1
    world.results.waiting.add("t4")
    world.proposals.ask_both(proposal_id, "t4")
    assert world.results.resumed[-1] == ("t4", {"outcome": "declined"})
    assert "DECISION_UNDELIVERED" not in kinds(world, proposal_id)


def test_answers_nobody_gives_expire_with_their_links(asked):
    world, proposal_id, links = asked
    world.clock.at = links[Party.YOUTH].expires_at + timedelta(seconds=1)
    assert world.proposals.nudge(proposal_id).expired is True
    assert world.repository.get_link(links[Party.YOUTH].link_id).status is LinkStatus.INVALIDATED


def test_answers_being_recorded_while_the_wait_comes_back_are_delivered_from_the_links(asked):
    """Both links were used, but the answer that completes the pair has not written the outcome yet."""
    world, proposal_id, links = asked
    world.results.waiting.discard("t3")
    for party in (Party.YOUTH, Party.VOLUNTEER):
        world.repository.use_link_once(
            links[party],
            "yes",
            party.value,
            world.clock(),
            Event(at=world.clock(), kind=EventKind.CONTINUE_ANSWERED, by=party.value),
        )
    assert world.proposals.nudge(proposal_id).seconds == 1  # no nudge: both have answered
    world.results.waiting.add("t4")
    world.proposals.ask_both(proposal_id, "t4")
    assert world.results.resumed[-1] == ("t4", {"outcome": "both_yes"})
    assert world.repository.get_proposal(proposal_id).outcome == "both_yes"
    assert not nudges(world)


def test_a_nudge_throttled_by_ses_is_sent_once_when_the_task_is_retried(asked, monkeypatch):
    world, proposal_id, links = asked
    real_send = world.mailer.send
    calls = []

    def throttled_once(email, tags=None):
        calls.append(email)
        if len(calls) == 1:
            raise SesThrottled("slow down")
        return real_send(email, tags)

    monkeypatch.setattr(world.mailer, "send", throttled_once)
    with pytest.raises(SesThrottled):
        world.proposals.nudge(proposal_id)
    world.proposals.nudge(proposal_id)  # Step Functions retries the task
    world.proposals.nudge(proposal_id)  # and the next round sends nothing more
    told = nudges(world)
    # this young person has no email of their own: their question went to the contact adult
    assert (
        len(told) == 1
        and "fra den unge (spørgsmålet gik til den unges kontaktperson) og den frivillige" in told[0].text
    )
    assert "snak med dem" in told[0].text
    assert kinds(world, proposal_id).count("REMINDER_SENT") == 1


def test_both_yes_matches_both_tells_everyone_and_ends_their_pool_waits(asked):
    world, proposal_id, links = asked
    for person_kind, person_id, token in ((YOUTH, "y0", "yt"), (VOLUNTEER, "v0", "vt")):
        world.results.waiting.add(token)
        world.repository.update(person_kind, person_id, set={"match_token": token})
    for party in (Party.YOUTH, Party.VOLUNTEER):
        world.decisions.decide(links[party].link_id, "yes")
    assert world.proposals.confirm_step(proposal_id, LinkKind.CONTINUE, {}, "test") == ("both_yes", None)
    world.proposals.matched(proposal_id)
    world.proposals.matched(proposal_id)  # a retried task sends nothing twice
    assert world.repository.get_young_person("y0").stage is Stage.MATCHED
    assert world.repository.get_volunteer("v0").stage is Stage.MATCHED
    assert sorted(token for token, _ in world.results.resumed[-2:]) == ["vt", "yt"]
    assert len([m for m in world.emails if m.subject == "I er matchet i BackUp"]) == 2
    assert len([m for m in world.emails if "er matchet med en frivillig" in m.subject]) == 1


def test_a_no_returns_both_to_the_pool_and_tells_both_without_saying_who(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "no")
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "yes")
    assert world.results.resumed[-1] == ("t3", {"outcome": "declined"})
    world.proposals.release(proposal_id, exclude=True, tell=True)
    assert world.repository.get_young_person("y0").stage is Stage.WAITING_FOR_MATCH
    assert world.repository.get_volunteer("v0").stage is Stage.READY_FOR_MATCH
    letters = [m for m in world.emails if m.subject == "Om jeres match i BackUp"]
    assert sorted(m.to for m in letters) == ["k@example.org", "v0@example.org"]
    # the same words to both, but for their name: nothing says who said no
    assert len({m.text.replace("y0", "NAME").replace("v0", "NAME") for m in letters}) == 1
    assert all(world.repository.get_link(link.link_id).status is not LinkStatus.OPEN for link in links.values())


def test_after_the_young_persons_no_the_volunteer_can_tell_nothing_until_they_have_answered_too(asked):
    """The promise that nobody learns who said no: a link closed at once, or a letter arriving
    before they answered, would tell the volunteer it was the young person."""
    world, proposal_id, links = asked
    letters_before = len(world.emails)
    world.decisions.decide(links[Party.YOUTH].link_id, "no")
    volunteer_link = world.repository.get_link(links[Party.VOLUNTEER].link_id)
    assert volunteer_link.status is LinkStatus.OPEN  # their page still asks them, as before
    assert ("t3", {"outcome": "declined"}) not in world.results.resumed  # the run goes on waiting
    assert len(world.emails) == letters_before  # nobody is written to yet
    assert world.proposals.nudge(proposal_id).expired is False  # and the wait is not cut short
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "yes")
    assert world.results.resumed[-1] == ("t3", {"outcome": "declined"})


def test_a_no_the_other_never_answers_still_keeps_the_pair_apart_and_tells_both_alike(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "no")
    world.clock.at = links[Party.YOUTH].expires_at + timedelta(seconds=1)
    assert world.proposals.nudge(proposal_id).expired is True
    # the definition's "Proposal expired" asks for neither exclusion nor letters: the recorded no decides
    world.proposals.release(proposal_id, exclude=False, tell=False)
    assert "v0" in world.repository.get_young_person("y0").excluded_volunteers
    letters = [m for m in world.emails if m.subject == "Om jeres match i BackUp"]
    assert sorted(m.to for m in letters) == ["k@example.org", "v0@example.org"]
    assert len({m.text.replace("y0", "NAME").replace("v0", "NAME") for m in letters}) == 1


def test_after_one_no_the_other_leaving_is_not_written_to_about_the_match_they_left(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "no")
    world.repository.update(VOLUNTEER, "v0", set={"withdrawal_requested": True})  # the volunteer leaves
    letters_before = len(world.emails)
    world.proposals.release(proposal_id, exclude=False, tell=False)  # the machine's "someone left" branch
    assert not [m for m in world.emails[letters_before:] if m.subject == "Om jeres match i BackUp"]
    assert "v0" not in world.repository.get_young_person("y0").excluded_volunteers


def test_links_that_run_out_with_nobody_saying_no_keep_the_pair_possible_and_write_to_nobody(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "yes")
    world.clock.at = links[Party.YOUTH].expires_at + timedelta(seconds=1)
    assert world.proposals.nudge(proposal_id).expired is True
    world.proposals.release(proposal_id, exclude=False, tell=False)
    assert "v0" not in world.repository.get_young_person("y0").excluded_volunteers
    assert not [m for m in world.emails if m.subject == "Om jeres match i BackUp"]


def test_the_young_person_reopening_their_answer_link_never_sees_a_staff_address(asked):
    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "no")
    world.decisions.decide(links[Party.VOLUNTEER].link_id, "yes")
    world.proposals.release(proposal_id, exclude=True, tell=True)
    for party in (Party.YOUTH, Party.VOLUNTEER):  # each reopening the link they answered on
        with pytest.raises(DeadLink) as dead:
            world.decisions.open(links[party].link_id)
        said = f"{dead.value.title} {dead.value.message}"
        assert "@" not in said, party
        assert "konsulent" in said and "kontakter dig" in said, party  # what happens next


# --- the attacks: nobody is matched, introduced or chosen on a task result alone -------------------


def alarms(world, record_id, kind=MATCH):
    return [e for e in world.repository.history(kind, record_id) if e.kind is EventKind.SAFEGUARDING_ALARM]


def test_a_forged_both_yes_matches_nobody_and_raises_the_alarm(asked):
    from backup.domain.transitions import TransitionRefused

    world, proposal_id, links = asked
    world.decisions.decide(links[Party.YOUTH].link_id, "yes")  # only one has said yes
    claimed = {"outcome": "both_yes"}  # what a replayed token could send
    assert world.proposals.confirm_step(proposal_id, LinkKind.CONTINUE, claimed, "execution match-x") == (
        "forged",
        None,
    )
    with pytest.raises(TransitionRefused):
        world.proposals.matched(proposal_id, "a direct invoke")
    assert world.repository.get_young_person("y0").stage is Stage.INTRO_MEETING
    assert world.repository.get_volunteer("v0").stage is Stage.INTRO_MEETING
    assert len(alarms(world, proposal_id)) == 2
    assert [m for m in world.mailer.to(OPS) if m.subject.startswith("Sikkerhedsalarm")]
    assert ("SafeguardingAlarm", None) in world.metrics.counts


def test_a_forged_choice_claims_no_volunteer(consultant):
    world, proposal_id = consultant  # the consultant has not chosen yet
    claimed = {"outcome": "chosen", "volunteer_id": "v7"}
    assert world.proposals.confirm_step(proposal_id, LinkKind.PROPOSAL, claimed, "test") == ("forged", None)
    assert world.repository.get_volunteer("v7").proposal_id is None
    assert alarms(world, proposal_id)[0].details["claimed"] == "outcome=chosen, volunteer_id=v7"


def test_the_choice_is_the_one_on_the_consultants_link(consultant):
    world, proposal_id = consultant
    world.decisions.decide(_link(world, proposal_id).link_id, "chosen:v1")
    assert world.proposals.confirm_step(proposal_id, LinkKind.PROPOSAL, {"volunteer_id": "v7"}, "test") == (
        "chosen",
        "v1",
    )


def test_a_volunteer_whose_certificate_ran_out_or_who_is_suspended_is_never_proposed(pool):
    from datetime import date

    from backup.domain.records import Suspension

    pool.repository.update(VOLUNTEER, "v0", set={"cleared_until": date(2026, 11, 26)})  # runs out today
    pool.repository.update(
        VOLUNTEER, "v1", set={"suspended": Suspension(reason="bekymring", at=pool.clock(), by="k@x.dk")}
    )
    run_matching(pool.repository, pool.proposals, pool.clock(), 40)
    assert pool.repository.get_volunteer("v0").proposal_id is None
    assert pool.repository.get_volunteer("v1").proposal_id is None
    assert sum(1 for p in _claimed(pool).values() if p) == 12  # the other six volunteers, six young people


def test_a_certificate_that_runs_out_between_the_plan_and_the_claim_stops_the_claim(pool, monkeypatch):
    """The claim is conditional on the evidence, not only the plan: checked again inside the write."""
    from backup.domain.records import Suspension
    from backup.usecases.ports import Change

    original_change = pool.repository.change_together

    def suspended_meanwhile(changes, **kwargs):  # after the plan read v0 as cleared, before the claim
        suspension = Suspension(reason="bekymring", at=pool.clock(), by="k@x.dk")
        original_change([Change(VOLUNTEER, "v0", {"suspended": suspension})])
        return original_change(changes, **kwargs)

    monkeypatch.setattr(pool.repository, "change_together", suspended_meanwhile)
    assert pool.proposals.propose([Plan("y0", Candidate("v0", 90.0, "a"))]) == []
    assert pool.repository.get_volunteer("v0").proposal_id is None
    assert pool.repository.get_young_person("y0").proposal_id is None


def test_a_suspended_volunteer_goes_no_further_in_a_proposal(asked):
    from backup.domain.records import Suspension
    from backup.domain.transitions import TransitionRefused

    world, proposal_id, links = asked
    world.repository.update(
        VOLUNTEER, "v0", set={"suspended": Suspension(reason="bekymring", at=world.clock(), by="k@x.dk")}
    )
    for party in (Party.YOUTH, Party.VOLUNTEER):
        world.decisions.decide(links[party].link_id, "yes")
    with pytest.raises(TransitionRefused):
        world.proposals.matched(proposal_id)
    assert world.repository.get_volunteer("v0").stage is Stage.INTRO_MEETING
