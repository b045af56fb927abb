"""Proposals on moto: nobody is ever in two open proposals, however many matching runs overlap."""

import sys
import threading
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from backup.history import Event, EventKind
from backup.matchmaking import Matchmaking
from backup.proposals import Candidate
from backup.proposals import Proposal as Plan
from backup.repository import VOLUNTEER, YOUTH, Repository
from backup.screening import Settings
from backup.stages import Stage

from .conftest import Clock, RecordingEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions" / "matching"))
from pool import run_matching  # noqa: E402


class StartedMatches:
    def __init__(self):
        self.started = []
        self.lock = threading.Lock()

    def start(self, proposal_id, settings=None):
        with self.lock:
            self.started.append(proposal_id)


def _volunteer(repository, clock, person_id, postcode):
    repository.create_person(person_id, {"first_name": person_id, "email": f"{person_id}@example.org",
                                         "postcode": postcode, "interests": ["football"], "availability": "weekly",
                                         "birth_date": "1980-01-01"},
                             Event(at=clock(), kind=EventKind.APPLIED), VOLUNTEER, Stage.READY_FOR_MATCH)


def _youth(repository, clock, person_id, postcode):
    repository.create_person(person_id, {"first_name": person_id, "postcode": postcode, "interests": ["football"],
                                         "availability": "weekly", "birth_date": "2008-01-01", "wishes": "",
                                         "preferences": {}, "contact_adult_email": "k@example.org",
                                         "contact_adult_name": "K"},
                             Event(at=clock(), kind=EventKind.REFERRED), YOUTH, Stage.WAITING_FOR_MATCH)


@pytest.fixture
def pool(table, ses):
    clock = Clock()
    repository = Repository(table, boto3.resource("dynamodb"))
    started = StartedMatches()
    settings = Settings(base_url="https://backup.example", consultant_email="k@rodekors.example",
                        ops_email="o@rodekors.example", max_reminders=2, reminder_delay_seconds=60)
    matchmaking = Matchmaking(repository, None, None, started, settings, clock)
    postcodes = ["8000", "8200", "8210", "8220", "8230", "8240", "8250", "8260"]
    for index, postcode in enumerate(postcodes):
        _volunteer(repository, clock, f"v{index}", postcode)
    for index, postcode in enumerate(postcodes[:6]):
        _youth(repository, clock, f"y{index}", postcode)
    return repository, matchmaking, started, clock


def _claimed(repository):
    people = repository.get_people([f"v{i}" for i in range(8)], VOLUNTEER) + \
        repository.get_people([f"y{i}" for i in range(6)], YOUTH)
    return {p["application_id"]: p.get("proposal_id") for p in people}


def test_a_run_proposes_each_waiting_young_person_once_with_a_free_volunteer(pool):
    repository, matchmaking, started, clock = pool
    result = run_matching(repository, matchmaking, clock(), 40)
    assert result == {"young_waiting": 6, "volunteers_ready": 8, "proposed": 6, "without_candidates": 0}
    claimed = _claimed(repository)
    assert all(claimed[f"y{i}"] for i in range(6))
    volunteer_proposals = [claimed[f"v{i}"] for i in range(8) if claimed[f"v{i}"]]
    assert sorted(volunteer_proposals) == sorted(started.started)


def test_overlapping_runs_never_put_anyone_in_two_proposals(pool):
    repository, matchmaking, started, clock = pool
    crashed = []

    def run():
        try:
            run_matching(repository, matchmaking, clock(), 40)
        except Exception as error:  # a run that crashed proves nothing about the others
            crashed.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    claimed = _claimed(repository)
    assert len(started.started) == 6  # four runs, six young people: six proposals in all
    proposals = [p for p in claimed.values() if p]
    # each proposal holds exactly one young person and one volunteer
    assert sorted(proposals) == sorted(started.started * 2)


