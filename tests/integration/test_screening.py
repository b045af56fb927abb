"""The screening use cases on moto (DynamoDB, SES), with a recording stand-in for Step Functions."""

from datetime import timedelta
from email import message_from_string, policy

import boto3
import pytest

from backup.history import Event, EventKind
from backup.links import ExpiredLink, InvalidatedLink, LinkStatus, UnknownLink, UsedLink
from backup.mailer import Mailer
from backup.repository import Repository
from backup.screening import Screening, Settings, Withdrawn
from backup.stages import Stage

from .conftest import SENDER, Clock, RecordingEngine, sent_emails

CONSULTANT = "konsulent@rodekors.example"
OPS = "drift@rodekors.example"


@pytest.fixture
def world(table, ses):
    clock = Clock()
    engine = RecordingEngine()
    repository = Repository(table, boto3.resource("dynamodb"))
    settings = Settings(base_url="https://backup.example", consultant_email=CONSULTANT, ops_email=OPS,
                        max_reminders=2, reminder_delay_seconds=3600)
    screening = Screening(repository, Mailer(SENDER, boto3.client("sesv2")), engine, settings, clock)
    repository.create_volunteer("a1", {"first_name": "Mette", "last_name": "Hansen", "email": "mette@example.org"},
                                Event(at=clock(), kind=EventKind.APPLIED))
    return screening, repository, engine, clock


def emails():
    out = []
    for message in sent_emails():
        parsed = message_from_string(message.raw_data, policy=policy.default)
        out.append({"to": str(parsed["To"]), "subject": str(parsed["Subject"]),
                    "text": parsed.get_body(preferencelist=("plain",)).get_content()})
    return out


def open_step(world, stage=Stage.PHONE_SCREENING, token="t1"):
    screening, repository, engine, clock = world
    engine.waiting.add(token)
    screening.open_step("a1", stage, token)
    return repository.get_volunteer("a1")["open_link_id"]


def test_the_applicant_gets_one_confirmation_even_if_the_task_is_retried(world):
    screening = world[0]
    screening.start("a1")
    screening.start("a1")
    confirmations = [e for e in emails() if e["to"] == "mette@example.org"]
    assert len(confirmations) == 1
    assert "/withdraw/" in confirmations[0]["text"]


def test_opening_a_step_emails_the_consultant_a_link_without_the_token(world):
    # a token no random link id can contain by chance (a link id never has ":" or "/")
    link_id = open_step(world, token="arn:task-token/never-in-an-email")
    email = emails()[-1]
    assert email["to"] == CONSULTANT
    assert f"https://backup.example/decisions/{link_id}" in email["text"]
    assert "task-token/never" not in email["text"]
    assert world[1].get_volunteer("a1")["stage"] == "PHONE_SCREENING"


def test_waiting_again_after_a_reminder_keeps_the_link_and_sends_no_new_request(world):
    link_id = open_step(world, token="t1")
    open_step(world, token="t2")
    assert world[1].get_volunteer("a1")["open_link_id"] == link_id
    assert world[1].get_link(link_id)[1] == "t2"
    assert len([e for e in emails() if "venter på dig" in e["subject"]]) == 1


def test_a_decision_is_recorded_with_who_when_and_notes_and_resumes_the_run(world):
    screening, repository, engine, clock = world
    link_id = open_step(world)
    screening.decide(link_id, "approve", "God samtale", {"motivation_ok": "yes"})
    assert engine.resumed == [("t1", {"outcome": "approve", "link_id": link_id})]
    approved = [e for e in repository.history("a1") if e["kind"] == "APPROVED"][0]
    assert approved["by"] == CONSULTANT and approved["notes"] == "God samtale"
    assert approved["details"] == {"motivation_ok": "yes"}


def test_a_second_decision_on_the_same_link_changes_nothing(world):
    screening, repository, engine, clock = world
    link_id = open_step(world)
    screening.decide(link_id, "approve", "")
    with pytest.raises(UsedLink) as used:
        screening.decide(link_id, "reject", "")
    assert CONSULTANT in used.value.message
    assert len(engine.resumed) == 1
    assert [e["kind"] for e in repository.history("a1")].count("APPROVED") == 1


def test_an_unknown_link_is_refused(world):
    with pytest.raises(UnknownLink):
        world[0].decision_link("no-such-link")


