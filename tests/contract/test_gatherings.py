"""What the gathering store promises, on DynamoDB (moto, the template's table) and in memory
alike: a seat only while one is free, also under many clicks at once; the waiting list in order;
no answer from someone not invited, after the deadline, or on a cancelled gathering."""

from __future__ import annotations

import threading
from datetime import timedelta

import boto3
import pytest

from backup.adapters.dynamodb_gatherings import DynamoGatherings, _meta_key
from backup.adapters.memory_gatherings import MemoryGatherings
from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import Answer, GatheringStatus, SignUpClosed
from backup.domain.kinds import RecordKind
from tests.factories import NOW
from tests.gathering_factories import details, gathering, invitation
from tests.integration.conftest import aws, table  # noqa: F401 - the moto fixtures

BEFORE = NOW + timedelta(days=1)  # the gathering starts NOW + 10 days; its deadline is a day before


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest):
    if request.param == "memory":
        return MemoryGatherings()
    return DynamoGatherings(request.getfixturevalue("table"), boto3.resource("dynamodb"), sleep=lambda s: None)


def invite_many(store, count, gathering_id="g1"):
    links = []
    for n in range(count):
        item = invitation(f"l{n:03d}", f"v{n:03d}", gathering_id=gathering_id)
        assert store.add_invitation(item)
        links.append(item.link_id)
    return links


def test_a_gathering_is_created_once_and_reads_back(store):
    store.create_gathering(gathering("g1", capacity=3))
    with pytest.raises(Conflict):
        store.create_gathering(gathering("g1"))
    found = store.get_gathering("g1")
    assert found.details.capacity == 3 and found.details.theme == "Din første bolig"
    assert found.status is GatheringStatus.OPEN and found.taken == 0 and found.free == 3
    assert found.details.region == "Midtjylland"
    with pytest.raises(NotFound):
        store.get_gathering("nope")


def test_gatherings_are_listed_soonest_first(store):
    store.create_gathering(gathering("late", starts_in=timedelta(days=30)))
    store.create_gathering(gathering("soon", starts_in=timedelta(days=5)))
    assert [g.id for g in store.list_gatherings()] == ["soon", "late"]


def test_a_person_is_invited_once(store):
    store.create_gathering(gathering("g1"))
    assert store.add_invitation(invitation("l1", "v1"))
    assert not store.add_invitation(invitation("l2", "v1"))
    assert store.add_invitation(invitation("l3", "v1", kind=RecordKind.YOUTH))  # another kind, another person
    assert [i.link_id for i in store.invitations("g1")] == ["l1", "l3"]
    assert store.get_invitation("g1", "l2") is None
    assert store.get_invitation("g1", "l1").answer is Answer.NONE


def test_yes_takes_a_seat_then_the_waiting_list_and_no_gives_it_back(store):
    store.create_gathering(gathering("g1", capacity=2))
    a, b, c, d = invite_many(store, 4)
    assert store.answer("g1", a, True, BEFORE) is Answer.YES
    assert store.answer("g1", a, True, BEFORE) is Answer.YES  # the same click again takes nothing
    assert store.answer("g1", b, True, BEFORE) is Answer.YES
    assert store.answer("g1", c, True, BEFORE) is Answer.WAITING
    assert store.answer("g1", d, True, BEFORE + timedelta(minutes=1)) is Answer.WAITING
    assert store.get_gathering("g1").taken == 2
    assert store.answer("g1", a, False, BEFORE) is Answer.NO
    assert store.get_gathering("g1").taken == 1
    promoted = store.promote_next("g1")
    assert promoted is not None and promoted.link_id == c and promoted.answer is Answer.YES
    assert store.promote_next("g1") is None  # full again
    assert store.get_invitation("g1", d).answer is Answer.WAITING
    assert store.get_gathering("g1").taken == 2


