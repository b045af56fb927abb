"""backup-ops as ops run it (the installed console script's module, a separate process) against the
local stack, on a volunteer mid-flow: list, show, resend, reassign, stuck and an unknown id."""

import json
import os
import subprocess
import sys

import pytest
import requests

from local_stack.client import approval_fields

pytestmark = pytest.mark.e2e


def ops(stack, *argv):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "dummy", "AWS_SECRET_ACCESS_KEY": "dummy", "USER": "ops-e2e"}
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "BACKUP_STACK", "BACKUP_OPS_USER"):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "backup_ops.cli", *argv, "--endpoint-url", stack.endpoint],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def ops_json(stack, *argv):
    done = ops(stack, *argv, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def step_email(stack, to, application_id, after=0):
    return stack.client.wait_for_email(to, f"Telefonsamtale venter på dig (ansøgning {application_id})", after=after)


def test_ops_see_and_move_a_volunteer_mid_flow(stack):
    client = stack.client
    application_id = client.apply()
    first_link = client.link_in(step_email(stack, stack.consultant, application_id))
    client.wait_for_stage(application_id, "PHONE_SCREENING")

    # list: the volunteer waits in phone screening
    rows = ops_json(stack, "list", "--stage", "PHONE_SCREENING")
    mine = [row for row in rows if row["application_id"] == application_id]
    assert len(mine) == 1 and mine[0]["days_waiting"] >= 0
    table = ops(stack, "list")
    assert table.returncode == 0 and application_id in table.stdout

    # show: record, history, the execution waiting in its step, the console address
    shown = ops_json(stack, "show", application_id)
    assert shown["stage"] == "PHONE_SCREENING" and shown["open_step"]["sent_to"] == stack.consultant
    assert [e["kind"] for e in shown["history"]][:1] == ["APPLIED"]
    assert shown["execution"]["status"] == "RUNNING"
    assert shown["execution"]["current_state"] == "Phone screening"
    assert shown["execution"]["console_url"].endswith(f"/executions/details/{shown['execution']['arn']}")
    assert f"volunteer-{application_id}" in ops(stack, "show", application_id).stdout

    # resend: a new email to the same consultant; the old link is dead
    count = len(client.outbox())
    resent = ops(stack, "resend", application_id)
    assert resent.returncode == 0, resent.stderr
    assert f"the new link went to {stack.consultant}" in resent.stdout
    second_link = client.link_in(step_email(stack, stack.consultant, application_id, after=count))
    assert second_link != first_link
    assert requests.get(first_link, timeout=30).status_code == 410

    # reassign: a new email to someone else; the previous link is dead; their link decides
    count = len(client.outbox())
    moved = ops_json(stack, "reassign", application_id, "--consultant", "someone@example.org")
    assert moved["sent_to"] == "someone@example.org" and moved["stage"] == "PHONE_SCREENING"
    third_link = client.link_in(step_email(stack, "someone@example.org", application_id, after=count))
    assert requests.get(second_link, timeout=30).status_code == 410
    history = ops_json(stack, "show", application_id)["history"]
    assert {("LINK_RESENT", "ops-e2e"), ("REASSIGNED", "ops-e2e")} <= {(e["kind"], e.get("by")) for e in history}

    # stuck: with a tiny limit the volunteer is past it
    stuck = ops_json(stack, "stuck", "--limits", "PHONE_SCREENING=0.00001")
    assert application_id in [row["application_id"] for row in stuck]
    assert application_id in ops(stack, "stuck", "--limits", "PHONE_SCREENING=0.00001").stdout

    decided = client.open_and_decide(third_link, "approve", approval_fields("PHONE_SCREENING"))
    assert decided.status_code == 200, decided.text[:400]
    client.wait_for_stage(application_id, "HOME_VISIT")
    assert ops_json(stack, "show", application_id)["consultant"] == "someone@example.org"


def test_an_unknown_id_is_one_sentence_and_a_non_zero_exit(stack):
    for command in (
        ["show", "nobody0000"],
        ["resend", "nobody0000"],
        ["reassign", "nobody0000", "--consultant", "a@example.org"],
    ):
        done = ops(stack, *command)
        assert done.returncode != 0, command
        assert done.stdout == "" and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "nobody0000" in done.stderr, done.stderr