def test_an_expired_link_is_refused(world):
    screening, repository, engine, clock = world
    link_id = open_step(world)
    clock.at += timedelta(days=30)
    with pytest.raises(ExpiredLink):
        screening.decide(link_id, "approve", "")
    assert engine.resumed == []


def test_a_decision_made_while_the_wait_was_between_tokens_is_delivered_when_it_waits_again(world):
    screening, repository, engine, clock = world
    link_id = open_step(world, token="t1")
    engine.waiting.discard("t1")  # the wait timed out for a reminder; the new one is not open yet
    screening.decide(link_id, "approve", "")
    assert engine.resumed == []
    open_step(world, token="t2")
    assert engine.resumed == [("t2", {"outcome": "approve", "link_id": link_id})]


def test_a_decision_on_a_step_that_is_over_is_reported_and_recorded(world):
    screening, repository, engine, clock = world
    link_id = open_step(world, token="t1")
    engine.waiting.discard("t1")
    repository.update_volunteer("a1", None, {"open_link_id": "another"})
    with pytest.raises(InvalidatedLink):
        screening.decide(link_id, "approve", "")
    assert "DECISION_UNDELIVERED" in [e["kind"] for e in repository.history("a1")]


def test_reminders_go_to_the_consultant_then_the_step_is_escalated_to_ops_once(world):
    screening, repository, engine, clock = world
    link_id = open_step(world)
    results = [screening.remind("a1", Stage.PHONE_SCREENING)["reminders_sent"] for _ in range(4)]
    assert results == [1, 2, 3, 4]
    reminders = [e for e in emails() if e["subject"].startswith("Påmindelse")]
    assert len(reminders) == 2 and all(link_id in e["text"] for e in reminders)
    escalations = [e for e in emails() if e["to"] == OPS]
    assert len(escalations) == 1 and "backup-ops" in escalations[0]["text"]
    kinds = [e["kind"] for e in repository.history("a1")]
    assert kinds.count("REMINDER_SENT") == 2 and kinds.count("ESCALATED") == 1


def test_withdrawal_fails_the_open_wait_with_withdrawn_and_later_tasks_refuse_to_go_on(world):
    screening, repository, engine, clock = world
    screening.start("a1")
    open_step(world)
    withdraw_link = repository.get_volunteer("a1")["withdraw_link_id"]
    screening.withdraw(withdraw_link)
    assert engine.failed == [("t1", "Withdrawn")]
    with pytest.raises(Withdrawn):
        screening.open_step("a1", Stage.HOME_VISIT, "t9")
    screening.finish("a1", Stage.WITHDRAWN)
    volunteer = repository.get_volunteer("a1")
    assert volunteer["stage"] == "WITHDRAWN"
    assert repository.get_link(withdraw_link)[0].status is LinkStatus.INVALIDATED
    assert emails()[-1]["subject"] == "Din ansøgning til BackUp er trukket tilbage"


def withdraw_link_of(repository):
    return repository.get_volunteer("a1")["withdraw_link_id"]


def in_the_pool(world, waiting_on=None):
    """The applicant passed screening and is ready for a match; their run may wait for one."""
    screening, repository, engine, clock = world
    screening.start("a1")
    screening.finish("a1", Stage.READY_FOR_MATCH)
    if waiting_on:
        engine.waiting.add(waiting_on)
        screening.await_match("a1", waiting_on)


def first_read_sees(monkeypatch, repository, record):
    """The task's first read sees the record as it was before a concurrent write; later reads see
    the table as it is: the interleaving of two racing requests, made deterministic."""
    reads = iter([record])
    real_get = repository.get_person
    monkeypatch.setattr(repository, "get_person", lambda *args, **kw: next(reads, None) or real_get(*args, **kw))


def test_a_step_that_opens_while_the_applicant_withdraws_is_still_ended(world, monkeypatch):
    """The withdrawal read the record before the step opened, and wrote its flag after."""
    screening, repository, engine, clock = world
    screening.start("a1")
    link_id = withdraw_link_of(repository)
    before_the_step = screening.withdraw_link(link_id)
    open_step(world)
    monkeypatch.setattr(screening, "withdraw_link", lambda _link_id: before_the_step)
    screening.withdraw(link_id)
    assert engine.failed == [("t1", "Withdrawn")]


