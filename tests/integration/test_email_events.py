"""Bounces and complaints (SES → the default event bus → the email-events function) land on the person's history."""

import json
from datetime import timedelta

import boto3
import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.usecases.renewal import renewal_execution
from tests.factories import cleared_volunteer, volunteer, young_person

from .conftest import SENDER, Clock, LambdaContext, executions, load_handler, sent_emails, template_environment

CONSULTANT = "konsulent@rodekors.example"
OPS = "drift@rodekors.example"


@pytest.fixture
def handler(table, ses, monkeypatch):
    repository = DynamoRepository(table, boto3.resource("dynamodb"))
    repository.create_person(
        volunteer(
            "a1", first_name="Mette", email="mette@example.org", record={"consultant": "regional@rodekors.example"}
        ),
        Event(at=Clock()(), kind=EventKind.APPLIED),
    )
    module = load_handler(
        "email_events",
        {
            **template_environment("EmailEventsFunction"),
            "TABLE_NAME": table,
            "SENDER_EMAIL": SENDER,
            "CONSULTANT_EMAIL": CONSULTANT,
            "OPS_EMAIL": OPS,
        },
        monkeypatch,
    )
    return module, repository


def _text(message):
    from email import message_from_string, policy

    return message_from_string(message.raw_data, policy=policy.default).get_body(("plain",)).get_content()


def ses_event(detail):
    """What the EmailEvents rule hands the function: SES's event on the default bus, the same record
    SES used to publish to SNS, as the event's detail."""
    return {
        "version": "0",
        "id": "e1",
        "detail-type": "Email Bounced",
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:ses:eu-west-1:123456789012:configuration-set/backup-mail"],
        "detail": detail,
    }


def bounce(recipient="applicant", bounce_type="Permanent", record_id="a1"):
    return {
        "eventType": "Bounce",
        "bounce": {"bounceType": bounce_type, "bouncedRecipients": [{}]},
        "mail": {"tags": {"record_id": [record_id], "recipient": [recipient]}},
    }


def kinds(repository, record_id="a1", kind=RecordKind.VOLUNTEER):
    return [e.kind.value for e in repository.history(kind, record_id)]


def test_a_permanent_bounce_to_the_applicant_is_recorded_and_their_consultant_told(handler):
    module, repository = handler
    assert module.lambda_handler(ses_event(bounce()), LambdaContext()) == {"recorded": 1}
    bounced = [e for e in repository.history(RecordKind.VOLUNTEER, "a1") if e.kind is EventKind.EMAIL_BOUNCED]
    assert bounced[0].details == {"recipient": "applicant", "permanent": "true"}
    told = sent_emails()[-1]
    assert "regional@rodekors.example" in told.destinations
    assert "Ring venligst til ansøgeren" in _text(told)
    assert "mette@example.org" not in _text(told)  # the consultant is told whom, not the dead address


def test_a_bounce_of_a_consultants_mailbox_goes_to_ops(handler):
    module, repository = handler
    module.lambda_handler(ses_event(bounce(recipient="consultant")), LambdaContext())
    assert OPS in sent_emails()[-1].destinations
    assert "backup-ops reassign a1" in _text(sent_emails()[-1])


def test_a_passing_bounce_is_recorded_but_nobody_is_bothered(handler):
    module, repository = handler
    module.lambda_handler(ses_event(bounce(bounce_type="Transient")), LambdaContext())
    assert kinds(repository).count("EMAIL_BOUNCED") == 1
    assert sent_emails() == []


def test_a_complaint_is_recorded(handler):
    module, repository = handler
    complaint = {
        "eventType": "Complaint",
        "complaint": {},
        "mail": {"tags": {"application_id": ["a1"], "recipient": ["applicant"]}},
    }  # tagged before records
    module.lambda_handler(ses_event(complaint), LambdaContext())  # had their own names
    assert "EMAIL_COMPLAINED" in kinds(repository)


def test_messages_that_are_not_ours_are_ignored(handler):
    module, repository = handler
    odd_details = (
        "not an object",
        None,
        {"eventType": "Delivery"},
        bounce(record_id=None),
        {"eventType": "Bounce", "mail": "x"},
        {"eventType": "Bounce", "mail": {"tags": {"record_id": "a1"}}},  # not SES's list of values
        {"eventType": "Bounce", "mail": {"tags": {"record_id": [7]}}},
        {"eventType": "Bounce", "mail": {"tags": {"record_id": ["a1"], "kind": ["NOBODY"]}}},
    )
    for odd in odd_details:
        assert module.lambda_handler(ses_event(odd), LambdaContext()) == {"recorded": 0}
    for not_an_event in ("text", None, [ses_event(bounce())], 7):  # a direct invoke with anything
        assert module.lambda_handler(not_an_event, LambdaContext()) == {"recorded": 0}
    result = module.lambda_handler(ses_event(bounce(record_id="unknown")), LambdaContext())
    assert result == {"recorded": 1}  # the unknown person's bounce was read, and nothing stored for it
    assert kinds(repository) == ["APPLIED"]


RENEWAL_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:backup-renewal"


