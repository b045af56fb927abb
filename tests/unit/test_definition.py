"""The template and the state machine definition pass their linters and stay in sync with the stages."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backup.domain.stages import HUMAN_STEPS, STATE_NAMES, YOUTH_STEPS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "statemachine"))
import generate  # noqa: E402

MACHINES = list(generate.DEFINITIONS)


def _states(name="volunteer"):
    return json.loads((ROOT / "statemachine" / f"{name}.asl.json").read_text())["States"]


@pytest.mark.parametrize("name", MACHINES)
def test_the_committed_definitions_are_the_generated_ones(name):
    committed = (ROOT / "statemachine" / f"{name}.asl.json").read_text(encoding="utf-8")
    assert committed == generate.render(name), f"run `make asl` and commit statemachine/{name}.asl.json"


def test_cfn_lint_reports_nothing_on_the_template():
    result = subprocess.run([str(BIN / "cfn-lint"), str(ROOT / "template.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", MACHINES)
def test_statelint_accepts_the_definitions(name):
    result = subprocess.run(
        [str(BIN / "statelint"), str(ROOT / "statemachine" / f"{name}.asl.json")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_screening_step_waits_for_a_token_reminds_on_timeout_and_ends_on_withdrawal():
    states = json.loads((ROOT / "statemachine" / "volunteer.asl.json").read_text())["States"]
    for stage in HUMAN_STEPS:
        wait = states[STATE_NAMES[stage]]
        assert wait["Resource"].endswith(".waitForTaskToken")
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in wait["Catch"]}
        assert catches[("States.Timeout",)] == f"{STATE_NAMES[stage]}: remind"
        assert catches[("Withdrawn",)] == "Withdrawn"


@pytest.mark.parametrize("name", MACHINES)
def test_every_lambda_task_retries_service_errors_with_jitter(name):
    for state_name, state in _states(name).items():
        if state["Type"] == "Task":
            retry = state["Retry"][0]
            assert "Lambda.TooManyRequestsException" in retry["ErrorEquals"], state_name
            assert retry["JitterStrategy"] == "FULL", state_name


@pytest.mark.parametrize("name", ["volunteer", "youth"])
def test_a_long_wait_in_the_pool_carries_on_in_a_new_run_of_the_same_machine(name):
    """Standard executions stop after a year: the wait times out before that and a new run starts."""
    states = _states(name)
    waiting = states["Waiting for a match"]
    assert waiting["TimeoutSecondsPath"] == "$.pool.seconds"
    assert {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": generate.CONTINUE} in waiting["Catch"]
    carry_on = states[generate.CONTINUE]["Parameters"]["Payload"]
    assert carry_on["action"] == "continue_run" and carry_on["state_machine.$"] == "$$.StateMachine.Id"
    assert states[states[generate.CONTINUE]["Next"]]["Type"] == "Succeed"
    # the new run starts at the pool's wait, not at the application
    definition = json.loads((ROOT / "statemachine" / f"{name}.asl.json").read_text())
    first = states[definition["StartAt"]]
    assert first["Choices"][0]["Next"] == generate.POOL_WAIT
    assert "received" in first["Default"]


# A gathering's run is no one's journey: its tasks are safe to run again (letters go once), and a
# task that still fails after its retries fails the run, which its own alarms report to ops
# (test_a_failed_gathering_run_alarms_ops). Every other machine waits for ops.
JOURNEYS = [name for name in MACHINES if name != "gathering"]


@pytest.mark.parametrize("name", JOURNEYS)
def test_whatever_still_fails_waits_for_ops_instead_of_ending_the_journey(name):
    states = _states(name)
    for state_name, state in states.items():
        if state["Type"] == "Task" and not state_name.endswith(("needs ops", "Ended by ops")):
            catch_all = [c for c in state.get("Catch", []) if c["ErrorEquals"] == ["States.ALL"]]
            assert catch_all, state_name
            assert states[catch_all[0]["Next"]]["Resource"].endswith(".waitForTaskToken"), state_name


def test_a_failed_gathering_run_alarms_ops():
    from local_stack import template as tpl

    states = _states("gathering")
    tasks = [s for s in states.values() if s["Type"] == "Task"]
    assert len(tasks) == 3 and all(t["Retry"] == generate.RETRY for t in tasks)
    # the rule that tells ops of every run that ended badly names the gathering's state machine too
    # (tests/unit/test_template.py matches its pattern against each machine and status)
    rule = tpl.load()["Resources"]["RunEndedBadlyRule"]["Properties"]
    assert {"Ref": "GatheringStateMachine"} in rule["EventPattern"]["detail"]["stateMachineArn"]
    assert rule["EventPattern"]["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]


@pytest.mark.parametrize("name", MACHINES)
def test_state_payloads_carry_ids_not_personal_data(name):
    text = (ROOT / "statemachine" / f"{name}.asl.json").read_text()
    for personal in ("email", "first_name", "phone", "address", "birth_date"):
        assert personal not in text


def test_a_failure_while_recording_an_outcome_waits_for_ops_and_cannot_be_withdrawn_from():
    """Otherwise a failing Withdrawn branch would be sent back to itself by its own ops wait."""
    states = _states("volunteer")
    for outcome in ("Withdrawn", "Rejected"):
        ask = states[f"{outcome}: needs ops"]
        assert "Catch" not in ask and ask["Parameters"]["Payload"]["withdrawable"] is False
    assert states["Phone screening: needs ops"]["Catch"][0]["Next"] == "Withdrawn"
    assert states["Phone screening: needs ops"]["Parameters"]["Payload"]["withdrawable"] is True


@pytest.mark.parametrize("name", ["volunteer", "youth"])
def test_a_screening_step_reminds_waits_again_on_its_link_and_goes_to_ops_when_the_link_expires(name):
    states = _states(name)
    for stage in HUMAN_STEPS if name == "volunteer" else YOUTH_STEPS:
        waiting = STATE_NAMES[stage]
        assert states[waiting]["TimeoutSecondsPath"] == "$.step_wait.seconds"
        fresh = states[f"{waiting}: reminders from now"]  # every way into the step starts a full period
        assert fresh["Parameters"]["seconds.$"] == "$.settings.reminder_delay_seconds" and fresh["Next"] == waiting
        remind = states[f"{waiting}: remind"]
        assert remind["Parameters"]["Payload"]["action"] == "remind" and remind["ResultPath"] == "$.step_wait"
        expired = states[f"{waiting}: expired?"]
        assert expired["Default"] == waiting
        timed_out = states[expired["Choices"][0]["Next"]]
        assert timed_out["Result"]["Error"] == "StepTimedOut" and timed_out["Next"] == f"{waiting}: needs ops"
        # ops who retry a step that timed out open it afresh, with a full reminder period
        assert states[f"{waiting}: ops decided?"]["Choices"][0]["Next"] == f"{waiting}: reminders from now"


def test_the_consultants_proposal_steps_remind_and_wait_again_until_their_link_expires():
    states = _states("match")
    for waiting in ("Consultant chooses", "Introduction meeting"):
        wait = states[waiting]
        assert wait["TimeoutSecondsPath"] == "$.step_wait.seconds"
        fresh = states[f"{waiting}: reminders from now"]  # every way into the step starts a full period
        assert fresh["Parameters"]["seconds.$"] == "$.remind_after_seconds" and fresh["Next"] == waiting
        into = [
            name
            for name, state in states.items()
            if waiting in (state.get("Next"), state.get("Default"))
            or any(c.get("Next") == waiting for c in state.get("Choices", []))
        ]
        # (and ops' retry after a failure, which carries on with the step's own link)
        assert sorted(into) == sorted(
            [f"{waiting}: reminders from now", f"{waiting}: expired?", f"{waiting}: ops decided?"]
        ), into
        assert wait["Catch"][0] == {
            "ErrorEquals": ["States.Timeout"],
            "ResultPath": "$.timeout",
            "Next": f"{waiting}: remind",
        }
        assert states[f"{waiting}: remind"]["Parameters"]["Payload"]["action"] == "remind"
        expired = states[f"{waiting}: expired?"]
        assert expired["Choices"][0]["Next"] == "Proposal expired" and expired["Default"] == waiting
    # the two people's answers: the consultant is nudged, then the links wait out their life
    answers = states["Both asked: continue?"]
    assert answers["TimeoutSecondsPath"] == "$.step_wait.seconds"
    assert answers["Catch"][0]["Next"] == "Both asked: continue?: nudge the consultant"
    assert states["Both asked: continue?: expired?"]["Choices"][0]["Next"] == "Proposal expired"
    assert (
        states["Introduction meeting: what now?"]["Choices"][0]["Next"] == "Both asked: continue?: reminders from now"
    )


@pytest.mark.parametrize("name", JOURNEYS)  # a gathering's run waits for no one's decision
def test_no_wait_moves_anyone_on_its_result_alone_the_next_state_confirms_it_against_the_links(name):
    """A forged or replayed task token must not move a person: every wait for a human's decision (or
    a match) is followed by a task that reads the used links, and only that task's outcome decides."""
    states = _states(name)
    waits = {
        state_name: state
        for state_name, state in states.items()
        if state.get("Resource", "").endswith(".waitForTaskToken") and not state_name.endswith("needs ops")
    }
    assert waits
    for state_name, wait in waits.items():
        confirm = states[wait["Next"]]
        assert confirm["Type"] == "Task", state_name
        assert confirm["Parameters"]["Payload"]["action"] in {
            "confirm_step",
            "confirm_match",
            "confirm_renewal",
            "confirm_support",
            # the support's schedule: a concern wakes it; its result is dropped (ResultPath null) and
            # the next task reads the match's record to see whether a concern is open
            "check_in_due",
        }, state_name
        assert wait["ResultPath"] in {"$.claimed", None}, state_name  # the claim is kept apart from the outcome
    for state in states.values():
        for choice in state.get("Choices", []):
            assert not choice.get("Variable", "").startswith("$.claimed"), "a choice on an unconfirmed result"


