"""The local stack's corrections to moto keep DynamoDB's and Step Functions' behaviour."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from local_stack.moto_fixes import (
    back_up_transactions_by_item,
    one_client_per_service,
    parse_each_json_path_once,
    parse_each_update_expression_once,
)

EXISTS, NEW = "attribute_exists(pk)", "attribute_not_exists(pk)"


def key(pk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": "PROFILE"}}


@pytest.fixture
def client(table: str) -> object:
    back_up_transactions_by_item()
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=table, Item={**key("a"), "n": {"N": "1"}})
    return dynamodb


def table_items(dynamodb: object, table: str) -> list[dict[str, object]]:
    return sorted(dynamodb.scan(TableName=table)["Items"], key=lambda item: item["pk"]["S"])  # type: ignore[attr-defined]


def test_a_failed_transaction_leaves_every_item_as_it_was(client, table):
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"]["eu-west-1"]
    before, stored = table_items(client, table), backend.tables[table]
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**key("b"), "n": {"N": "2"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("a"),
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "9"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key("c"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert table_items(client, table) == before
    assert backend.tables[table] is stored  # the table itself was neither copied nor replaced


def test_a_transaction_that_succeeds_writes_all_its_items(client, table):
    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {**key("b"), "n": {"N": "2"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": table, "Key": key("a")}},
        ]
    )
    assert [item["pk"]["S"] for item in table_items(client, table)] == ["b"]


def test_queries_of_a_partition_and_of_the_index_find_what_they_found_before(client, table):
    from local_stack.moto_fixes import query_only_what_can_match

    def both() -> tuple[object, object]:
        partition = client.query(
            TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}
        )["Items"]
        index = client.query(
            TableName=table,
            IndexName="by_stage",
            KeyConditionExpression="stage = :s",
            ExpressionAttributeValues={":s": {"S": "WAITING"}},
        )["Items"]
        return partition, index

    for k, stage in enumerate(["WAITING", "DONE", "WAITING"]):
        item = {
            "pk": {"S": "a"},
            "sk": {"S": f"EVENT#{k}"},
            "stage": {"S": stage},
            "stage_since": {"S": f"2026-0{k + 1}"},
        }
        client.put_item(TableName=table, Item=item)
    client.put_item(TableName=table, Item={**key("b"), "stage": {"S": "WAITING"}, "stage_since": {"S": "2025"}})
    before = both()
    query_only_what_can_match()
    assert both() == before
    partition, index = before
    assert len(partition) == 4 and [i["pk"]["S"] for i in index] == ["b", "a", "a"]  # type: ignore[union-attr]


def test_a_json_path_parsed_once_reads_and_writes_each_input_as_its_own():
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils.json_path import NoSuchJsonPathError, extract_json

    parse_each_json_path_once()
    assert extract_json("$.person.id", {"person": {"id": "a"}}) == "a"
    assert extract_json("$.person.id", {"person": {"id": "b"}}) == "b"
    assert extract_json("$.items[0]", {"items": ["x", "y"]}) == "x"
    with pytest.raises(NoSuchJsonPathError):
        extract_json("$.person.id", {"person": {}})
    first = result_path.parse("$.result").update_or_create({"n": 1}, {"ok": True})
    second = result_path.parse("$.result").update_or_create({"n": 2}, {"ok": False})
    assert (first, second) == ({"n": 1, "result": {"ok": True}}, {"n": 2, "result": {"ok": False}})


def test_the_engine_keeps_one_client_per_region_and_service():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    one_client_per_service()
    client = lambda_eval_utils.boto_client_for(region="eu-west-1", service="lambda", state_credentials=None)
    assert lambda_eval_utils.boto_client_for(region="eu-west-1", service="lambda", state_credentials=object()) is client
    assert lambda_eval_utils.boto_client_for(region="eu-west-1", service="sqs", state_credentials=None) is not client
    assert client.meta.region_name == "eu-west-1" and client.meta.service_model.service_name == "lambda"


def test_item_reads_answered_as_json_give_what_moto_gave_every_type_and_page(client, table):
    from local_stack.moto_fixes import answer_item_reads_as_json

    odd = {
        **key("odd"),
        "text": {"S": "Søren «é»"},
        "number": {"N": "-12.50"},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
        "blob": {"B": b"\x00\xffok"},
        "blobs": {"BS": [b"a", b"b"]},
        "numbers": {"NS": ["1", "2.5"]},
        "nested": {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}, {"M": {}}]}}},
        "stage": {"S": "WAITING"},
        "stage_since": {"S": "2026"},
    }
    client.put_item(TableName=table, Item=odd)
    client.put_item(TableName=table, Item={**key("b"), "stage": {"S": "WAITING"}, "stage_since": {"S": "2025"}})

    def reads() -> list[object]:
        keys = [key("odd"), key("a"), key("missing")]
        index = {"IndexName": "by_stage", "KeyConditionExpression": "stage = :s"}
        return [
            client.get_item(TableName=table, Key=key("odd")),
            client.get_item(TableName=table, Key=key("missing")),
            client.batch_get_item(RequestItems={table: {"Keys": keys}})["Responses"],
            client.query(TableName=table, ExpressionAttributeValues={":s": {"S": "WAITING"}}, Limit=1, **index),
            client.scan(TableName=table, Limit=2),
        ]

    def without_metadata(answers: list[object]) -> list[object]:
        return [{k: v for k, v in a.items() if k != "ResponseMetadata"} for a in answers]  # type: ignore[attr-defined]

    before = without_metadata(reads())
    answer_item_reads_as_json()
    assert without_metadata(reads()) == before
    assert before[0]["Item"]["blob"] == {"B": b"\x00\xffok"}  # type: ignore[index]  # bytes, as botocore decodes them
    assert "LastEvaluatedKey" in before[3] and "LastEvaluatedKey" in before[4]  # type: ignore[operator]
    with pytest.raises(ClientError) as failed:  # an error is still moto's own answer
        client.get_item(TableName="no-such-table", Key=key("a"))
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_update_expression_parsed_once_applies_to_each_item_with_its_own_values(client, table):
    parse_each_update_expression_once()
    client.put_item(TableName=table, Item={**key("b"), "n": {"N": "10"}})
    add = "SET n = n + :step, seen = list_append(if_not_exists(seen, :none), :who)"
    for pk, step in (("a", "1"), ("b", "5"), ("a", "2"), ("new", "7")):
        client.update_item(
            TableName=table,
            Key=key(pk),
            UpdateExpression=add if pk != "new" else "SET n = :step, seen = :who",
            ExpressionAttributeValues={":step": {"N": step}, ":who": {"L": [{"S": pk + step}]}}
            | ({":none": {"L": []}} if pk != "new" else {}),
        )
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    assert UpdateExpressionParser.make(add) is UpdateExpressionParser.make(add)  # one tree for the text
    items = {item["pk"]["S"]: item for item in table_items(client, table)}
    assert items["a"]["n"] == {"N": "4"} and items["a"]["seen"] == {"L": [{"S": "a1"}, {"S": "a2"}]}
    assert items["b"]["n"] == {"N": "15"} and items["b"]["seen"] == {"L": [{"S": "b5"}]}
    assert items["new"]["n"] == {"N": "7"}


def test_an_update_expression_that_cannot_be_parsed_is_refused_every_time(client, table):
    parse_each_update_expression_once()
    for _ in range(2):  # a failure is not kept as if it were a parsed expression
        with pytest.raises(ClientError, match="ValidationException"):
            client.update_item(
                TableName=table,
                Key=key("a"),
                UpdateExpression="SET n = = :x",
                ExpressionAttributeValues={":x": {"N": "1"}},
            )
    assert table_items(client, table)[0]["n"] == {"N": "1"}
