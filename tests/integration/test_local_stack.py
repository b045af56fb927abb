"""The local stack runs handlers as Lambda does, and behaves as a command a person runs."""

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from local_stack import template as tpl
from local_stack.lambdas import Lambdas, lambda_environment
from local_stack.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def spec_for(tmp_path: Path, code: str, environment: dict[str, str] | None = None) -> tpl.FunctionSpec:
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text(code)
    return tpl.FunctionSpec(
        logical_id="Probe",
        name="probe",
        code_dir=folder,
        handler="app.lambda_handler",
        runtime="python3.13",
        timeout=5,
        memory=128,
        environment=environment or {},
        layer_dirs=[ROOT / "functions" / "shared"],
        routes=[],
    )


def test_a_function_gets_exactly_the_templates_environment_plus_the_local_endpoint():
    template = tpl.load()
    context = tpl.Context(
        tpl.parameter_defaults(
            template,
            {"SenderEmail": "s@x.dk", "ConsultantEmail": "k@x.dk", "OpsEmail": "o@x.dk", "PublicBaseUrl": "http://x"},
        )
    )
    context.conditions["HasPublicBaseUrl"] = True
    for logical in (
        "Table",
        "VolunteerStateMachine",
        "YouthStateMachine",
        "EmailConfigurationSet",
        "StaffUserPoolClient",
    ):
        context.refs[logical] = logical
    for logical in tpl.resources_of(template, "AWS::Serverless::Function"):
        context.refs[logical] = logical
    intake = next(s for s in tpl.function_specs(template, context) if s.logical_id == "IntakeFunction")
    environment = lambda_environment(intake, "http://127.0.0.1:1")
    assert environment["STATE_MACHINE_ARN"].endswith(":stateMachine:backup-local-volunteer")
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert "SENDER_EMAIL" not in environment  # the template gives intake no sender: it must not have one
    assert "HOME" not in environment and "VIRTUAL_ENV" not in environment


def test_a_handler_reading_a_variable_the_template_does_not_set_fails_as_in_aws(tmp_path):
    code = "import os\nSENDER = os.environ['SENDER_EMAIL']\ndef lambda_handler(event, context):\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    try:
        outcome = lambdas.invoke("probe", {})
    finally:
        lambdas.close()
    assert not outcome.ok and outcome.error["errorType"] == "KeyError"


def test_only_the_functions_code_its_layer_and_their_requirements_can_be_imported(tmp_path):
    code = (
        "def lambda_handler(event, context):\n"
        "    import backup.domain.stages, pydantic, boto3\n"
        "    try:\n        import moto\n    except ModuleNotFoundError as missing:\n        return str(missing)\n"
        "    return 'moto imported'\n"
    )
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    try:
        outcome = lambdas.invoke("probe", {})
    finally:
        lambdas.close()
    assert outcome.ok and "not in the function's code, its layer or the Lambda runtime" in outcome.result


def test_workers_left_idle_after_a_burst_are_stopped_but_one(tmp_path):
    code = "import time\ndef lambda_handler(event, context):\n    time.sleep(0.5)\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    pool = lambdas.pools["probe"]
    try:
        burst = [threading.Thread(target=lambdas.invoke, args=("probe", {})) for _ in range(3)]
        for thread in burst:
            thread.start()
        for thread in burst:
            thread.join()
        assert pool.count == 3
        pool.retire_idle(seconds=0)
        assert pool.count == 1 and len(pool.idle) == 1 and pool.idle[0].alive
        assert lambdas.invoke("probe", {}).result == 1
    finally:
        lambdas.close()


def test_a_handler_that_overruns_its_timeout_is_stopped(tmp_path):
    code = "import time\ndef lambda_handler(event, context):\n    time.sleep(30)\n"
    spec = spec_for(tmp_path, code)
    spec.timeout = 1
    lambdas = Lambdas([spec], "http://127.0.0.1:1")
    try:
        outcome = lambdas.invoke("probe", {})
    finally:
        lambdas.close()
    assert outcome.error["errorType"] == "Sandbox.Timedout"


def test_a_port_in_use_is_one_sentence_and_a_non_zero_exit():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "local_stack", "--api-port", str(port), "--aws-port", str(free_port())],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert f"Port {port}" in result.stderr and "already in use" in result.stderr


@pytest.mark.e2e
def test_ctrl_c_stops_every_process_the_stack_started(tmp_path):
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_stack",
            "--api-port",
            str(free_port()),
            "--aws-port",
            str(free_port()),
            "--ready-file",
            str(ready),
            "--log-file",
            str(tmp_path / "log"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while not ready.exists() and time.time() < deadline:
        time.sleep(0.2)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) >= 5  # a warm worker per function
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    time.sleep(0.5)
    alive = [
        pid
        for pid in children
        if Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    ]
    assert alive == [], f"workers still running: {alive}"