def test_a_second_proposal_for_a_claimed_person_is_refused(pool):
    repository, matchmaking, started, clock = pool
    first = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "tæt på"))])
    second = matchmaking.propose([Plan("y1", Candidate("v0", 80.0, "tæt på")),
                                  Plan("y0", Candidate("v1", 80.0, "tæt på"))])
    assert len(first) == 1 and second == []
    assert repository.get_person("y1", YOUTH)["stage"] == "WAITING_FOR_MATCH"


def test_choosing_an_alternative_claims_it_and_frees_the_first_choice(pool):
    repository, matchmaking, started, clock = pool
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    assert matchmaking.choose(proposal_id, "v1") == {"ok": True}
    assert repository.get_person("v1", VOLUNTEER)["proposal_id"] == proposal_id
    assert "proposal_id" not in repository.get_person("v0", VOLUNTEER)
    assert repository.get_person("v0", VOLUNTEER)["stage"] == "READY_FOR_MATCH"


def test_an_alternative_taken_meanwhile_cannot_be_chosen(pool):
    repository, matchmaking, started, clock = pool
    (first,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    matchmaking.propose([Plan("y1", Candidate("v1", 85.0, "c"))])
    assert matchmaking.choose(first, "v1") == {"ok": False}
    assert repository.get_person("v0", VOLUNTEER)["proposal_id"] == first


def test_after_a_no_the_pair_is_excluded_and_never_proposed_again(pool):
    repository, matchmaking, started, clock = pool
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    matchmaking.release(proposal_id, exclude=True, tell=False)
    youth = repository.get_person("y0", YOUTH)
    assert youth["stage"] == "WAITING_FOR_MATCH" and youth["excluded_volunteers"] == ["v0"]
    assert repository.get_person(proposal_id, "MATCH")["stage"] == "CLOSED"
    run_matching(repository, matchmaking, clock(), 40)
    again = repository.get_person(repository.get_person("y0", YOUTH)["proposal_id"], "MATCH")
    assert again["details"]["volunteer_id"] != "v0"


def test_a_closed_proposal_and_its_history_are_deleted_after_the_retention_period(pool, table):
    repository, matchmaking, started, clock = pool
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    matchmaking.release(proposal_id, exclude=True, tell=False)
    items = boto3.resource("dynamodb").Table(table).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"MATCH#{proposal_id}"})["Items"]
    expiry = int((clock() + timedelta(days=1825)).timestamp())
    assert len(items) >= 3  # the proposal, its PROPOSED and CLOSED events
    assert {int(item["expires_at"]) for item in items} == {expiry}
    # the two people are back in the pool: their data stays
    assert "expires_at" not in repository.get_person("y0", YOUTH)


def test_a_release_retried_after_a_crash_still_lets_the_proposal_expire(pool, table, monkeypatch):
    repository, matchmaking, started, clock = pool
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    real_expire = repository.expire_trail
    monkeypatch.setattr(repository, "expire_trail", lambda *args: (_ for _ in ()).throw(RuntimeError("throttled")))
    with pytest.raises(RuntimeError):
        matchmaking.release(proposal_id, exclude=False, tell=False)
    assert repository.get_person(proposal_id, "MATCH")["stage"] == "CLOSED"  # the crash came after closing
    monkeypatch.setattr(repository, "expire_trail", real_expire)
    matchmaking.release(proposal_id, exclude=False, tell=False)  # Step Functions retries the task
    items = boto3.resource("dynamodb").Table(table).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"MATCH#{proposal_id}"})["Items"]
    assert all("expires_at" in item for item in items)


# --- the consultant's steps remind, like screening steps -------------------------------------------

@pytest.fixture
def consultant(pool, ses):
    from backup.mailer import Mailer

    from .conftest import SENDER

    repository, _, started, clock = pool
    waits = RecordingEngine()
    settings = Settings(base_url="https://backup.example", consultant_email="k@rodekors.example",
                        ops_email="o@rodekors.example", max_reminders=2, reminder_delay_seconds=60)
    matchmaking = Matchmaking(repository, Mailer(SENDER, boto3.client("sesv2")), waits, started, settings, clock)
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"), (Candidate("v1", 80.0, "b"),))])
    waits.waiting.add("t1")
    matchmaking.open_proposal(proposal_id, "t1")
    return matchmaking, repository, waits, clock, proposal_id


