"""The DynamoDB adapter itself, on moto: what the contract tests cannot see from outside. The item
layout that ops, the local stack's client and the end-to-end tests read; retries of writes that
meet a concurrent transaction; the SES adapter's message."""

from datetime import timedelta
from email import message_from_string, policy

import boto3
import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.ses import SesMailer, SesThrottled
from backup.domain.emails import compose
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.proposals import Candidate
from backup.domain.records import ProposalRecord
from backup.domain.stages import Stage
from tests.factories import NOW, link, volunteer

from .conftest import SENDER, sent_emails


@pytest.fixture
def repo(table):
    return DynamoRepository(table, boto3.resource("dynamodb"), sleep=lambda seconds: None)


def item(table, pk):
    return boto3.resource("dynamodb").Table(table).get_item(Key={"pk": pk, "sk": "PROFILE"})["Item"]


def test_records_are_stored_in_the_layout_ops_and_the_console_read(repo, table):
    repo.create_person(
        volunteer("a1", Stage.PHONE_SCREENING, first_name="Mette", birth_date="1980-05-01", interests=["football"]),
        Event(at=NOW, kind=EventKind.APPLIED),
    )
    stored = item(table, "VOLUNTEER#a1")
    assert stored["application_id"] == "a1" and stored["kind"] == "VOLUNTEER" and stored["stage"] == "PHONE_SCREENING"
    assert stored["stage_since"] == "2026-11-26T09:00:00.000000+00:00" and stored["applied_at"] == stored["stage_since"]
    assert stored["details"]["birth_date"] == "1980-05-01" and stored["details"]["interests"] == ["football"]
    assert "withdrawal_requested" not in stored and "proposal_id" not in stored  # unset is absent
    proposal = ProposalRecord(
        id="p1",
        stage=Stage.MATCH_PROPOSED,
        stage_since=NOW,
        created_at=NOW,
        youth_id="y1",
        volunteer_id="v1",
        chosen=Candidate("v1", 91.257, "tæt på"),
    )
    repo.change_together([], new_proposal=proposal)
    stored = item(table, "MATCH#p1")
    chosen = stored["details"]["chosen"]
    assert chosen["volunteer_id"] == "v1" and float(chosen["score"]) == 91.257 and chosen["reason"] == "tæt på"
    assert stored["details"]["youth_id"] == "y1" and stored["details"]["volunteer_id"] == "v1"
    repo.update(RecordKind.MATCH, "p1", set={"volunteer_id": "v2"})
    assert item(table, "MATCH#p1")["details"]["volunteer_id"] == "v2"


def test_a_transaction_cancelled_by_a_concurrent_one_is_tried_again(repo, monkeypatch):
    from botocore.exceptions import ClientError

    calls = []
    real = repo.client.transact_write_items

    def busy_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}],
                },
                "TransactWriteItems",
            )
        return real(**kwargs)

    monkeypatch.setattr(repo.client, "transact_write_items", busy_once)
    assert repo.create_person(volunteer("a1"), Event(at=NOW, kind=EventKind.APPLIED))
    assert len(calls) == 2


def test_a_single_write_that_meets_a_transaction_is_tried_again(repo, monkeypatch):
    from botocore.exceptions import ClientError

    repo.create_person(volunteer("a1"), Event(at=NOW, kind=EventKind.APPLIED))
    calls = []
    real = repo.table.put_item

    def busy_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "TransactionConflictException", "Message": "busy"}}, "PutItem")
        return real(**kwargs)

    monkeypatch.setattr(repo.table, "put_item", busy_once)
    repo.put_link(link("l1"), NOW + timedelta(days=30))
    assert len(calls) == 2 and repo.get_link("l1") is not None


