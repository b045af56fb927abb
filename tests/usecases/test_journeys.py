"""A person's journey through screening, on the in-memory adapters: steps, links, reminders,
outcomes, withdrawal, the pool and ops' commands."""

from datetime import timedelta

import pytest

from backup.adapters.ses import SesThrottled
from backup.domain.errors import NoOpenStep, Withdrawn
from backup.domain.history import EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import ExpiredLink, InvalidatedLink, LinkStatus, UnknownLink, UsedLink
from backup.domain.stages import Stage
from tests.factories import volunteer, young_person

from .conftest import CONSULTANT, OPS, screened

VOLUNTEER, YOUTH = RecordKind.VOLUNTEER, RecordKind.YOUTH


@pytest.fixture
def world(programme):
    programme.repository.create_person(
        volunteer("a1", first_name="Mette", last_name="Hansen", email="mette@example.org"),
        programme_event(programme, EventKind.APPLIED),
    )
    return programme


def programme_event(programme, kind):
    from backup.domain.history import Event

    return Event(at=programme.clock(), kind=kind)


def kinds(world, person_id="a1", kind=VOLUNTEER):
    return [e.kind.value for e in world.repository.history(kind, person_id)]


def events(world, kind_name, person_id="a1", kind=VOLUNTEER):
    return [e for e in world.repository.history(kind, person_id) if e.kind.value == kind_name]


def open_step(world, stage=Stage.PHONE_SCREENING, token="t1"):
    world.results.waiting.add(token)
    world.journeys.open_step(VOLUNTEER, "a1", stage, token, "test")
    return world.repository.get_volunteer("a1").open_link_id


def withdraw_link_of(world):
    return world.repository.get_volunteer("a1").withdraw_link_id


