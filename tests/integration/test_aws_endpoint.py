"""The local AWS endpoint keeps a client's connection open between calls (local_stack/aws_endpoint.py)
and answers every call on it whole: moto's answers as they were, a failure as a 500 that closes."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local_stack.aws_endpoint import AwsEndpoint, KeepAliveHandler
from local_stack.stack import free_port

LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261203/eu-west-1/dynamodb/aws4_request, Signature=x",
    "Host": "dynamodb.eu-west-1.amazonaws.com",
}


@pytest.fixture
def endpoint() -> Iterator[AwsEndpoint]:
    served = AwsEndpoint(free_port())
    served.start()
    yield served
    served.stop()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection the endpoint accepts."""
    accepted: list[Any] = []
    setup = KeepAliveHandler.setup

    def counting(self: KeepAliveHandler) -> None:
        accepted.append(self.client_address)
        setup(self)

    monkeypatch.setattr(KeepAliveHandler, "setup", counting)
    return accepted


def list_tables(connection: http.client.HTTPConnection, **headers: str) -> http.client.HTTPResponse:
    connection.request(
        "POST",
        "/",
        body=b"{}",
        headers={**LIST_TABLES, **SIGNED, "Host": "dynamodb.eu-west-1.amazonaws.com", **headers},
    )
    return connection.getresponse()


def test_one_connection_carries_many_calls(endpoint: AwsEndpoint, connections: list[Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    for _ in range(3):
        answer = list_tables(connection)
        assert answer.status == 200
        assert answer.getheader("Connection") is None
        assert "TableNames" in json.loads(answer.read())
    assert len(connections) == 1
    connection.close()


def test_a_client_that_asks_to_close_is_closed(endpoint: AwsEndpoint) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    answer = list_tables(connection, Connection="close")
    assert answer.status == 200
    assert answer.getheader("Connection") == "close"
    answer.read()
    connection.close()


def test_a_chunked_body_is_answered_the_way_werkzeug_does_and_closes(endpoint: AwsEndpoint) -> None:
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as raw:
        headers = {**LIST_TABLES, **SIGNED, "Transfer-Encoding": "chunked"}
        head = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
        raw.sendall(f"POST / HTTP/1.1\r\n{head}\r\n".encode() + b"2\r\n{}\r\n0\r\n\r\n")
        received = b""
        while chunk := raw.recv(65536):  # the endpoint closes the connection after its answer
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    assert b"TableNames" in received


def test_moto_failing_is_a_500_that_closes_the_connection(endpoint: AwsEndpoint) -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError("moto fell over")

    assert endpoint._server is not None
    endpoint._server.app = broken
    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    answer = list_tables(connection)
    assert answer.status == 500
    assert answer.getheader("Connection") == "close"
    assert answer.read() == b"Internal Server Error"
    connection.close()


def test_a_boto3_client_reuses_its_connection_for_a_table_round_trip(
    endpoint: AwsEndpoint, connections: list[Any]
) -> None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{endpoint.port}",
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    dynamodb.create_table(
        TableName="keepalive",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(5):
        dynamodb.put_item(TableName="keepalive", Item={"pk": {"S": f"p{n}"}, "n": {"N": str(n)}})
    items = [dynamodb.get_item(TableName="keepalive", Key={"pk": {"S": f"p{n}"}})["Item"] for n in range(5)]
    assert [item["n"]["N"] for item in items] == ["0", "1", "2", "3", "4"]
    assert len(connections) == 1
    dynamodb.delete_table(TableName="keepalive")
