"""backup-ops' views for every kind of record a list row can name (volunteers, young people, match
proposals), the execution's event history and the needs-ops flags, against moto."""

import io
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.proposals import Candidate
from backup.domain.records import ProposalRecord
from backup.domain.stages import Stage
from backup_ops import cli, views
from backup_ops.discovery import OpsError
from tests import factories
from tests.ops.conftest import DEFINITION, STACK

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def machine(world, suffix):
    role = "arn:aws:iam::123456789012:role/ops-test"
    return boto3.client("stepfunctions").create_state_machine(
        name=f"{STACK}-{suffix}", roleArn=role, definition=json.dumps(DEFINITION)
    )["stateMachineArn"]


def young_person(world, person_id, stage=Stage.REFERRAL_CHECK, waited=timedelta(days=2)):
    since = NOW - waited
    assert world.repository.create_person(
        factories.young_person(
            person_id, Stage.REFERRED, since - timedelta(hours=1), first_name="Sara", postcode="8200"
        ),
        Event(at=since - timedelta(hours=1), kind=EventKind.REFERRED, by="lone"),
    )
    world.repository.update(
        RecordKind.YOUTH,
        person_id,
        set={"stage": stage, "stage_since": since, "open_stage": stage},
        event=Event(at=since, kind=EventKind.STEP_OPENED, stage=stage, by="system"),
    )
    return person_id


@pytest.mark.parametrize(
    "text, kind", [("volunteer", "VOLUNTEER"), ("YOUTH", "YOUTH"), (" match ", "MATCH"), ("Volunteer", "VOLUNTEER")]
)
def test_kinds_are_read_in_any_spelling(text, kind):
    assert views.person_kind(text) == kind


def test_an_unknown_kind_is_one_sentence():
    with pytest.raises(OpsError, match=r"^'dragon' is not a kind of record; the kinds are volunteer, youth, match\.$"):
        views.person_kind("dragon")


def test_state_machines_follow_the_templates_names(world):
    assert views.state_machine_arn(world.target) == world.state_machine_arn
    assert views.state_machine_arn(world.target, "YOUTH") == world.state_machine_arn.replace("-volunteer", "-youth")
    assert views.state_machine_arn(world.target, "MATCH") == world.state_machine_arn.replace("-volunteer", "-match")


def test_show_a_young_person_from_a_list_row(world):
    youth_arn = machine(world, "youth")
    young_person(world, "sara01")
    boto3.client("stepfunctions").start_execution(stateMachineArn=youth_arn, name="youth-sara01", input="{}")
    row = next(r for r in views.list_people(world.target, now=NOW) if r["application_id"] == "sara01")
    assert row["kind"] == "YOUTH" and row["stage"] == "REFERRAL_CHECK"
    person = views.show_person(world.target, row["application_id"], now=NOW, kind=row["kind"])
    assert person["kind"] == "YOUTH" and person["stage"] == "REFERRAL_CHECK"
    assert person["days_waiting"] == pytest.approx(2) and person["details"]["first_name"] == "Sara"
    assert [e["kind"] for e in person["history"]] == ["REFERRED", "STEP_OPENED"]
    assert person["execution"]["name"] == "youth-sara01"
    assert person["execution"]["arn"].startswith(youth_arn.replace(":stateMachine:", ":execution:"))
    assert person["open_step"]["state_name"] == "Referral check"


def test_show_a_match_proposal(world):
    machine(world, "match")
    at = NOW - timedelta(hours=6)
    world.repository.change_together(
        [],
        new_proposal=ProposalRecord(
            id="prop01",
            stage=Stage.MATCH_PROPOSED,
            stage_since=at,
            created_at=at,
            youth_id="sara01",
            volunteer_id="abc123",
            chosen=Candidate("abc123", 90.0, "tæt på"),
        ),
    )
    person = views.show_person(world.target, "prop01", now=NOW, kind="MATCH")
    assert person["stage"] == "MATCH_PROPOSED" and person["details"]["youth_id"] == "sara01"
    assert person["execution"] == {**person["execution"], "name": "match-prop01", "status": "NOT_STARTED"}
    assert views.execution_events(world.target, "prop01", "MATCH") == []


def test_an_unknown_young_person_is_one_sentence(world):
    with pytest.raises(OpsError, match=r"^There is no young person with id nobody\.$"):
        views.show_person(world.target, "nobody", kind="YOUTH")


def test_the_execution_events_are_oldest_first_with_their_state(world):
    world.volunteer("ev1", Stage.PHONE_SCREENING, timedelta(hours=1))
    world.start_execution("ev1")
    events = views.execution_events(world.target, "ev1")
    assert events[0]["type"] == "ExecutionStarted" and events[0]["id"] == 1
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    # moto in-process answers a canned history (its states are not ours; the e2e test sees "Phone screening")
    entered = [e for e in events if e["type"].endswith("StateEntered")]
    assert entered and all(isinstance(e["state"], str) and e["state"] for e in entered)
    assert all("state" not in e for e in events if e["type"].startswith("Execution"))


def test_the_flags_say_who_needs_ops(world):
    world.volunteer("failed", Stage.HOME_VISIT, timedelta(days=1), needs_ops="Home visit", open_stage="HOME_VISIT")
    world.volunteer(
        "escalated",
        Stage.PHONE_SCREENING,
        timedelta(days=9),
        escalated=True,
        open_stage="PHONE_SCREENING",
        reminders_sent=3,
    )
    world.volunteer(
        "earlier", Stage.TRAINING, timedelta(days=1), escalated=True, open_stage="TRAINING", reminders_sent=0
    )  # escalated in an earlier step; this one has not
    world.volunteer("fine", Stage.PHONE_SCREENING, timedelta(days=1), open_stage="PHONE_SCREENING")
    rows = {r["application_id"]: r for r in views.with_attention(world.target, views.list_people(world.target))}
    assert (rows["failed"]["needs_ops"], rows["failed"]["escalated"]) == ("Home visit", False)
    assert (rows["escalated"]["needs_ops"], rows["escalated"]["escalated"]) == (None, True)
    assert rows["earlier"]["escalated"] is False and rows["fine"]["escalated"] is False
    assert views.show_person(world.target, "failed")["needs_ops"] == "Home visit"
    assert views.with_attention(world.target, []) == []


def test_the_escalation_uses_the_functions_max_reminders_when_known(world):
    def record(sent):
        return factories.volunteer(
            "a1", Stage.HOME_VISIT, record={"open_stage": "HOME_VISIT", "escalated": True, "reminders_sent": sent}
        )

    assert views.attention(record(2), 2)["escalated"] is False
    assert views.attention(record(3), 2)["escalated"] is True


def test_the_cli_shows_a_young_person_with_kind(world):
    young_person(world, "sara02")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["show", "sara02", "--kind", "youth", "--stack", STACK], out, err) == 0, err.getvalue()
    assert out.getvalue().startswith("Young person sara02 - Sara\n")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["show", "sara02", "--stack", STACK], out, err) == 1
    assert err.getvalue() == "backup-ops: There is no volunteer with id sara02.\n"
