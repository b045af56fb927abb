"""The DynamoDB adapter on moto: records are created once, history only grows, links are used once."""

import threading
from datetime import timedelta

import boto3
import pytest

from backup.history import Event, EventKind
from backup.links import Link, LinkKind, LinkStatus
from backup.repository import Conflict, Repository
from backup.stages import Stage

from .conftest import Clock


@pytest.fixture
def repo(table):
    return Repository(table, boto3.resource("dynamodb"))


def _link(clock, link_id="L1"):
    return Link(link_id=link_id, kind=LinkKind.DECISION, application_id="a1", stage=Stage.HOME_VISIT,
                sent_to="k@x.dk", created_at=clock(), expires_at=clock() + timedelta(days=3))


def test_a_volunteer_is_created_once(repo):
    clock = Clock()
    assert repo.create_volunteer("a1", {"first_name": "Mette"}, Event(at=clock(), kind=EventKind.APPLIED))
    assert not repo.create_volunteer("a1", {"first_name": "Other"}, Event(at=clock(), kind=EventKind.APPLIED))
    assert repo.get_volunteer("a1")["details"] == {"first_name": "Mette"}
    assert len(repo.history("a1")) == 1


def test_the_history_keeps_every_event_in_order(repo):
    clock = Clock()
    repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    for minutes, stage in enumerate((Stage.PHONE_SCREENING, Stage.HOME_VISIT, Stage.CHILD_CERTIFICATE), start=1):
        clock.at += timedelta(minutes=1)
        repo.enter_stage("a1", stage, Event(at=clock(), kind=EventKind.STEP_OPENED, stage=stage))
    kinds = [(e["kind"], e.get("event_stage")) for e in repo.history("a1")]
    assert kinds == [("APPLIED", None), ("STEP_OPENED", "PHONE_SCREENING"), ("STEP_OPENED", "HOME_VISIT"),
                     ("STEP_OPENED", "CHILD_CERTIFICATE")]
    assert repo.get_volunteer("a1")["stage"] == "CHILD_CERTIFICATE"


def test_two_events_in_the_same_microsecond_are_both_kept(repo):
    clock = Clock()
    repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    repo.add_event("a1", Event(at=clock(), kind=EventKind.REMINDER_SENT))
    repo.add_event("a1", Event(at=clock(), kind=EventKind.REMINDER_SENT))
    assert len(repo.history("a1")) == 3


def test_volunteers_are_listed_by_stage_longest_waiting_first(repo):
    clock = Clock()
    for application_id in ("late", "early"):
        repo.create_volunteer(application_id, {}, Event(at=clock(), kind=EventKind.APPLIED))
    repo.enter_stage("early", Stage.HOME_VISIT, Event(at=clock(), kind=EventKind.STEP_OPENED))
    clock.at += timedelta(hours=1)
    repo.enter_stage("late", Stage.HOME_VISIT, Event(at=clock(), kind=EventKind.STEP_OPENED))
    assert repo.volunteers_in_stage(Stage.HOME_VISIT) == ["early", "late"]


def test_a_link_is_used_once(repo):
    clock = Clock()
    repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    repo.put_link(_link(clock), "token-1", clock() + timedelta(days=30))
    clock.at += timedelta(minutes=5)
    event = Event(at=clock(), kind=EventKind.APPROVED, by="k@x.dk")
    repo.use_link("L1", "approve", "k@x.dk", clock(), "a1", event)
    with pytest.raises(Conflict):
        repo.use_link("L1", "reject", "k@x.dk", clock(), "a1", event)
    link, token = repo.get_link("L1")
    assert link.status is LinkStatus.USED and link.decision == "approve"
    assert [e["kind"] for e in repo.history("a1")] == ["APPLIED", "APPROVED"]


def test_concurrent_uses_of_one_link_let_exactly_one_through(repo, table):
    clock = Clock()
    repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    repo.put_link(_link(clock), "token-1", clock() + timedelta(days=30))
    outcomes = []

    def use(decision):
        try:
            repo.use_link("L1", decision, "k@x.dk", clock(), "a1",
                          Event(at=clock(), kind=EventKind.APPROVED, by="k@x.dk"))
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")

    threads = [threading.Thread(target=use, args=(d,)) for d in ("approve", "reject") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]


def test_an_expired_link_cannot_be_used_even_if_still_open(repo):
    clock = Clock()
    repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    repo.put_link(_link(clock), "token-1", clock() + timedelta(days=30))
    with pytest.raises(Conflict):
        repo.use_link("L1", "approve", "k@x.dk", clock() + timedelta(days=4), "a1",
                      Event(at=clock(), kind=EventKind.APPROVED))


def test_invalidating_a_link_removes_its_token_and_happens_once(repo):
    clock = Clock()
    repo.put_link(_link(clock), "token-1", clock() + timedelta(days=30))
    assert repo.invalidate_link("L1", "withdrawn")
    assert not repo.invalidate_link("L1", "withdrawn")
    link, token = repo.get_link("L1")
    assert link.status is LinkStatus.INVALIDATED and link.invalid_reason == "withdrawn" and token is None


def test_a_transaction_cancelled_by_a_concurrent_one_is_tried_again(repo, monkeypatch):
    from botocore.exceptions import ClientError

    clock = Clock()
    calls = []
    real = repo.client.transact_write_items

    def busy_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                               "CancellationReasons": [{"Code": "TransactionConflict"}]}, "TransactWriteItems")
        return real(**kwargs)

    monkeypatch.setattr(repo.client, "transact_write_items", busy_once)
    assert repo.create_volunteer("a1", {}, Event(at=clock(), kind=EventKind.APPLIED))
    assert len(calls) == 2
