"""moto-backed fixtures for backup-ops: the template's table, the two functions whose configuration
ops read (registered with the template's environment, as the local stack does), the state machine,
and volunteers created through the real repository."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from backup.adapters.dynamodb import DynamoRepository
from backup.domain import clock
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup_ops.discovery import Target, connect
from local_stack import template as tpl
from tests.factories import volunteer

STACK = "backup-local"
TABLE = f"{STACK}-Table"
MACHINE = f"{STACK}-volunteer"
DEFINITION = {"StartAt": "Phone screening", "States": {"Phone screening": {"Type": "Pass", "End": True}}}


@dataclass
class World:
    target: Target
    repository: DynamoRepository
    state_machine_arn: str

    def volunteer(
        self, application_id: str, stage: Stage, waited: timedelta, now: datetime | None = None, **extra: Any
    ) -> str:
        """A volunteer who entered `stage` `waited` ago (relative to `now`, default the real time)."""
        since = (now or clock.now()) - waited
        applied = since - timedelta(hours=1)
        person = volunteer(
            application_id,
            Stage.APPLIED,
            applied,
            first_name="Mette",
            last_name="Hansen",
            email=f"{application_id}@example.org",
            interests=["football", "cooking"],
        )
        assert self.repository.create_person(person, Event(at=applied, kind=EventKind.APPLIED, by="applicant"))
        if stage is not Stage.APPLIED:
            self.repository.update(
                RecordKind.VOLUNTEER,
                application_id,
                set={"stage": stage, "stage_since": since, **extra},
                event=Event(at=since, kind=EventKind.STAGE_ENTERED, stage=stage, by="system"),
            )
        return application_id

    def start_execution(self, application_id: str) -> str:
        sfn = boto3.client("stepfunctions")
        return str(
            sfn.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=f"volunteer-{application_id}",
                input=json.dumps({"person_id": application_id}),
            )["executionArn"]
        )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for key, value in {
        "AWS_DEFAULT_REGION": tpl.REGION,
        "AWS_REGION": tpl.REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "USER": "ops-tester",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_ENDPOINT_URL", "BACKUP_STACK", "BACKUP_OPS_USER", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        template = tpl.load()
        context = tpl.Context(
            tpl.parameter_defaults(
                template, {"SenderEmail": "backup@rodekors.example", "ConsultantEmail": "k@x.dk", "OpsEmail": "o@x.dk"}
            )
        )
        boto3.client("dynamodb").create_table(
            TableName=TABLE, **tpl.table_arguments(template["Resources"]["Table"], context)
        )
        role = boto3.client("iam").create_role(
            RoleName="ops-test",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        machine = boto3.client("stepfunctions").create_state_machine(
            name=MACHINE, roleArn=role, definition=json.dumps(DEFINITION)
        )["stateMachineArn"]
        awslambda = boto3.client("lambda")
        for logical, variables in {
            "OpsFunction": {"TABLE_NAME": TABLE},
            "IntakeFunction": {"TABLE_NAME": TABLE, "STATE_MACHINE_ARN": machine},
        }.items():
            awslambda.create_function(
                FunctionName=f"{STACK}-{logical}",
                Runtime="python3.13",
                Role=role,
                Handler=f"{logical.removesuffix('Function').lower()}_handler.lambda_handler",
                Code={"ZipFile": b"PK\x05\x06" + b"\0" * 18},
                Environment={"Variables": variables},
            )
        yield World(connect(stack=STACK), DynamoRepository(TABLE, boto3.resource("dynamodb")), machine)
