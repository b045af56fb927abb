"""The repository contract runs on both adapters: DynamoDB (on moto, the table exactly as the
template declares it) and the in-memory stand-in the use cases' tests use."""

from __future__ import annotations

import boto3
import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.memory import MemoryRepository
from tests.integration.conftest import aws, table  # noqa: F401 - the moto fixtures


@pytest.fixture(params=["memory", "dynamodb"])
def repository(request: pytest.FixtureRequest):
    if request.param == "memory":
        return MemoryRepository()
    table_name = request.getfixturevalue("table")
    return DynamoRepository(table_name, boto3.resource("dynamodb"), sleep=lambda seconds: None)