def test_a_step_that_looked_before_the_withdrawal_and_opened_after_it_ends_the_run_itself(world, monkeypatch):
    """The step read no flag, the applicant withdrew (nothing waited yet), then the step stored its wait."""
    screening, repository, engine, clock = world
    screening.start("a1")
    before_the_withdrawal = repository.get_person("a1")
    screening.withdraw(withdraw_link_of(repository))
    assert engine.failed == []  # nothing was waiting
    first_read_sees(monkeypatch, repository, before_the_withdrawal)
    sent_before = len(emails())
    engine.waiting.add("t1")
    with pytest.raises(Withdrawn):
        screening.open_step("a1", Stage.PHONE_SCREENING, "t1")
    new_link = repository.get_volunteer("a1")["open_link_id"]
    assert repository.get_link(new_link)[0].status is LinkStatus.INVALIDATED
    assert len(emails()) == sent_before  # the consultant is not asked to call someone who withdrew


def test_withdrawing_while_ops_decide_on_a_failure_ends_the_run_and_kills_ops_link(world):
    screening, repository, engine, clock = world
    screening.start("a1")
    engine.waiting.add("ops-token")
    screening.ask_ops("a1", "Home visit", "States.TaskFailed", "boom", "ops-token")
    ops_link = repository.get_volunteer("a1")["ops_link_id"]
    screening.withdraw(withdraw_link_of(repository))
    assert engine.failed == [("ops-token", "Withdrawn")]
    screening.finish("a1", Stage.WITHDRAWN)
    assert repository.get_link(ops_link)[0].status is LinkStatus.INVALIDATED
    assert "needs_ops" not in repository.get_volunteer("a1")  # nobody waits for ops any more
    with pytest.raises(InvalidatedLink):
        screening.decide(ops_link, "retry")


def test_ops_are_not_asked_about_someone_who_withdrew_meanwhile(world):
    screening, repository, engine, clock = world
    screening.start("a1")
    screening.withdraw(withdraw_link_of(repository))
    ops_mails = len([e for e in emails() if e["to"] == OPS])
    with pytest.raises(Withdrawn):
        screening.ask_ops("a1", "Home visit", "States.TaskFailed", "boom", "ops-token")
    assert len([e for e in emails() if e["to"] == OPS]) == ops_mails


def test_recording_a_withdrawal_that_fails_for_good_still_reaches_ops(world):
    """The Withdrawn branch itself failed (SES down): ops must be asked, not sent round in a loop."""
    screening, repository, engine, clock = world
    screening.start("a1")
    screening.withdraw(withdraw_link_of(repository))
    engine.waiting.add("ops-token")
    screening.ask_ops("a1", "Withdrawn", "States.TaskFailed", "SES down", "ops-token", withdrawable=False)
    assert [e for e in emails() if e["to"] == OPS and "Withdrawn" in e["subject"]]
    ops_link = repository.get_volunteer("a1")["ops_link_id"]
    assert repository.get_link(ops_link)[0].status is LinkStatus.OPEN


def test_a_wait_for_a_match_stored_just_after_a_withdrawal_ends_the_run(world, monkeypatch):
    screening, repository, engine, clock = world
    in_the_pool(world)
    before_the_withdrawal = repository.get_person("a1")
    screening.withdraw(withdraw_link_of(repository))
    first_read_sees(monkeypatch, repository, before_the_withdrawal)
    with pytest.raises(Withdrawn):
        screening.await_match("a1", "pool-token")


def test_withdrawing_in_the_pool_fails_the_wait_for_a_match(world):
    screening, repository, engine, clock = world
    in_the_pool(world, waiting_on="pool-token")
    screening.withdraw(withdraw_link_of(repository))
    assert engine.failed == [("pool-token", "Withdrawn")]


def test_a_run_waits_in_the_pool_until_its_lifetime_is_used_then_is_due_for_a_new_run(world):
    screening, repository, engine, clock = world  # run lifetime: 330 days by default
    started = clock()
    assert screening.pool_wait("a1", started) == {"seconds": 330 * 24 * 3600, "renew": False}
    clock.at = started + timedelta(days=300)
    assert screening.pool_wait("a1", started) == {"seconds": 30 * 24 * 3600, "renew": False}
    clock.at = started + timedelta(days=331)
    assert screening.pool_wait("a1", started)["renew"] is True