def _mails_to(address):
    from .conftest import sent_emails

    return [m for m in sent_emails() if address in m.destinations]


def _plain(message):
    """An email's text as the reader sees it (raw_data is quoted-printable)."""
    from email import message_from_string, policy

    return message_from_string(message.raw_data, policy=policy.default).get_body(("plain",)).get_content()


def _link(repository, proposal_id):
    link_id = repository.get_person(proposal_id, "MATCH")["open_link_id"]
    return repository.get_link(link_id)


def test_a_consultant_who_has_not_chosen_is_reminded_with_the_same_link_then_ops_are_told_once(consultant):
    matchmaking, repository, waits, clock, proposal_id = consultant
    first_link = _link(repository, proposal_id)[0].link_id
    waits_for = []
    for token in ("t2", "t3", "t4"):  # each reminder period: remind, then the step waits again
        reminded = matchmaking.remind(proposal_id)
        assert reminded["expired"] is False
        waits_for.append(reminded["seconds"])
        waits.waiting.add(token)
        matchmaking.open_proposal(proposal_id, token)
        assert _link(repository, proposal_id) == (_link(repository, proposal_id)[0], token)
    assert _link(repository, proposal_id)[0].link_id == first_link  # one link all along
    # a reminder period (60 s here) until ops are told, then the rest of the link's life in one wait
    assert waits_for[:2] == [60, 60] and waits_for[2] > 59 * 86400
    requests, reminders = _mails_to("k@rodekors.example")[:1], _mails_to("k@rodekors.example")[1:]
    assert len(requests) == 1 and len(reminders) == 2
    assert all(first_link in _plain(m) for m in reminders)
    escalations = _mails_to("o@rodekors.example")
    assert len(escalations) == 1 and "backup-ops show" in _plain(escalations[0])
    kinds = [e["kind"] for e in repository.history(proposal_id, "MATCH")]
    assert kinds.count("REMINDER_SENT") == 2 and kinds.count("ESCALATED") == 1


def test_a_choice_made_while_the_wait_was_between_tokens_is_delivered_when_it_waits_again(consultant):
    matchmaking, repository, waits, clock, proposal_id = consultant
    link, token = _link(repository, proposal_id)
    waits.waiting.discard(token)  # the wait timed out for a reminder
    matchmaking.decide(link, token, "chosen:v1", "", {})  # the consultant sees it accepted
    assert matchmaking.remind(proposal_id)["expired"] is False
    waits.waiting.add("t2")
    matchmaking.open_proposal(proposal_id, "t2")
    assert waits.resumed == [("t2", {"outcome": "chosen", "volunteer_id": "v1"})]
    kinds = [e["kind"] for e in repository.history(proposal_id, "MATCH")]
    assert "DECISION_UNDELIVERED" not in kinds


def test_a_proposal_nobody_chooses_expires_when_its_link_does(consultant):
    from datetime import timedelta

    matchmaking, repository, waits, clock, proposal_id = consultant
    link = _link(repository, proposal_id)[0]
    clock.at = link.expires_at + timedelta(seconds=1)
    assert matchmaking.remind(proposal_id)["expired"] is True
    assert repository.get_link(link.link_id)[0].status.value == "INVALIDATED"


def test_choosing_again_after_the_alternative_was_taken_gets_a_fresh_link(consultant):
    matchmaking, repository, waits, clock, proposal_id = consultant
    first, token = _link(repository, proposal_id)
    matchmaking.decide(first, token, "chosen:v1", "", {})
    repository.update_person("v1", None, {"proposal_id": "someone-else"}, kind=VOLUNTEER)  # taken meanwhile
    assert matchmaking.choose(proposal_id, "v1") == {"ok": False}
    waits.waiting.add("t2")
    matchmaking.open_proposal(proposal_id, "t2")
    fresh = _link(repository, proposal_id)[0]
    assert fresh.link_id != first.link_id and fresh.status.value == "OPEN"
    assert waits.resumed == [(token, {"outcome": "chosen", "volunteer_id": "v1"})]  # not replayed on t2
    assert len(_mails_to("k@rodekors.example")) == 2


