"""backup-ops' data gathering, against moto with the template's table and the real repository."""

from datetime import UTC, datetime, timedelta

import pytest

from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.stages import Stage
from backup_ops import views
from backup_ops.discovery import OpsError, connect, is_local

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_list_is_per_stage_in_programme_order_and_oldest_first(world):
    world.volunteer("newer", Stage.PHONE_SCREENING, timedelta(days=2), NOW)
    world.volunteer("oldest", Stage.PHONE_SCREENING, timedelta(days=20), NOW)
    world.volunteer("visit", Stage.HOME_VISIT, timedelta(days=30), NOW)
    world.volunteer("applied", Stage.APPLIED, timedelta(hours=3), NOW)
    world.volunteer("gone", Stage.WITHDRAWN, timedelta(days=90), NOW)
    rows = views.list_people(world.target, now=NOW)
    assert [(r["stage"], r["application_id"]) for r in rows] == [
        ("APPLIED", "applied"),
        ("PHONE_SCREENING", "oldest"),
        ("PHONE_SCREENING", "newer"),
        ("HOME_VISIT", "visit"),
    ]
    assert rows[1]["days_waiting"] == pytest.approx(20)
    assert rows[1]["stage_label"] == "Telefonsamtale" and rows[1]["kind"] == "VOLUNTEER"


def test_list_older_than_and_by_stage(world):
    world.volunteer("newer", Stage.PHONE_SCREENING, timedelta(days=2), NOW)
    world.volunteer("oldest", Stage.PHONE_SCREENING, timedelta(days=20), NOW)
    world.volunteer("visit", Stage.HOME_VISIT, timedelta(days=30), NOW)
    assert [r["application_id"] for r in views.list_people(world.target, older_than_days=10, now=NOW)] == [
        "oldest",
        "visit",
    ]
    assert [r["application_id"] for r in views.list_people(world.target, [Stage.HOME_VISIT], now=NOW)] == ["visit"]
    assert views.list_people(world.target, [Stage.WITHDRAWN], now=NOW) == []


def test_stuck_uses_each_stages_limit(world):
    world.volunteer("fine", Stage.PHONE_SCREENING, timedelta(days=13), NOW)
    world.volunteer("late", Stage.PHONE_SCREENING, timedelta(days=15), NOW)
    world.volunteer("visit", Stage.HOME_VISIT, timedelta(days=15), NOW)
    world.volunteer("ready", Stage.READY_FOR_MATCH, timedelta(days=121), NOW)
    rows = views.stuck(world.target, now=NOW)
    assert [(r["application_id"], r["limit_days"]) for r in rows] == [("late", 14), ("ready", 120)]
    assert rows[0]["over_by_days"] == pytest.approx(1)
    tight = views.stuck(world.target, {Stage.HOME_VISIT: 0.5}, now=NOW)
    assert [r["application_id"] for r in tight] == ["visit"]


def test_show_gives_record_open_step_history_in_order_and_execution(world):
    world.volunteer(
        "abc123",
        Stage.PHONE_SCREENING,
        timedelta(days=3),
        NOW,
        open_stage="PHONE_SCREENING",
        open_link_id="secret-link-id",
        consultant="k@x.dk",
        reminders_sent=1,
    )
    link = Link(
        link_id="secret-link-id",
        kind=LinkKind.DECISION,
        record_kind=RecordKind.VOLUNTEER,
        record_id="abc123",
        stage=Stage.PHONE_SCREENING,
        sent_to="k@x.dk",
        task_token="token",
        created_at=NOW - timedelta(days=3),
        expires_at=NOW + timedelta(days=5),
    )
    world.repository.put_link(link, NOW + timedelta(days=30))
    world.repository.add_event(
        RecordKind.VOLUNTEER,
        "abc123",
        Event(
            at=NOW - timedelta(days=1),
            kind=EventKind.REMINDER_SENT,
            stage=Stage.PHONE_SCREENING,
            by="system",
            details={"number": "1"},
        ),
    )
    arn = world.start_execution("abc123")
    person = views.show_person(world.target, "abc123", now=NOW)
    assert person["stage"] == "PHONE_SCREENING" and person["days_waiting"] == pytest.approx(3)
    assert person["consultant"] == "k@x.dk" and person["reminders_sent"] == 1
    assert person["details"]["first_name"] == "Mette"
    assert person["open_step"]["sent_to"] == "k@x.dk" and person["open_step"]["link_status"] == "OPEN"
    assert "secret-link-id" not in repr(person), "the link id lets its holder decide: never shown"
    assert [e["kind"] for e in person["history"]] == ["APPLIED", "STAGE_ENTERED", "REMINDER_SENT"]
    assert person["history"][2]["details"] == {"number": "1"}
    execution = person["execution"]
    assert execution["arn"] == arn and execution["name"] == "volunteer-abc123"
    assert execution["status"] in {"RUNNING", "SUCCEEDED"}
    assert execution["console_url"] == (
        "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" + arn
    )