def test_the_waiting_list_moves_up_first_come_first(store):
    store.create_gathering(gathering("g1", capacity=1))
    first, *waiting = invite_many(store, 4)
    store.answer("g1", first, True, BEFORE)
    for minutes, link in zip((3, 1, 2), waiting, strict=True):
        assert store.answer("g1", link, True, BEFORE + timedelta(minutes=minutes)) is Answer.WAITING
    order = []
    holder = first
    for _ in waiting:
        store.answer("g1", holder, False, BEFORE + timedelta(hours=1))
        promoted = store.promote_next("g1")
        order.append(promoted.link_id)
        holder = promoted.link_id
    assert order == [waiting[1], waiting[2], waiting[0]]


def test_a_waiting_person_who_says_no_leaves_the_list(store):
    store.create_gathering(gathering("g1", capacity=1))
    a, b = invite_many(store, 2)
    store.answer("g1", a, True, BEFORE)
    store.answer("g1", b, True, BEFORE)
    assert store.answer("g1", b, False, BEFORE) is Answer.NO
    store.answer("g1", a, False, BEFORE)
    assert store.promote_next("g1") is None
    assert store.get_gathering("g1").taken == 0


def test_no_answer_after_the_deadline_on_a_cancelled_gathering_or_without_an_invitation(store):
    store.create_gathering(gathering("g1", capacity=5))
    (a,) = invite_many(store, 1)
    deadline = store.get_gathering("g1").deadline
    with pytest.raises(SignUpClosed, match="Fristen"):
        store.answer("g1", a, True, deadline)
    with pytest.raises(NotFound):
        store.answer("g1", "not-invited", True, BEFORE)
    store.answer("g1", a, True, BEFORE)
    assert store.end("g1", GatheringStatus.CANCELLED, "sygdom")
    assert not store.end("g1", GatheringStatus.CANCELLED)
    with pytest.raises(SignUpClosed, match="aflyst"):
        store.answer("g1", a, False, BEFORE)
    assert store.get_invitation("g1", a).answer is Answer.YES
    assert store.promote_next("g1") is None
    assert store.get_gathering("g1").cancel_reason == "sygdom"


def test_capacity_can_be_changed_but_not_below_the_seats_taken(store):
    store.create_gathering(gathering("g1", capacity=2))
    a, b, c = invite_many(store, 3)
    for link in (a, b, c):
        store.answer("g1", link, True, BEFORE)
    with pytest.raises(Conflict):
        store.update_details("g1", details(capacity=1))
    assert store.update_details("g1", details(capacity=3, theme="Penge og budget")).details.theme == "Penge og budget"
    assert store.promote_next("g1").link_id == c
    store.end("g1", GatheringStatus.CLOSED)
    with pytest.raises(Conflict):
        store.update_details("g1", details(capacity=10))


def test_attendance_is_recorded_only_once_the_gathering_has_begun(store):
    store.create_gathering(gathering("g1"))
    (a,) = invite_many(store, 1)
    starts = store.get_gathering("g1").starts_at
    with pytest.raises(Conflict):
        store.record_attendance("g1", a, True, BEFORE)
    store.record_attendance("g1", a, True, starts)
    assert store.get_invitation("g1", a).attended is True
    with pytest.raises(NotFound):
        store.record_attendance("g1", "nobody", True, starts)


@pytest.mark.parametrize("clicks,capacity", [(30, 7)])
def test_many_yes_clicks_at_once_never_overbook(store, clicks, capacity):
    store.create_gathering(gathering("g1", capacity=capacity))
    links = invite_many(store, clicks)
    start = threading.Barrier(clicks)
    answers: list[Answer] = []

    def click(link: str) -> None:
        start.wait()
        answers.append(store.answer("g1", link, True, BEFORE))

    threads = [threading.Thread(target=click, args=(link,)) for link in links]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers).count(Answer.YES) == capacity
    assert answers.count(Answer.WAITING) == clicks - capacity
    stored = store.invitations("g1")
    assert sum(i.answer is Answer.YES for i in stored) == capacity
    assert store.get_gathering("g1").taken == capacity