def test_the_ses_adapter_sends_plain_text_and_html_tagged_without_addresses(ses):
    mailer = SesMailer(SENDER, boto3.client("sesv2"))
    mailer.send(
        compose("mette@example.org", "Kære Mette", "Hej Mette\n\nSe https://backup.example/x"),
        {"record_id": "a1", "kind": "VOLUNTEER", "recipient": "applicant"},
    )
    (message,) = sent_emails()
    parsed = message_from_string(message.raw_data, policy=policy.default)
    assert str(parsed["To"]) == "mette@example.org" and "Røde Kors BackUp" in str(parsed["From"])
    assert "Hej Mette" in parsed.get_body(("plain",)).get_content()
    assert '<a href="https://backup.example/x">' in parsed.get_body(("html",)).get_content()


def test_ses_throttling_is_its_own_error_so_the_state_machine_retries_it():
    from botocore.exceptions import ClientError

    class Throttling:
        def send_email(self, **kwargs):
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow"}}, "SendEmail")

    with pytest.raises(SesThrottled):
        SesMailer(SENDER, Throttling()).send(compose("a@b.dk", "s", "t"))


def test_a_record_stored_with_empty_texts_for_none_still_reads(repo, table):
    """Records written before the typed model cleared a step by storing "" instead of removing it."""
    boto3.resource("dynamodb").Table(table).put_item(
        Item={
            "pk": "VOLUNTEER#old1",
            "sk": "PROFILE",
            "application_id": "old1",
            "kind": "VOLUNTEER",
            "stage": "READY_FOR_MATCH",
            "stage_since": "2026-01-05T09:00:00.000000+00:00",
            "applied_at": "2026-01-01T09:00:00.000000+00:00",
            "open_stage": "",
            "open_link_id": "",
            "details": {"first_name": "Mette"},
        }
    )
    found = repo.get_volunteer("old1")
    assert found.open_stage is None and found.open_link_id is None and found.first_name == "Mette"


def test_an_item_read_without_botocores_parser_gives_what_botocores_parser_gives(repo, table):
    """read_items_directly: the repository's reads take DynamoDB's JSON as the answer; a client
    without it parses the same answer value by value. Every type DynamoDB has, nested."""
    from decimal import Decimal

    stored = {
        "pk": "ODD#1",
        "sk": "PROFILE",
        "text": "Søren «é» \\n",
        "number": Decimal("-12.50"),
        "big": Decimal("123456789012345678901234567890"),
        "flag": True,
        "nothing": None,
        "numbers": {Decimal("1"), Decimal("2.5")},
        "words": {"a", "b"},
        "nested": {"list": [1, "two", {"three": [False, None]}], "empty": {}, "none": []},
    }
    boto3.resource("dynamodb").Table(table).put_item(Item=stored)
    key = {"pk": "ODD#1", "sk": "PROFILE"}
    bodies = []  # what botocore's parser is left with, seen after the repository's handler
    repo.table.meta.client.meta.events.register(
        "before-parse.dynamodb", lambda response_dict, **_: bodies.append(response_dict["body"])
    )
    direct = repo.table.get_item(Key=key, ConsistentRead=True)["Item"]
    assert bodies == [b"{}"]  # the answer was not parsed value by value
    parsed = boto3.resource("dynamodb").Table(table).get_item(Key=key, ConsistentRead=True)["Item"]
    assert direct == parsed == stored
    pages = repo.client.batch_get_item(RequestItems={table: {"Keys": [key]}})["Responses"][table]
    assert pages == [stored]


def test_an_item_with_a_binary_value_is_left_to_botocores_parser_which_decodes_it(repo, table):
    from boto3.dynamodb.types import Binary

    boto3.resource("dynamodb").Table(table).put_item(Item={"pk": "BIN#1", "sk": "PROFILE", "blob": b"\x00\xffok"})
    found = repo.table.get_item(Key={"pk": "BIN#1", "sk": "PROFILE"})["Item"]
    assert found["blob"] == Binary(b"\x00\xffok")  # not its base64 text


