"""Every function starts with exactly the environment the template gives it, and the functions the
state machines invoke dispatch every action of their contract (and nothing else)."""

import subprocess
import sys
from pathlib import Path

import pytest

from backup.usecases.support_tasks import SUPPORT_ACTIONS
from backup.usecases.tasks import MATCHING_ACTIONS, WORKFLOW_ACTIONS

from .conftest import load_handler, template_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "function, logical_id, contract",
    [
        ("workflow", "WorkflowFunction", WORKFLOW_ACTIONS),
        ("matching", "MatchingFunction", MATCHING_ACTIONS),
        ("support", "SupportFunction", SUPPORT_ACTIONS),
    ],
)
def test_a_task_function_dispatches_exactly_its_contracts_actions(function, logical_id, contract, monkeypatch):
    if function == "matching":
        monkeypatch.syspath_prepend(str(ROOT / "functions" / "matching"))
    module = load_handler(function, template_environment(logical_id), monkeypatch)
    assert set(module.HANDLERS) == set(contract)


@pytest.mark.parametrize(
    "logical_id", ["IntakeFunction", "ScreeningFunction", "StaffFunction", "WatchFunction", "EmailEventsFunction"]
)
def test_every_function_starts_with_the_templates_environment_alone(logical_id, monkeypatch):
    function = {"EmailEventsFunction": "email_events"}.get(logical_id, logical_id.removesuffix("Function").lower())
    assert load_handler(function, template_environment(logical_id), monkeypatch).lambda_handler


def test_the_layers_import_rules_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rule_catches_a_domain_module_that_imports_boto3(tmp_path):
    """The attack on the rule: a copy of the layer whose domain talks to AWS must fail the lint."""
    import shutil

    copy = tmp_path / "shared"
    shutil.copytree(
        ROOT / "functions" / "shared" / "backup", copy / "backup", ignore=shutil.ignore_patterns("__pycache__")
    )
    clock = copy / "backup" / "domain" / "clock.py"
    clock.write_text(clock.read_text() + "\nimport boto3  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0 and "backup.domain.clock -> boto3" in result.stdout, result.stdout


def test_the_ops_function_accepts_only_ops_commands_and_answers_a_sentence(monkeypatch):
    module = load_handler("ops", template_environment("OpsFunction"), monkeypatch)
    from .conftest import LambdaContext

    refused = module.lambda_handler(
        {"action": "finish", "stage": "READY_FOR_MATCH", "person_id": "a1", "kind": "VOLUNTEER"}, LambdaContext()
    )
    assert refused["ok"] is False and "unknown action 'finish'" in refused["error"]
    assert set(module.tasks.OPS_ACTIONS) == {"resend", "reassign", "retry", "end", "export", "erase_preview", "erase"}


def test_the_workflow_function_refuses_ops_commands_now_the_ops_function_has_them(monkeypatch):
    from backup.usecases.tasks import UnknownTask

    module = load_handler("workflow", template_environment("WorkflowFunction"), monkeypatch)
    from .conftest import LambdaContext

    with pytest.raises(UnknownTask, match="unknown action 'resend'"):
        module.lambda_handler({"action": "resend", "person_id": "a1", "kind": "VOLUNTEER"}, LambdaContext())