def test_the_applicant_gets_one_confirmation_even_if_the_task_is_retried(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.journeys.start(VOLUNTEER, "a1")
    confirmations = world.mailer.to("mette@example.org")
    assert len(confirmations) == 1
    assert "/withdraw/" in confirmations[0].text


def test_opening_a_step_emails_the_consultant_a_link_without_the_token(world):
    link_id = open_step(world, token="arn:task-token/never-in-an-email")
    email = world.emails[-1]
    assert email.to == CONSULTANT
    assert f"https://backup.example/decisions/{link_id}" in email.text
    assert "task-token/never" not in email.text + email.html
    assert world.repository.get_volunteer("a1").stage is Stage.PHONE_SCREENING


def test_waiting_again_after_a_reminder_keeps_the_link_and_sends_no_new_request(world):
    link_id = open_step(world, token="t1")
    open_step(world, token="t2")
    assert world.repository.get_volunteer("a1").open_link_id == link_id
    assert world.repository.get_link(link_id).task_token == "t2"
    assert len([e for e in world.emails if "venter på dig" in e.subject]) == 1


def test_a_decision_is_recorded_with_who_when_and_notes_and_resumes_the_run(world):
    link_id = open_step(world)
    world.decisions.decide(link_id, "approve", "God samtale", {"motivation_ok": "yes"})
    assert world.results.resumed == [("t1", {"outcome": "approve", "link_id": link_id})]
    approved = events(world, "APPROVED")[0]
    assert approved.by == CONSULTANT and approved.notes == "God samtale"
    assert approved.details == {"motivation_ok": "yes"}
    assert approved.at == world.clock()


def test_a_second_decision_on_the_same_link_changes_nothing(world):
    link_id = open_step(world)
    world.decisions.decide(link_id, "approve", "")
    with pytest.raises(UsedLink) as used:
        world.decisions.decide(link_id, "reject", "")
    assert "afgjort af dig" in used.value.message  # the consultant reads it: their own decision
    assert len(world.results.resumed) == 1
    assert kinds(world).count("APPROVED") == 1


def test_an_unknown_link_is_refused(world):
    with pytest.raises(UnknownLink):
        world.decisions.open("no-such-link")


def test_an_expired_link_is_refused(world):
    link_id = open_step(world)
    world.clock.at += timedelta(days=30)
    with pytest.raises(ExpiredLink):
        world.decisions.decide(link_id, "approve", "")
    assert world.results.resumed == []


def test_a_decision_made_while_the_wait_was_between_tokens_is_delivered_when_it_waits_again(world):
    link_id = open_step(world, token="t1")
    world.results.waiting.discard("t1")  # the wait timed out for a reminder; the new one is not open yet
    world.decisions.decide(link_id, "approve", "")
    assert world.results.resumed == []
    open_step(world, token="t2")
    assert world.results.resumed == [("t2", {"outcome": "approve", "link_id": link_id})]


def test_a_decision_on_a_step_that_is_over_is_reported_and_recorded(world):
    link_id = open_step(world, token="t1")
    world.results.waiting.discard("t1")
    world.repository.update(VOLUNTEER, "a1", set={"open_link_id": "another"})
    with pytest.raises(InvalidatedLink):
        world.decisions.decide(link_id, "approve", "")
    assert "DECISION_UNDELIVERED" in kinds(world)


def test_reminders_go_to_the_consultant_then_the_step_is_escalated_to_ops_once(world):
    link_id = open_step(world)
    results = [world.journeys.remind(VOLUNTEER, "a1", Stage.PHONE_SCREENING) for _ in range(4)]
    assert [r.reminders_sent for r in results] == [1, 2, 3, 4]
    # a reminder period until ops are told, then the rest of the link's life in one wait
    assert [r.seconds for r in results[:2]] == [3600, 3600] and results[2].seconds > 3 * 3600
    reminders = [e for e in world.emails if e.subject.startswith("Påmindelse")]
    assert len(reminders) == 2 and all(link_id in e.text for e in reminders)
    escalations = world.mailer.to(OPS)
    assert len(escalations) == 1 and "backup-ops" in escalations[0].text
    assert kinds(world).count("REMINDER_SENT") == 2 and kinds(world).count("ESCALATED") == 1


def test_a_step_nobody_decides_ends_when_its_link_expires_and_the_link_dies(world):
    link_id = open_step(world)
    world.clock.at = world.repository.get_link(link_id).expires_at
    reminded = world.journeys.remind(VOLUNTEER, "a1", Stage.PHONE_SCREENING)
    assert reminded.expired is True
    assert world.repository.get_link(link_id).invalid_reason == "timed_out"
    assert "STEP_TIMED_OUT" in kinds(world)


def test_withdrawal_fails_the_open_wait_with_withdrawn_and_later_tasks_refuse_to_go_on(world):
    world.journeys.start(VOLUNTEER, "a1")
    open_step(world)
    withdraw_link = withdraw_link_of(world)
    world.withdrawal.withdraw(withdraw_link)
    assert world.results.failed == [("t1", "Withdrawn")]
    with pytest.raises(Withdrawn):
        world.journeys.open_step(VOLUNTEER, "a1", Stage.HOME_VISIT, "t9", "test")
    world.journeys.finish(VOLUNTEER, "a1", Stage.WITHDRAWN, "test")
    assert world.repository.get_volunteer("a1").stage is Stage.WITHDRAWN
    assert world.repository.get_link(withdraw_link).status is LinkStatus.INVALIDATED
    assert world.emails[-1].subject == "Din ansøgning til BackUp er trukket tilbage"


def in_the_pool(world, waiting_on=None):
    """The applicant passed screening and is ready for a match; their run may wait for one."""
    world.journeys.start(VOLUNTEER, "a1")
    screened(world)
    if waiting_on:
        world.results.waiting.add(waiting_on)
        world.journeys.await_match(VOLUNTEER, "a1", waiting_on)


def first_read_sees(monkeypatch, repository, record):
    """The task's first read sees the record as it was before a concurrent write; later reads see
    the table as it is: the interleaving of two racing requests, made deterministic."""
    reads = iter([record])
    real_get = repository.get_person
    monkeypatch.setattr(repository, "get_person", lambda *args, **kw: next(reads, None) or real_get(*args, **kw))


def test_a_step_that_opens_while_the_applicant_withdraws_is_still_ended(world, monkeypatch):
    """The withdrawal read the record before the step opened, and wrote its flag after."""
    world.journeys.start(VOLUNTEER, "a1")
    link_id = withdraw_link_of(world)
    before_the_step = world.withdrawal.open(link_id)
    open_step(world)
    monkeypatch.setattr(world.withdrawal, "open", lambda _link_id: before_the_step)
    world.withdrawal.withdraw(link_id)
    assert world.results.failed == [("t1", "Withdrawn")]


def test_a_step_that_looked_before_the_withdrawal_and_opened_after_it_ends_the_run_itself(world, monkeypatch):
    """The step read no flag, the applicant withdrew (nothing waited yet), then the step stored its wait."""
    world.journeys.start(VOLUNTEER, "a1")
    before_the_withdrawal = world.repository.get_person(VOLUNTEER, "a1")
    world.withdrawal.withdraw(withdraw_link_of(world))
    assert world.results.failed == []  # nothing was waiting
    first_read_sees(monkeypatch, world.repository, before_the_withdrawal)
    sent_before = len(world.emails)
    world.results.waiting.add("t1")
    with pytest.raises(Withdrawn):
        world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")
    new_link = world.repository.get_volunteer("a1").open_link_id
    assert world.repository.get_link(new_link).status is LinkStatus.INVALIDATED
    assert len(world.emails) == sent_before  # the consultant is not asked to call someone who withdrew


def test_withdrawing_while_ops_decide_on_a_failure_ends_the_run_and_kills_ops_link(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    ops_link = world.repository.get_volunteer("a1").ops_link_id
    world.withdrawal.withdraw(withdraw_link_of(world))
    assert world.results.failed == [("ops-token", "Withdrawn")]
    world.journeys.finish(VOLUNTEER, "a1", Stage.WITHDRAWN, "test")
    assert world.repository.get_link(ops_link).status is LinkStatus.INVALIDATED
    assert world.repository.get_volunteer("a1").needs_ops is None  # nobody waits for ops any more
    with pytest.raises(InvalidatedLink):
        world.decisions.decide(ops_link, "retry")


def test_ops_are_not_asked_about_someone_who_withdrew_meanwhile(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.withdrawal.withdraw(withdraw_link_of(world))
    ops_mails = len(world.mailer.to(OPS))
    with pytest.raises(Withdrawn):
        world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    assert len(world.mailer.to(OPS)) == ops_mails


def test_recording_a_withdrawal_that_fails_for_good_still_reaches_ops(world):
    """The Withdrawn branch itself failed (SES down): ops must be asked, not sent round in a loop."""
    world.journeys.start(VOLUNTEER, "a1")
    world.withdrawal.withdraw(withdraw_link_of(world))
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Withdrawn", "States.TaskFailed", "SES down", "ops-token", False)
    assert [e for e in world.mailer.to(OPS) if "Withdrawn" in e.subject]
    ops_link = world.repository.get_volunteer("a1").ops_link_id
    assert world.repository.get_link(ops_link).status is LinkStatus.OPEN


def test_a_volunteer_hears_once_at_each_step_what_comes_next_with_their_link_to_withdraw(world):
    world.journeys.start(VOLUNTEER, "a1")
    screened(world, ready=False)
    world.journeys.open_step(VOLUNTEER, "a1", Stage.TRAINING, "retried-token", "test")  # a retried task
    letters = [m for m in world.mailer.to("mette@example.org") if m.subject.startswith("Næste skridt")]
    assert [m.subject for m in letters] == [
        "Næste skridt i BackUp: et besøg hos dig",
        "Næste skridt i BackUp: din børneattest",
        "Næste skridt i BackUp: uddannelsen",
    ]
    withdraw = f"/withdraw/{withdraw_link_of(world)}"
    assert all(m.text.startswith("Kære Mette") and withdraw in m.text for m in letters)
    noted = [e.details["subject"] for e in events(world, "EMAIL_SENT") if e.details["recipient"] == "volunteer"]
    assert "Næste skridt i BackUp: uddannelsen" in noted  # on their history, without the body


class SesDown:
    """Every email fails, as when SES is down or the ops address is not verified in the sandbox."""

    def send(self, email, tags=None):
        raise RuntimeError("SES is down")


def test_when_the_email_to_ops_fails_too_the_run_still_waits_for_ops_and_every_way_out_works(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.mailer = SesDown()
    world.rewire()
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    # no error: the run waits at its ops step instead of failing with the record in its old stage
    person = world.repository.get_volunteer("a1")
    assert person.needs_ops == "Home visit"
    assert [e.details for e in events(world, "OPS_NOT_EMAILED")] == [
        {"failed_state": "Home visit", "error": "RuntimeError"}
    ]
    assert ("NeedsOps", None) in world.metrics.counts and ("OpsEmailFailed", None) in world.metrics.counts
    # ops act without the email, as `backup-ops retry ID` does
    world.ops.after_failure(VOLUNTEER, "a1", "retry", by="ops@example.org")
    assert world.results.resumed == [("ops-token", {"choice": "retry", "link_id": person.ops_link_id})]


def test_when_the_email_to_ops_fails_a_withdrawal_still_ends_the_run(world):
    world.journeys.start(VOLUNTEER, "a1")
    real = world.mailer
    world.mailer = SesDown()
    world.rewire()
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    world.mailer = real
    world.rewire()
    world.withdrawal.withdraw(withdraw_link_of(world))
    assert world.results.failed == [("ops-token", "Withdrawn")]


def test_ops_choice_resumes_the_run_and_clears_the_wait_for_ops(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(
        VOLUNTEER,
        "a1",
        "Home visit",
        "States.TaskFailed",
        '{"errorMessage": "boom", "stackTrace": ["secret/path.py"]}',
        "ops-token",
        True,
    )
    needs = events(world, "NEEDS_OPS")[0]
    assert needs.details == {"failed_state": "Home visit", "error": "States.TaskFailed", "cause": "boom"}
    ops_link = world.repository.get_volunteer("a1").ops_link_id
    world.decisions.decide(ops_link, "retry", "SES var nede")
    assert world.results.resumed == [("ops-token", {"choice": "retry", "link_id": ops_link})]
    assert world.repository.get_volunteer("a1").needs_ops is None
    assert "OPS_RETRIED" in kinds(world)


def test_a_wait_for_a_match_stored_just_after_a_withdrawal_ends_the_run(world, monkeypatch):
    in_the_pool(world)
    before_the_withdrawal = world.repository.get_person(VOLUNTEER, "a1")
    world.withdrawal.withdraw(withdraw_link_of(world))
    first_read_sees(monkeypatch, world.repository, before_the_withdrawal)
    with pytest.raises(Withdrawn):
        world.journeys.await_match(VOLUNTEER, "a1", "pool-token")


def test_withdrawing_in_the_pool_fails_the_wait_for_a_match(world):
    in_the_pool(world, waiting_on="pool-token")
    world.withdrawal.withdraw(withdraw_link_of(world))
    assert world.results.failed == [("pool-token", "Withdrawn")]


def test_a_run_waits_in_the_pool_until_its_lifetime_is_used_then_is_due_for_a_new_run(world):
    started = world.clock()  # run lifetime: 330 days by default
    assert world.journeys.pool_wait(started) == (330 * 24 * 3600, False)
    world.clock.at = started + timedelta(days=300)
    assert world.journeys.pool_wait(started) == (30 * 24 * 3600, False)
    world.clock.at = started + timedelta(days=331)
    assert world.journeys.pool_wait(started)[1] is True


def test_carrying_on_starts_the_next_run_then_records_it_once_even_when_the_task_is_retried(world):
    in_the_pool(world, waiting_on="pool-token")
    started = []

    def start(run):  # the record must not name the run before it exists
        assert world.repository.get_volunteer("a1").run < run
        started.append(run)

    assert world.journeys.continue_run(VOLUNTEER, "a1", "volunteer-a1", start) == 2
    assert world.journeys.continue_run(VOLUNTEER, "a1", "volunteer-a1", started.append) == 2  # a retry: same run
    assert started == [2, 2]
    found = world.repository.get_volunteer("a1")
    assert found.run == 2 and found.match_token is None
    assert found.stage is Stage.READY_FOR_MATCH  # still in the pool, nothing else changes
    assert [e.details["run"] for e in events(world, "RUN_CONTINUED")] == ["2"]
    assert world.journeys.continue_run(VOLUNTEER, "a1", "volunteer-a1-r2", started.append) == 3
    assert world.repository.get_volunteer("a1").run == 3


def test_a_run_that_could_not_be_started_is_not_recorded(world):
    in_the_pool(world)

    def throttled(run):
        raise RuntimeError("ThrottlingException")

    with pytest.raises(RuntimeError):
        world.journeys.continue_run(VOLUNTEER, "a1", "volunteer-a1", throttled)
    assert world.repository.get_volunteer("a1").run == 1


def test_someone_who_withdrew_does_not_carry_on_in_a_new_run(world):
    in_the_pool(world)
    world.withdrawal.withdraw(withdraw_link_of(world))
    with pytest.raises(Withdrawn):
        world.journeys.continue_run(
            VOLUNTEER, "a1", "volunteer-a1", lambda run: pytest.fail("a withdrawn person's run went on")
        )


def test_a_match_that_completes_while_the_new_run_opens_its_wait_still_ends_the_wait(world, monkeypatch):
    """The wait read the profile before the match was made and stored its token after the match
    had tried the old run's token: the wait must see the match itself."""
    in_the_pool(world)
    before_the_match = world.repository.get_person(VOLUNTEER, "a1")
    world.repository.update(VOLUNTEER, "a1", set={"stage": Stage.MATCHED})
    first_read_sees(monkeypatch, world.repository, before_the_match)
    world.results.waiting.add("new-run-token")
    world.journeys.await_match(VOLUNTEER, "a1", "new-run-token")
    assert world.results.resumed == [("new-run-token", {"outcome": "matched"})]


def test_a_rejection_tells_the_applicant_kindly_without_the_internal_reason(world):
    link_id = open_step(world)
    world.decisions.decide(link_id, "reject", "", {"reason": "Virkede utilregnelig i telefonen"})
    world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    letter = world.emails[-1]
    assert letter.to == "mette@example.org"
    assert "utilregnelig" not in letter.text
    assert world.repository.get_volunteer("a1").stage is Stage.REJECTED
    assert world.repository.get_link(link_id).status is LinkStatus.USED


def test_a_rejected_applicant_is_deleted_whole_about_six_months_after(world):
    """The consultant's notes (and the rejection's reason, which may be about offences) live in the
    history: they go when the profile goes, after UnsuccessfulRetentionDays, and so does the
    applicant's own withdrawal link."""
    world.journeys.start(VOLUNTEER, "a1")
    link_id = open_step(world)
    world.decisions.decide(link_id, "reject", "Virkede utilregnelig i telefonen")
    world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    expiry = int((world.clock() + timedelta(days=183)).timestamp())
    expiries = world.repository.expiries(VOLUNTEER, "a1")
    assert len(expiries) > 4 and set(expiries) == {expiry}
    withdraw_link = world.repository.get_volunteer("a1").withdraw_link_id
    assert world.repository.link_expiry(withdraw_link).timestamp() == expiry
    assert any(e.notes == "Virkede utilregnelig i telefonen" for e in world.repository.history(VOLUNTEER, "a1"))


def test_someone_still_in_the_programme_keeps_their_history(world):
    in_the_pool(world)
    assert set(world.repository.expiries(VOLUNTEER, "a1")) == {None}


def test_finishing_twice_sends_one_letter(world):
    screened(world)
    world.journeys.finish(VOLUNTEER, "a1", Stage.READY_FOR_MATCH, "test")
    assert len([e for e in world.emails if "klar til at blive matchet" in e.subject]) == 1


def test_reassigning_moves_the_step_to_another_consultant_and_kills_the_old_link(world):
    old_link = open_step(world)
    new = world.ops.reassign(VOLUNTEER, "a1", "anden@rodekors.example", by="ops@rodekors.example")
    assert world.repository.get_link(old_link).status is LinkStatus.INVALIDATED
    with pytest.raises(InvalidatedLink) as dead:
        world.decisions.decide(old_link, "approve", "")
    assert "anden konsulent" in dead.value.message
    assert world.emails[-1].to == "anden@rodekors.example" and new.link_id in world.emails[-1].text
    world.decisions.decide(new.link_id, "approve", "")
    assert world.results.resumed == [("t1", {"outcome": "approve", "link_id": new.link_id})]
    reassigned = events(world, "REASSIGNED")[0]
    assert reassigned.by == "ops@rodekors.example" and reassigned.details["to"] == "anden@rodekors.example"


def test_resending_sends_a_fresh_link_and_the_old_one_dies(world):
    old_link = open_step(world)
    new = world.ops.resend(VOLUNTEER, "a1", by="ops")
    assert new.link_id != old_link and new.sent_to == CONSULTANT
    assert world.repository.get_link(old_link).invalid_reason == "resent"
    open_step(world, token="t2")  # the step waits again after a reminder: the new link gets the token
    assert world.repository.get_link(new.link_id).task_token == "t2"


def test_a_young_persons_referral_check_can_be_moved_to_another_consultant(world):
    world.repository.create_person(
        young_person(
            "y1",
            Stage.REFERRAL_CHECK,
            first_name="Sara",
            postcode="6760",
            contact_adult_email="k@example.org",
            contact_adult_name="Lone",
        ),
        programme_event(world, EventKind.REFERRED),
    )
    world.results.waiting.add("ty")
    world.journeys.open_step(YOUTH, "y1", Stage.REFERRAL_CHECK, "ty", "test")
    old_link = world.repository.get_young_person("y1").open_link_id
    new = world.ops.reassign(YOUTH, "y1", "anden@rodekors.example", by="ops")
    assert world.repository.get_link(old_link).status is LinkStatus.INVALIDATED
    assert world.repository.get_young_person("y1").consultant == "anden@rodekors.example"
    world.decisions.decide(new.link_id, "approve", "")
    assert world.results.resumed == [("ty", {"outcome": "approve", "link_id": new.link_id})]
    assert kinds(world, "y1", YOUTH).count("REASSIGNED") == 1


def test_a_proposals_links_cannot_be_moved_and_ops_are_told_why(world):
    with pytest.raises(NoOpenStep, match="match proposal"):
        world.ops.resend(RecordKind.MATCH, "p1", by="ops")


def test_moving_a_step_when_none_is_open_is_refused(world):
    with pytest.raises(NoOpenStep):
        world.ops.resend(VOLUNTEER, "a1", by="ops")


class ThrottledOnce:
    """SES says "slow down" to the first email, then sends as usual."""

    def __init__(self, mailer):
        self.mailer = mailer
        self.throttled = False

    def send(self, email, tags=None):
        if not self.throttled:
            self.throttled = True
            raise SesThrottled("Maximum sending rate exceeded.")
        return self.mailer.send(email, tags)


def throttle_once(world):
    real = world.mailer
    world.mailer = ThrottledOnce(real)
    world.rewire()
    return real


def test_a_step_retried_after_ses_throttled_its_email_still_emails_the_consultant_once(world):
    sent = throttle_once(world)
    world.results.waiting.add("t1")
    with pytest.raises(SesThrottled):
        world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")
    world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")  # the state machine's retry
    world.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")  # and once more for good measure
    assert len([e for e in sent.emails if "venter på dig" in e.subject]) == 1


def test_a_letter_throttled_at_the_first_try_is_sent_once_on_the_retry(world):
    world.decisions.decide(open_step(world), "reject", "", {"reason": "Ikke klar"})
    sent = throttle_once(world)
    with pytest.raises(SesThrottled):
        world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    world.journeys.finish(VOLUNTEER, "a1", Stage.REJECTED, "test")
    assert len([e for e in sent.emails if e.subject == "Svar på din ansøgning til BackUp"]) == 1
    outcomes = [e for e in world.repository.history(VOLUNTEER, "a1") if e.stage is Stage.REJECTED]
    assert len(outcomes) == 1  # the outcome once (beside the consultant's decision on the step)


def test_every_email_is_tagged_with_the_record_and_the_role_never_an_address(world):
    world.journeys.start(VOLUNTEER, "a1")
    open_step(world)
    for _, tags in world.mailer.sent:
        assert tags["record_id"] == "a1" and tags["kind"] == "VOLUNTEER"
        assert tags["recipient"] in {"applicant", "consultant"}
        assert "@" not in "".join(tags.values())


def test_a_reminder_that_read_the_person_before_a_reassign_does_not_send_the_step_to_ops(world, monkeypatch):
    open_step(world)
    before_the_move = world.repository.get_person(VOLUNTEER, "a1")
    world.ops.reassign(VOLUNTEER, "a1", "anden@rodekors.example", by="ops")
    first_read_sees(monkeypatch, world.repository, before_the_move)
    reminded = world.journeys.remind(VOLUNTEER, "a1", Stage.PHONE_SCREENING)
    assert reminded.expired is False
    assert "STEP_TIMED_OUT" not in kinds(world)


def test_ops_can_retry_or_end_from_the_command_line_as_from_their_link(world):
    world.journeys.start(VOLUNTEER, "a1")
    world.results.waiting.add("ops-token")
    world.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    ops_link = world.repository.get_volunteer("a1").ops_link_id
    world.ops.after_failure(VOLUNTEER, "a1", "end", by="jens@rodekors.example", notes="Ringet op")
    assert world.results.resumed == [("ops-token", {"choice": "end", "link_id": ops_link})]
    ended = events(world, "OPS_ENDED")[0]
    assert ended.by == "jens@rodekors.example" and ended.notes == "Ringet op"
    assert world.repository.get_volunteer("a1").needs_ops is None
    world.journeys.finish(VOLUNTEER, "a1", Stage.CLOSED, "execution volunteer-a1")  # the run's own next task
    assert world.repository.get_volunteer("a1").stage is Stage.CLOSED
    with pytest.raises(NoOpenStep, match="not waiting for ops"):
        world.ops.after_failure(VOLUNTEER, "a1", "retry", by="ops")


def test_ops_cannot_choose_for_a_journey_that_waits_for_nobody(world):
    with pytest.raises(NoOpenStep, match="not waiting for ops"):
        world.ops.after_failure(VOLUNTEER, "a1", "end", by="ops")
    assert world.repository.get_volunteer("a1").stage is Stage.APPLIED