def test_someone_who_withdrew_between_two_waits_ends_the_proposal(consultant):
    from backup.matchmaking import PersonGone

    matchmaking, repository, waits, clock, proposal_id = consultant
    repository.update_person("v0", None, {"withdrawal_requested": True}, kind=VOLUNTEER)  # asked, not yet recorded
    with pytest.raises(PersonGone):
        matchmaking.remind(proposal_id)  # no reminder about someone who left
    with pytest.raises(PersonGone):
        matchmaking.open_proposal(proposal_id, "t2")
    assert len(_mails_to("k@rodekors.example")) == 1  # the request, and nothing after


def test_a_step_retried_after_ses_throttled_its_request_still_asks_the_consultant_once(pool, ses):
    from backup.mailer import Mailer, SesThrottled

    from .conftest import SENDER

    repository, _, started, clock = pool
    mailer = Mailer(SENDER, boto3.client("sesv2"))

    class ThrottledOnce:
        throttled = False

        def send(self, email, tags=None):
            if not self.throttled:
                self.throttled = True
                raise SesThrottled("slow down")
            return mailer.send(email, tags)

    settings = Settings(base_url="https://backup.example", consultant_email="k@rodekors.example",
                        ops_email="o@rodekors.example", max_reminders=2, reminder_delay_seconds=60)
    matchmaking = Matchmaking(repository, ThrottledOnce(), RecordingEngine(), started, settings, clock)
    (proposal_id,) = matchmaking.propose([Plan("y0", Candidate("v0", 90.0, "a"))])
    with pytest.raises(SesThrottled):
        matchmaking.open_proposal(proposal_id, "t1")
    matchmaking.open_proposal(proposal_id, "t1")  # Step Functions retries the task
    matchmaking.open_proposal(proposal_id, "t2")  # and later waits again after a reminder
    requests = _mails_to("k@rodekors.example")
    assert len(requests) == 1 and "fundet en frivillig" in _plain(requests[0])


# --- after the introduction: the two answers -----------------------------------------------------

@pytest.fixture
def asked(consultant):
    """The consultant chose v0 and recorded the meeting; both have been asked (wait t3)."""
    matchmaking, repository, waits, clock, proposal_id = consultant
    link, token = _link(repository, proposal_id)
    matchmaking.decide(link, token, "chosen:v0", "", {})
    assert matchmaking.choose(proposal_id, "v0") == {"ok": True}
    waits.waiting.add("t2")
    matchmaking.open_intro(proposal_id, "t2")
    intro, token = _link(repository, proposal_id)
    matchmaking.decide(intro, token, "held", "", {"intro_date": "2026-11-20"})
    waits.waiting.add("t3")
    matchmaking.ask_both(proposal_id, "t3")
    answer_links = repository.get_person(proposal_id, "MATCH")["answer_links"]
    return matchmaking, repository, waits, clock, proposal_id, {
        party: repository.get_link(link_id) for party, link_id in answer_links.items()}


def test_when_one_has_not_answered_the_consultant_is_told_once_who(asked):
    matchmaking, repository, waits, clock, proposal_id, links = asked
    matchmaking.decide(links["youth"][0], links["youth"][1], "yes", "", {})
    nudged = matchmaking.nudge(proposal_id)
    assert nudged["expired"] is False and nudged["seconds"] > 59 * 86400  # then wait out the links
    told = [m for m in _mails_to("k@rodekors.example") if "mangler stadig svar" in _plain(m)]
    assert len(told) == 1 and "den frivillige" in _plain(told[0]) and "den unge" not in _plain(told[0])
    waits.waiting.discard("t3")  # the wait timed out for the nudge and now waits again
    waits.waiting.add("t4")
    matchmaking.ask_both(proposal_id, "t4")
    assert matchmaking.nudge(proposal_id)["expired"] is False
    assert len([m for m in _mails_to("k@rodekors.example") if "mangler stadig svar" in _plain(m)]) == 1
    assert len(_mails_to("v0@example.org")) == 1  # the volunteer was asked once, not again on waiting again
    volunteer_link = repository.get_link(links["volunteer"][0].link_id)
    matchmaking.decide(volunteer_link[0], volunteer_link[1], "yes", "", {})
    assert waits.resumed[-1] == ("t4", {"outcome": "both_yes"})