def test_seats_given_back_at_once_each_go_to_one_waiting_person(store):
    store.create_gathering(gathering("g1", capacity=5))
    links = invite_many(store, 12)
    for n, link in enumerate(links):
        store.answer("g1", link, True, BEFORE + timedelta(seconds=n))
    leaving = links[:3]
    start = threading.Barrier(6)

    def leave(link: str) -> None:
        start.wait()
        store.answer("g1", link, False, BEFORE)

    def promote() -> None:
        start.wait()
        store.promote_next("g1")

    threads = [threading.Thread(target=leave, args=(link,)) for link in leaving]
    threads += [threading.Thread(target=promote) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    while store.promote_next("g1") is not None:
        pass
    stored = {i.link_id: i.answer for i in store.invitations("g1")}
    assert [stored[link] for link in links[3:8]] == [Answer.YES] * 5  # the first five who waited
    assert [stored[link] for link in links[8:]] == [Answer.WAITING] * 4
    assert store.get_gathering("g1").taken == 5


def test_a_gathering_and_its_invitations_expire_with_the_retention_after_it_ended(request):
    name = request.getfixturevalue("table")
    store = DynamoGatherings(name, boto3.resource("dynamodb"))
    store.retention_days = 30
    store.create_gathering(gathering("g1"))
    store.add_invitation(invitation("l1", "v1"))
    ended = store.get_gathering("g1").details.ends_at
    items = boto3.resource("dynamodb").Table(name).scan()["Items"]
    assert len(items) == 3
    assert {int(i["expires_at"]) for i in items} == {int((ended + timedelta(days=30)).timestamp())}


def test_a_gathering_moved_later_keeps_its_record_for_the_retention_after_its_new_end(request):
    name = request.getfixturevalue("table")
    store = DynamoGatherings(name, boto3.resource("dynamodb"))
    store.retention_days = 30
    store.create_gathering(gathering("g1"))
    moved = store.update_details("g1", details(starts_in=timedelta(days=40)))
    meta = boto3.resource("dynamodb").Table(name).get_item(Key=_meta_key("g1"))["Item"]
    assert int(meta["expires_at"]) == int((moved.details.ends_at + timedelta(days=30)).timestamp())


def test_an_erased_person_leaves_no_trace_in_a_gatherings_invitations(request):
    """Erasure (backup.usecases.data_rights) scrubs the whole table: the invitation keeps only an
    anonymous id, and the guard keyed by them goes."""
    from backup.domain.erasure import Scrubber

    name = request.getfixturevalue("table")
    store = DynamoGatherings(name, boto3.resource("dynamodb"))
    person_id = "zorba1234567"
    store.create_gathering(gathering("g1"))
    store.add_invitation(invitation("l1", person_id))
    store.answer("g1", "l1", True, BEFORE)
    store.scrub_everywhere(Scrubber(person_id, "slettet-1", ["Zorbalina"]), set())
    items = boto3.resource("dynamodb").Table(name).scan()["Items"]
    assert person_id not in str(items)
    assert store.get_invitation("g1", "l1").person_id == "slettet-1"
    assert store.get_gathering("g1").taken == 1  # the seat they took stays counted


def test_a_seat_contended_past_the_retries_is_decided_again_on_a_fresh_read(request):
    """DynamoDB cancels a transaction that meets another on the same item (TransactionConflict);
    after the adapter's own retries the answer is decided again, never a 500."""
    from botocore.exceptions import ClientError

    store = DynamoGatherings(request.getfixturevalue("table"), boto3.resource("dynamodb"), sleep=lambda s: None)
    store.create_gathering(gathering("g1", capacity=1))
    (link,) = invite_many(store, 1)
    real, conflicts = store.client.transact_write_items, iter(range(6))

    def busy(**kwargs):
        if next(conflicts, None) is not None:
            error = {"Code": "TransactionCanceledException", "Message": "conflict"}
            raise ClientError(
                {"Error": error, "CancellationReasons": [{"Code": "TransactionConflict"}]}, "TransactWriteItems"
            )
        return real(**kwargs)

    store.client.transact_write_items = busy
    assert store.answer("g1", link, True, BEFORE) is Answer.YES
    assert store.get_gathering("g1").taken == 1
