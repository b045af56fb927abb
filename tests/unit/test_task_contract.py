"""The task contract: every task a definition invokes is an action its function has, with fields
its input model knows, and every result it reads is a field of that action's output."""

import copy
import json
import sys
from pathlib import Path

import pytest

from backup.usecases.tasks import MATCHING_ACTIONS, OPS_ACTIONS, WORKFLOW_ACTIONS, UnknownTask, parse_task

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "statemachine"))
import generate  # noqa: E402

MACHINES = list(generate.DEFINITIONS)


def contract_problems(definition: dict) -> list[str]:
    """What in a definition the functions' contract does not have."""
    problems = []
    for name, state in definition["States"].items():
        if state.get("Type") != "Task" or not state["Resource"].startswith("arn:aws:states:::lambda:invoke"):
            continue
        contract = generate.CONTRACTS.get(state["Parameters"]["FunctionName"])
        if contract is None:
            problems.append(f"{name}: no contract for {state['Parameters']['FunctionName']}")
            continue
        payload = state["Parameters"]["Payload"]
        action = contract.get(payload.get("action"))
        if action is None:
            problems.append(f"{name}: the function has no action {payload.get('action')!r}")
            continue
        fields = action.input.model_fields
        given = {key.removesuffix(".$") for key in payload}
        problems += [f"{name}: {action.name} has no field {key}" for key in sorted(given - set(fields))]
        problems += [
            f"{name}: {action.name} needs {key}"
            for key, field in fields.items()
            if field.is_required() and key not in given
        ]
        if state["Resource"].endswith(".waitForTaskToken") != action.waits:
            problems.append(f"{name}: {action.name} waits for a token in one place and not the other")
        for path in (state.get("ResultSelector") or {}).values():
            if path.startswith("$.Payload."):
                field = path.removeprefix("$.Payload.").split(".")[0]
                if field not in action.output.model_fields:
                    problems.append(f"{name}: {action.name}'s output has no field {field}")
    return problems


@pytest.mark.parametrize("name", MACHINES)
def test_every_task_of_every_definition_is_in_its_functions_contract(name):
    assert contract_problems(generate.DEFINITIONS[name]()) == []


def test_a_definition_naming_an_action_or_a_field_the_functions_lack_is_caught():
    definition = generate.definition()
    states = definition["States"]
    wrong = copy.deepcopy(definition)
    wrong["States"]["Phone screening: remind"]["Parameters"]["Payload"]["action"] = "remindd"
    assert contract_problems(wrong) == ["Phone screening: remind: the function has no action 'remindd'"]
    wrong = copy.deepcopy(definition)
    wrong["States"]["Phone screening: remind"]["ResultSelector"]["sent.$"] = "$.Payload.sent"
    assert contract_problems(wrong) == ["Phone screening: remind: remind's output has no field sent"]
    wrong = copy.deepcopy(definition)
    del wrong["States"]["Phone screening"]["Parameters"]["Payload"]["stage"]
    assert contract_problems(wrong) == ["Phone screening: open_step needs stage"]
    assert states  # the original is untouched


def test_the_generator_refuses_a_field_the_contract_does_not_have():
    with pytest.raises(ValueError, match="no field"):
        generate.payload(generate.VOLUNTEER, generate.WORKFLOW, "finish", stage="READY_FOR_MATCH", hurry=True)
    with pytest.raises(ValueError, match="needs stage"):
        generate.payload(generate.VOLUNTEER, generate.WORKFLOW, "finish")


@pytest.mark.parametrize(
    "event, message",
    [
        ({"action": "sing", "person_id": "a1"}, "unknown action 'sing'"),
        ([1, 2], "a task is a JSON object"),
        ({"action": "finish", "person_id": "a1", "kind": "VOLUNTEER", "stage": "NOT_A_STAGE"}, "finish: stage"),
        ({"action": "finish", "person_id": "a1", "kind": "MATCH", "stage": "REJECTED"}, "finish: kind"),
        ({"action": "finish", "person_id": "a1", "kind": "VOLUNTEER", "stage": "REJECTED", "extra": 1}, "extra"),
    ],
)
def test_a_task_that_is_not_in_the_contract_is_refused_with_a_sentence(event, message):
    with pytest.raises(UnknownTask, match=message):
        parse_task(WORKFLOW_ACTIONS, event)


def test_the_action_names_of_the_functions_do_not_overlap_where_one_function_serves_both():
    # the workflow function reads ops' commands and the machines' tasks from the same events
    assert not set(WORKFLOW_ACTIONS) & set(OPS_ACTIONS)
    assert json.dumps(sorted(MATCHING_ACTIONS))  # a plain list of names