def test_carrying_on_starts_the_next_run_then_records_it_once_even_when_the_task_is_retried(world):
    screening, repository, engine, clock = world
    in_the_pool(world, waiting_on="pool-token")
    started = []

    def start(run):  # the record must not name the run before it exists
        assert repository.get_volunteer("a1").get("run", 1) < run
        started.append(run)

    assert screening.continue_run("a1", "volunteer-a1", start) == 2
    assert screening.continue_run("a1", "volunteer-a1", started.append) == 2  # a retry starts the same run
    assert started == [2, 2]
    volunteer = repository.get_volunteer("a1")
    assert volunteer["run"] == 2 and "match_token" not in volunteer
    assert volunteer["stage"] == "READY_FOR_MATCH"  # still in the pool, nothing else changes
    assert [e["details"]["run"] for e in repository.history("a1") if e["kind"] == "RUN_CONTINUED"] == ["2"]
    assert screening.continue_run("a1", "volunteer-a1-r2", started.append) == 3
    assert repository.get_volunteer("a1")["run"] == 3


def test_a_run_that_could_not_be_started_is_not_recorded(world):
    screening, repository, engine, clock = world
    in_the_pool(world)

    def throttled(run):
        raise RuntimeError("ThrottlingException")

    with pytest.raises(RuntimeError):
        screening.continue_run("a1", "volunteer-a1", throttled)
    assert "run" not in repository.get_volunteer("a1")


def test_someone_who_withdrew_does_not_carry_on_in_a_new_run(world):
    screening, repository, engine, clock = world
    in_the_pool(world)
    screening.withdraw(withdraw_link_of(repository))
    with pytest.raises(Withdrawn):
        screening.continue_run("a1", "volunteer-a1", lambda run: pytest.fail("a withdrawn person's run went on"))


def test_a_match_that_completes_while_the_new_run_opens_its_wait_still_ends_the_wait(world, monkeypatch):
    """The wait read the profile before the match was made and stored its token after the match
    had tried the old run's token: the wait must see the match itself."""
    screening, repository, engine, clock = world
    in_the_pool(world)
    before_the_match = repository.get_person("a1")
    repository.update_person("a1", None, {"stage": "MATCHED"})
    first_read_sees(monkeypatch, repository, before_the_match)
    engine.waiting.add("new-run-token")
    screening.await_match("a1", "new-run-token")
    assert engine.resumed == [("new-run-token", {"outcome": "matched"})]


def test_a_rejection_tells_the_applicant_kindly_without_the_internal_reason(world):
    screening, repository, engine, clock = world
    link_id = open_step(world)
    screening.decide(link_id, "reject", "", {"reason": "Virkede utilregnelig i telefonen"})
    screening.finish("a1", Stage.REJECTED)
    letter = emails()[-1]
    assert letter["to"] == "mette@example.org"
    assert "utilregnelig" not in letter["text"]
    assert repository.get_volunteer("a1")["stage"] == "REJECTED"
    assert repository.get_link(link_id)[0].status is LinkStatus.USED


def test_an_ended_journey_is_deleted_whole_after_the_retention_period(world, table):
    """The consultant's notes live in the history: they go when the profile goes, not never."""
    screening, repository, engine, clock = world
    screening.start("a1")
    link_id = open_step(world)
    screening.decide(link_id, "reject", "Virkede utilregnelig i telefonen")
    screening.finish("a1", Stage.REJECTED)
    items = boto3.resource("dynamodb").Table(table).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "VOLUNTEER#a1"})["Items"]
    expiry = int((clock() + timedelta(days=1825)).timestamp())
    assert len(items) > 4 and {int(item["expires_at"]) for item in items} == {expiry}
    assert any(item.get("notes") == "Virkede utilregnelig i telefonen" for item in items)


def test_someone_still_in_the_programme_keeps_their_history(world, table):
    screening, repository, engine, clock = world
    in_the_pool(world)
    items = boto3.resource("dynamodb").Table(table).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "VOLUNTEER#a1"})["Items"]
    assert not [item for item in items if "expires_at" in item]


def test_finishing_twice_sends_one_letter(world):
    screening = world[0]
    screening.finish("a1", Stage.READY_FOR_MATCH)
    screening.finish("a1", Stage.READY_FOR_MATCH)
    assert len([e for e in emails() if "klar til at blive matchet" in e["subject"]]) == 1