def test_a_no_given_while_no_wait_was_open_is_delivered_when_the_answers_wait_again(asked):
    matchmaking, repository, waits, clock, proposal_id, links = asked
    waits.waiting.discard("t3")  # timed out for the nudge
    matchmaking.decide(links["volunteer"][0], links["volunteer"][1], "no", "", {})  # accepted, not lost
    assert matchmaking.nudge(proposal_id) == {"expired": False, "seconds": 1}
    waits.waiting.add("t4")
    matchmaking.ask_both(proposal_id, "t4")
    assert waits.resumed[-1] == ("t4", {"outcome": "declined"})
    kinds = [e["kind"] for e in repository.history(proposal_id, "MATCH")]
    assert "DECISION_UNDELIVERED" not in kinds


def test_answers_nobody_gives_expire_with_their_links(asked):
    from datetime import timedelta

    matchmaking, repository, waits, clock, proposal_id, links = asked
    clock.at = links["youth"][0].expires_at + timedelta(seconds=1)
    assert matchmaking.nudge(proposal_id)["expired"] is True
    assert repository.get_link(links["youth"][0].link_id)[0].status.value == "INVALIDATED"


def test_answers_being_recorded_while_the_wait_comes_back_are_delivered_from_the_links(asked):
    """Both links were used, but the answer that completes the pair has not written the outcome yet."""
    from backup.history import Event, EventKind

    matchmaking, repository, waits, clock, proposal_id, links = asked
    waits.waiting.discard("t3")
    for party in ("youth", "volunteer"):
        repository.use_link(links[party][0].link_id, "yes", party, clock(), proposal_id,
                            Event(at=clock(), kind=EventKind.CONTINUE_ANSWERED, by=party), "MATCH")
    assert matchmaking.nudge(proposal_id)["seconds"] == 1  # no nudge: both have answered
    waits.waiting.add("t4")
    matchmaking.ask_both(proposal_id, "t4")
    assert waits.resumed[-1] == ("t4", {"outcome": "both_yes"})
    assert repository.get_person(proposal_id, "MATCH")["outcome"] == "both_yes"
    assert not [m for m in _mails_to("k@rodekors.example") if "mangler stadig svar" in _plain(m)]


def test_a_nudge_throttled_by_ses_is_sent_once_when_the_task_is_retried(asked, monkeypatch):
    from backup.mailer import SesThrottled

    matchmaking, repository, waits, clock, proposal_id, links = asked
    real_send = matchmaking.mailer.send
    calls = []

    def throttled_once(email, tags=None):
        calls.append(email)
        if len(calls) == 1:
            raise SesThrottled("slow down")
        return real_send(email, tags)

    monkeypatch.setattr(matchmaking.mailer, "send", throttled_once)
    with pytest.raises(SesThrottled):
        matchmaking.nudge(proposal_id)
    matchmaking.nudge(proposal_id)  # Step Functions retries the task
    matchmaking.nudge(proposal_id)  # and the next round sends nothing more
    told = [m for m in _mails_to("k@rodekors.example") if "mangler stadig svar" in _plain(m)]
    # this young person has no email of their own: their question went to the contact adult
    assert len(told) == 1 and "fra den unge (spørgsmålet gik til den unges kontaktperson) og den frivillige" \
        in _plain(told[0])
    assert "snak med dem" in _plain(told[0])
    assert [e["kind"] for e in repository.history(proposal_id, "MATCH")].count("REMINDER_SENT") == 1