def test_a_failed_read_is_still_the_error_botocore_makes_of_it(repo):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as failed:
        repo.table.meta.client.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_many_items_read_in_dynamodbs_typed_form_convert_as_boto3_converts_them():
    """get_people converts the typed items itself (plain_item): every type, as boto3's own
    deserializer gives it, binary included; an unknown tag is an error, never a guess."""
    from decimal import Decimal

    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    from backup.adapters.dynamodb import plain_item, plain_value

    values = {
        "text": "Søren «é»",
        "number": Decimal("-12.50"),
        "big": Decimal("123456789012345678901234567890"),
        "flag": False,
        "nothing": None,
        "numbers": {Decimal("1"), Decimal("2.5")},
        "words": {"a", "b"},
        "blob": b"\x00\xff",
        "blobs": {b"a", b"b"},
        "nested": {"list": [1, "two", {"three": [True, None, b"x"]}], "empty": {}, "none": []},
    }
    typed = {name: TypeSerializer().serialize(value) for name, value in values.items()}
    boto3s = {name: TypeDeserializer().deserialize(value) for name, value in typed.items()}
    assert plain_item(typed) == boto3s
    assert all(type(plain_item(typed)[n]) is type(boto3s[n]) for n in typed)  # Binary, not bytes; set, not list
    with pytest.raises(TypeError):
        plain_value({"X": "1"})


def test_the_reader_reads_items_as_sent_and_get_people_converts_them(repo, table):
    repo.create_person(volunteer("a1", first_name="Mette", postcode="8000"), Event(at=NOW, kind=EventKind.APPLIED))
    bodies = []
    repo.reader.meta.events.register(
        "before-parse.dynamodb", lambda response_dict, **_: bodies.append(response_dict["body"])
    )
    (found,) = repo.get_people(RecordKind.VOLUNTEER, ["a1"])
    assert bodies == [b"{}"]  # not botocore's parser
    assert found == repo.get_volunteer("a1")


class _Busy:
    """A reader whose table is busy: it leaves all but one key unread on each request."""

    def __init__(self, real, give_up=False):
        self.real, self.give_up, self.asked = real, give_up, []
        self.meta = real.meta  # the repository registers its item reading on it

    def batch_get_item(self, RequestItems):  # noqa: N803 - boto3's name
        ((table, request),) = RequestItems.items()
        self.asked.append(len(request["Keys"]))
        first, rest = request["Keys"][:1], request["Keys"][1:]
        page = self.real.batch_get_item(RequestItems={table: {**request, "Keys": first}})
        if self.give_up:
            rest = request["Keys"]
        page["UnprocessedKeys"] = {table: {**request, "Keys": rest}} if rest else {}
        return page


def test_keys_dynamodb_leaves_unread_are_asked_for_again_after_a_pause(table):
    pauses = []
    busy = _Busy(boto3.client("dynamodb"))
    repo = DynamoRepository(table, boto3.resource("dynamodb"), sleep=pauses.append, reader=busy)
    for n in range(3):
        repo.create_person(volunteer(f"a{n}"), Event(at=NOW, kind=EventKind.APPLIED))
    found = repo.get_people(RecordKind.VOLUNTEER, ["a0", "a1", "a2"])
    assert sorted(p.id for p in found) == ["a0", "a1", "a2"]
    assert busy.asked == [3, 2, 1] and len(pauses) == 2


def test_a_table_that_never_answers_some_keys_is_an_error_not_a_smaller_pool(table):
    busy = _Busy(boto3.client("dynamodb"), give_up=True)
    repo = DynamoRepository(table, boto3.resource("dynamodb"), sleep=lambda seconds: None, reader=busy)
    repo.create_person(volunteer("a0"), Event(at=NOW, kind=EventKind.APPLIED))
    with pytest.raises(RuntimeError, match="unread"):
        repo.get_people(RecordKind.VOLUNTEER, ["a0"])


def test_a_repository_given_a_resource_reads_many_from_the_same_endpoint_and_region():
    resource = boto3.resource("dynamodb", endpoint_url="http://127.0.0.1:4566", region_name="eu-north-1")
    reader = DynamoRepository("t", resource).reader
    assert (reader.meta.endpoint_url, reader.meta.region_name) == ("http://127.0.0.1:4566", "eu-north-1")