def test_reassigning_moves_the_step_to_another_consultant_and_kills_the_old_link(world):
    screening, repository, engine, clock = world
    old_link = open_step(world)
    new = screening.reassign("a1", "anden@rodekors.example", by="ops@rodekors.example")
    assert repository.get_link(old_link)[0].status is LinkStatus.INVALIDATED
    with pytest.raises(InvalidatedLink) as dead:
        screening.decide(old_link, "approve", "")
    assert "anden konsulent" in dead.value.message
    assert emails()[-1]["to"] == "anden@rodekors.example" and new.link_id in emails()[-1]["text"]
    screening.decide(new.link_id, "approve", "")
    assert engine.resumed == [("t1", {"outcome": "approve", "link_id": new.link_id})]
    reassigned = [e for e in repository.history("a1") if e["kind"] == "REASSIGNED"][0]
    assert reassigned["by"] == "ops@rodekors.example" and reassigned["details"]["to"] == "anden@rodekors.example"


def test_resending_sends_a_fresh_link_and_the_old_one_dies(world):
    screening, repository, engine, clock = world
    old_link = open_step(world)
    new = screening.resend("a1", by="ops")
    assert new.link_id != old_link and new.sent_to == CONSULTANT
    assert repository.get_link(old_link)[0].invalid_reason == "resent"
    open_step(world, token="t2")  # the step waits again after a reminder: the new link gets the token
    assert repository.get_link(new.link_id)[1] == "t2"


def test_a_young_persons_referral_check_can_be_moved_to_another_consultant(world):
    screening, repository, engine, clock = world
    repository.create_person("y1", {"first_name": "Sara", "postcode": "6760", "contact_adult_email": "k@example.org",
                                    "contact_adult_name": "Lone"},
                             Event(at=clock(), kind=EventKind.REFERRED), "YOUTH", Stage.REFERRAL_CHECK)
    engine.waiting.add("ty")
    screening.open_step("y1", Stage.REFERRAL_CHECK, "ty", kind="YOUTH")
    old_link = repository.get_person("y1", "YOUTH")["open_link_id"]
    new = screening.reassign("y1", "anden@rodekors.example", by="ops", kind="YOUTH")
    assert repository.get_link(old_link)[0].status is LinkStatus.INVALIDATED
    assert repository.get_person("y1", "YOUTH")["consultant"] == "anden@rodekors.example"
    screening.decide(new.link_id, "approve", "")
    assert engine.resumed == [("ty", {"outcome": "approve", "link_id": new.link_id})]
    assert [e["kind"] for e in repository.history("y1", "YOUTH")].count("REASSIGNED") == 1


def test_a_proposals_links_cannot_be_moved_and_ops_are_told_why(world):
    from backup.screening import NoOpenStep

    with pytest.raises(NoOpenStep, match="match proposal"):
        world[0].resend("p1", by="ops", kind="MATCH")


def test_moving_a_step_when_none_is_open_is_refused(world):
    from backup.screening import NoOpenStep

    with pytest.raises(NoOpenStep):
        world[0].resend("a1", by="ops")


class ThrottledOnce:
    """SES says "slow down" to the first email, then sends as usual."""

    def __init__(self, mailer):
        self.mailer = mailer
        self.throttled = False

    def send(self, email, tags=None):
        from backup.mailer import SesThrottled

        if not self.throttled:
            self.throttled = True
            raise SesThrottled("Maximum sending rate exceeded.")
        return self.mailer.send(email, tags)


def test_a_step_retried_after_ses_throttled_its_email_still_emails_the_consultant_once(world):
    from backup.mailer import SesThrottled

    screening, repository, engine, clock = world
    screening.mailer = ThrottledOnce(screening.mailer)
    engine.waiting.add("t1")
    with pytest.raises(SesThrottled):
        screening.open_step("a1", Stage.PHONE_SCREENING, "t1")
    screening.open_step("a1", Stage.PHONE_SCREENING, "t1")  # the state machine's retry
    screening.open_step("a1", Stage.PHONE_SCREENING, "t1")  # and once more for good measure
    assert len([e for e in emails() if "venter på dig" in e["subject"]]) == 1


def test_a_letter_throttled_at_the_first_try_is_sent_once_on_the_retry(world):
    from backup.mailer import SesThrottled

    screening, repository, engine, clock = world
    screening.mailer = ThrottledOnce(screening.mailer)
    with pytest.raises(SesThrottled):
        screening.finish("a1", Stage.REJECTED)
    screening.finish("a1", Stage.REJECTED)
    screening.finish("a1", Stage.REJECTED)
    assert len([e for e in emails() if e["subject"] == "Svar på din ansøgning til BackUp"]) == 1
    assert [e["kind"] for e in repository.history("a1")].count("REJECTED") == 1