def _every_state(states):
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _every_state(branch["States"])
        if "Iterator" in state:
            yield from _every_state(state["Iterator"]["States"])


def _rules(rule):
    """Every comparison in a Choice rule, with the IsPresent checks that guard it."""
    if "And" in rule:
        guarded = {r["Variable"] for r in rule["And"] if r.get("IsPresent") is True}
        return [(r, guarded | inner) for part in rule["And"] for r, inner in _rules(part)]
    if "Or" in rule or "Not" in rule:
        return [(r, set()) for part in rule.get("Or", [rule.get("Not")]) for r, _ in _rules(part)]
    return [(rule, set())]


@pytest.mark.parametrize("name", MACHINES)
def test_every_choice_checks_that_its_field_is_there_before_reading_it(name):
    """On AWS a Choice rule on a missing field fails the execution (moto falls to Default): every
    comparison must sit beside an IsPresent check of the same field, so a missing one goes to
    Default."""
    for state_name, state in _every_state(_states(name)):
        if state["Type"] != "Choice":
            continue
        assert "Default" in state, state_name
        for rule in state["Choices"]:
            for comparison, present in _rules(rule):
                if "IsPresent" in comparison:
                    continue
                assert comparison["Variable"] in present, (state_name, comparison)


@pytest.mark.parametrize("name", MACHINES)
def test_every_lambda_task_retries_throttling_and_timeouts_with_jittered_backoff(name):
    for state_name, state in _every_state(_states(name)):
        if state["Type"] != "Task":
            continue
        (retry,) = state["Retry"]
        assert {"Lambda.TooManyRequestsException", "Sandbox.Timedout", "TransactionConflictException"} <= set(
            retry["ErrorEquals"]
        ), state_name
        assert retry["BackoffRate"] > 1 and retry["JitterStrategy"] == "FULL", state_name