def load_watch(table, monkeypatch):
    boto3.client("stepfunctions").create_state_machine(
        name="backup-renewal",
        roleArn="arn:aws:iam::123456789012:role/x",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
    )
    env = {
        **template_environment("WatchFunction"),
        "TABLE_NAME": table,
        "STAGE_LIMIT_DAYS": "PHONE_SCREENING=14,HOME_VISIT=21",
        "SENDER_EMAIL": SENDER,
        "CONSULTANT_EMAIL": CONSULTANT,
        "OPS_EMAIL": OPS,
        "REMINDER_DELAY_SECONDS": "86400",
        "RENEWAL_STATE_MACHINE_ARN": RENEWAL_MACHINE,
    }
    return load_handler("watch", env, monkeypatch)


def test_the_watch_counts_who_waits_past_their_stages_limit(table, monkeypatch, capsys, caplog):
    repository = DynamoRepository(table, boto3.resource("dynamodb"))
    clock = Clock()
    for person_id, days_ago in (("old", 20), ("new", 1)):
        repository.create_person(
            volunteer(person_id, Stage.PHONE_SCREENING, clock.at - timedelta(days=days_ago)),
            Event(at=clock(), kind=EventKind.APPLIED),
        )
    module = load_watch(table, monkeypatch)
    monkeypatch.setattr(module.clock, "now", clock)
    result = module.lambda_handler({}, LambdaContext())
    assert result["PHONE_SCREENING"] == {"waiting": 2, "over_limit": 1}
    assert result["HOME_VISIT"] == {"waiting": 0, "over_limit": 0}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    directives = [d for line in lines for d in line.get("_aws", {}).get("CloudWatchMetrics", [])]
    metrics = {m["Name"] for d in directives for m in d["Metrics"]}
    # one metric for the alarm; the per-stage figures are log lines the dashboard queries (a metric each would cost)
    assert metrics == {"PeopleOverLimitTotal"}
    assert [line["PeopleOverLimitTotal"] for line in lines if "PeopleOverLimitTotal" in line] == [[1.0]]
    # (the log lines through caplog: Powertools' handler keeps the stdout of the first test that made the logger)
    counted = {r.stage: vars(r) for r in caplog.records if r.getMessage() == "stage counted"}
    assert set(counted) == {"PHONE_SCREENING", "HOME_VISIT"}
    assert (counted["PHONE_SCREENING"]["waiting"], counted["PHONE_SCREENING"]["over_limit"]) == (2, 1)
    assert counted["PHONE_SCREENING"]["oldest_wait_days"] == 20.0
    assert (counted["HOME_VISIT"]["waiting"], counted["HOME_VISIT"]["over_limit"]) == (0, 0)
    # and how the matches stand (none here): the dashboard's "matches now" table
    (matches,) = [vars(r) for r in caplog.records if r.getMessage() == "matches counted"]
    assert (matches["matched"], matches["concerns_open"], matches["paused"]) == (0, 0, 0)
    assert result["matches"] == {"matched": 0, "concerns_open": 0, "paused": 0}


def test_the_watch_starts_one_renewal_run_for_a_certificate_about_to_run_out(table, ses, monkeypatch):
    repository = DynamoRepository(table, boto3.resource("dynamodb"))
    clock = Clock()
    repository.create_person(
        cleared_volunteer("v1", clock() - timedelta(days=700)), Event(at=clock(), kind=EventKind.APPLIED)
    )
    repository.create_person(cleared_volunteer("v2", clock()), Event(at=clock(), kind=EventKind.APPLIED))
    module = load_watch(table, monkeypatch)
    monkeypatch.setattr(module.clock, "now", clock)
    assert module.lambda_handler({}, LambdaContext())["certificates"] == {"renewals_due": 1, "certificates_expired": 0}
    module.lambda_handler({}, LambdaContext())  # the next hour: the run already exists
    runs = executions(RENEWAL_MACHINE)
    assert [r["name"] for r in runs] == [
        renewal_execution("v1", (clock() - timedelta(days=700) + timedelta(days=730)).date())
    ]
    assert json.loads(
        boto3.client("stepfunctions").describe_execution(executionArn=runs[0]["executionArn"])["input"]
    ) == {"person_id": "v1", "settings": {"reminder_delay_seconds": 86400}}


def test_a_bounce_to_a_contact_adult_lands_on_the_young_persons_history(handler):
    module, repository = handler
    repository.create_person(
        young_person("y1", Stage.REFERRAL_CHECK, first_name="Sara"), Event(at=Clock()(), kind=EventKind.REFERRED)
    )
    message = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent"},
        "mail": {"tags": {"record_id": ["y1"], "kind": ["YOUTH"], "recipient": ["contact_adult"]}},
    }
    assert module.lambda_handler(ses_event(message), LambdaContext()) == {"recorded": 1}
    assert "EMAIL_BOUNCED" in kinds(repository, "y1", RecordKind.YOUTH)
    assert CONSULTANT in sent_emails()[-1].destinations
    assert "kontaktpersonen" in _text(sent_emails()[-1])


def test_a_bounce_after_the_journey_ended_is_deleted_with_the_rest_of_the_person(handler):
    module, repository = handler
    repository.update(RecordKind.VOLUNTEER, "a1", set={"stage": Stage.REJECTED, "expires_at": 1_900_000_000})
    module.lambda_handler(ses_event(bounce()), LambdaContext())
    assert "EMAIL_BOUNCED" in kinds(repository)
    assert repository.expiries(RecordKind.VOLUNTEER, "a1")[-1] == 1_900_000_000