def test_show_without_an_execution_says_so(world):
    world.volunteer("noexec", Stage.APPLIED, timedelta(minutes=5))
    person = views.show_person(world.target, "noexec")
    assert person["execution"]["status"] == "NOT_STARTED" and person["open_step"] is None


def test_show_of_an_unknown_id_is_one_sentence(world):
    with pytest.raises(OpsError, match=r"^There is no volunteer with id nobody\.$"):
        views.show_person(world.target, "nobody")


class FakeLambda:
    def __init__(self, answer, function_error=None):
        self.answer, self.function_error, self.calls = answer, function_error, []

    def invoke(self, FunctionName, Payload):
        import io
        import json

        self.calls.append((FunctionName, json.loads(Payload)))
        response = {"Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.function_error:
            response["FunctionError"] = self.function_error
        return response


# in AWS the caller is the verified identity, with the login name beside it for people to read
CALLER = "arn:aws:sts::123456789012:user/moto (ops-tester)"


def test_resend_and_reassign_invoke_the_ops_function_as_the_caller(world):
    fake = FakeLambda({"ok": True, "stage": "HOME_VISIT", "sent_to": "new@example.org"})
    world.target._clients["lambda"] = fake
    assert views.resend(world.target, "abc")["sent_to"] == "new@example.org"
    moved = views.reassign(world.target, "abc", "new@example.org")
    assert moved == {
        "application_id": "abc",
        "action": "reassign",
        "stage": "HOME_VISIT",
        "sent_to": "new@example.org",
        "failed_state": None,
        "by": CALLER,
    }
    views.resend(world.target, "y1", kind="youth")
    assert fake.calls == [
        (
            "backup-local-OpsFunction",
            {"action": "resend", "person_id": "abc", "kind": "VOLUNTEER", "by": CALLER},
        ),
        (
            "backup-local-OpsFunction",
            {
                "action": "reassign",
                "person_id": "abc",
                "kind": "VOLUNTEER",
                "consultant": "new@example.org",
                "by": CALLER,
            },
        ),
        ("backup-local-OpsFunction", {"action": "resend", "person_id": "y1", "kind": "YOUTH", "by": CALLER}),
    ]


@pytest.mark.parametrize(
    "answer, error, says",
    [
        (
            {"ok": False, "error": "abc has no step waiting for a consultant"},
            None,
            "abc has no step waiting for a consultant.",
        ),
        ({"ok": False, "error": "no volunteer with id abc"}, None, "No volunteer with id abc."),
        ({"errorMessage": "boom", "errorType": "RuntimeError"}, "Unhandled", "The ops function failed: boom."),
    ],
)
def test_a_refused_command_is_one_sentence(world, answer, error, says):
    world.target._clients["lambda"] = FakeLambda(answer, error)
    with pytest.raises(OpsError) as raised:
        views.resend(world.target, "abc")
    assert str(raised.value) == says


def test_names_come_from_cloudformation_when_it_knows_the_stack(world):
    class FakeCloudFormation:
        def describe_stack_resource(self, StackName, LogicalResourceId):
            return {"StackResourceDetail": {"PhysicalResourceId": f"{StackName}-{LogicalResourceId}-AbC123"}}

    target = connect(stack="prod")
    target._clients["cloudformation"] = FakeCloudFormation()
    assert target.ops_function == "prod-OpsFunction-AbC123"


def test_unknown_stack_is_one_sentence(world):
    target = connect(stack="elsewhere")
    with pytest.raises(OpsError, match="There is no function elsewhere-OpsFunction in eu-west-1"):
        views.list_people(target)


def test_the_stack_defaults_follow_the_endpoint(world, monkeypatch):
    assert connect().stack == "backup"
    assert connect(endpoint_url="http://127.0.0.1:4566").stack == "backup-local"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    target = connect()
    assert target.stack == "backup-local" and target.endpoint_url == "http://localhost:4566"
    monkeypatch.setenv("BACKUP_STACK", "mine")
    assert connect().stack == "mine" and connect(stack="given").stack == "given"
    assert connect(region="eu-north-1").region == "eu-north-1"
    assert is_local("http://127.0.0.1:1") and not is_local("https://dynamodb.eu-west-1.amazonaws.com")
