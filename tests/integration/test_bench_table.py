"""The matching benchmark reads its 25,000-record pool from a stand-in for DynamoDB (moto would take
minutes): the stand-in must answer the pool read as DynamoDB (here moto) does, paging included, or
the benchmark measures a different read."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "functions" / "matching")]

import bench_matching as bench  # noqa: E402

from backup.adapters.dynamodb import DynamoRepository, record_item  # noqa: E402
from backup.domain.evidence import Rules  # noqa: E402
from backup.domain.settings import DEFAULT_CERTIFICATE_VALIDITY_DAYS  # noqa: E402
from pool import read_pool  # noqa: E402

RULES = Rules(DEFAULT_CERTIFICATE_VALIDITY_DAYS)


def _ids(pool: object) -> tuple[set[str], set[str], set[str]]:
    return (
        {y.id for y in pool.young},  # type: ignore[attr-defined]
        {v.id for v in pool.volunteers},  # type: ignore[attr-defined]
        set(pool.youth_records),  # type: ignore[attr-defined]
    )


def test_the_stand_in_answers_the_pool_read_as_the_table_does_over_several_pages(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    records_y, records_v = bench.stored_records(40, 12)
    items = [record_item(r) for r in [*records_y, *records_v]]
    with boto3.resource("dynamodb").Table(table).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    from_moto = read_pool(DynamoRepository(table, boto3.resource("dynamodb")), bench.TODAY, RULES)

    monkeypatch.setattr(bench, "PAGE_BYTES", 1500)  # a few keys a page: the read must follow the pages
    stand_in = bench.TableStandIn(items)
    resource, reader = boto3.resource("dynamodb"), boto3.client("dynamodb")
    for client in (resource.meta.client, reader):
        client.meta.events.register("before-send.dynamodb", stand_in.answer)
    reads = bench.DynamoReads(resource.meta.client, reader)
    from_stand_in = read_pool(DynamoRepository(table, resource, reader=reader), bench.TODAY, RULES)

    assert _ids(from_stand_in) == _ids(from_moto)
    assert len(from_stand_in.volunteers) == 40 and len(from_stand_in.young) == 12  # everyone cleared
    by_id = lambda people: sorted(people, key=lambda p: p.id)  # noqa: E731
    assert by_id(from_stand_in.volunteers) == by_id(from_moto.volunteers)  # the same profiles, as matching sees them
    assert by_id(from_stand_in.young) == by_id(from_moto.young)
    assert reads.calls["Query"] > 2  # both stages' keys came in more than one page
    assert reads.calls["BatchGetItem"] == 2  # 40 and 12 records: one batch each
