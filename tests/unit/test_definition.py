"""The template and the state machine definition pass their linters and stay in sync with the stages."""

import json
import subprocess
import sys
from pathlib import Path

from backup.stages import HUMAN_STEPS, STATE_NAMES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "statemachine"))
import generate  # noqa: E402


def test_the_committed_definition_is_the_generated_one():
    committed = (ROOT / "statemachine" / "volunteer.asl.json").read_text(encoding="utf-8")
    assert committed == generate.render(), "run `make asl` and commit statemachine/volunteer.asl.json"


def test_cfn_lint_reports_nothing_on_the_template():
    result = subprocess.run([str(BIN / "cfn-lint"), str(ROOT / "template.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_statelint_accepts_the_definition():
    result = subprocess.run([str(BIN / "statelint"), str(ROOT / "statemachine" / "volunteer.asl.json")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_screening_step_waits_for_a_token_reminds_on_timeout_and_ends_on_withdrawal():
    states = json.loads((ROOT / "statemachine" / "volunteer.asl.json").read_text())["States"]
    for stage in HUMAN_STEPS:
        wait = states[STATE_NAMES[stage]]
        assert wait["Resource"].endswith(".waitForTaskToken")
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in wait["Catch"]}
        assert catches[("States.Timeout",)] == f"{STATE_NAMES[stage]}: remind"
        assert catches[("Withdrawn",)] == "Withdrawn"


def test_every_lambda_task_retries_service_errors_with_jitter():
    states = json.loads((ROOT / "statemachine" / "volunteer.asl.json").read_text())["States"]
    for name, state in states.items():
        if state["Type"] == "Task":
            retry = state["Retry"][0]
            assert "Lambda.TooManyRequestsException" in retry["ErrorEquals"], name
            assert retry["JitterStrategy"] == "FULL", name


def test_state_payloads_carry_ids_not_personal_data():
    text = (ROOT / "statemachine" / "volunteer.asl.json").read_text()
    for personal in ("email", "first_name", "phone", "address", "birth_date"):
        assert personal not in text
