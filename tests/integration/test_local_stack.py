"""The local stack runs handlers as Lambda does, and behaves as a command a person runs."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from local_stack import template as tpl
from local_stack.lambdas import FunctionPool, Lambdas, Outcome, Zygote, ZygoteError, lambda_environment
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


def template_specs() -> list[tpl.FunctionSpec]:
    """The template's functions, their references resolved as the local stack resolves them."""
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
    return tpl.function_specs(template, context)


# A probe handler's invocations in a burst wait for each other (up to 4 s of its 5 s timeout), so a
# burst of `count` needs `count` workers however slowly a busy machine starts the threads: a fixed
# sleep in the handler assumed they all arrived within it, and under load the warm worker took two.
MEET = (
    "import os, time\n"
    "def meet(event):\n"
    "    here = event.get('meet')\n"
    "    if here is None:\n"
    "        return\n"
    "    open(os.path.join(here, str(os.getpid())), 'w').close()\n"
    "    deadline = time.monotonic() + 4\n"
    "    while len(os.listdir(here)) < event['count'] and time.monotonic() < deadline:\n"
    "        time.sleep(0.01)\n"
)


def burst(lambdas: Lambdas, count: int) -> list[Outcome]:
    """`count` invokes of the probe function at once: a worker each, as the handler meets the others."""
    meeting = Path(tempfile.mkdtemp(prefix="burst-"))
    event = {"meet": str(meeting), "count": count}
    outcomes: list[Outcome] = []
    threads = [threading.Thread(target=lambda: outcomes.append(lambdas.invoke("probe", event))) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shutil.rmtree(meeting, ignore_errors=True)
    return outcomes


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def running(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    """Every running process under `pid` (a zygote's workers are its children, not the stack's)."""
    found, frontier = [], [pid]
    while frontier:
        frontier = [
            int(child)
            for parent in frontier
            for child in subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
        ]
        found += frontier
    return found


def test_a_function_gets_exactly_the_templates_environment_plus_the_local_endpoint():
    intake = next(s for s in template_specs() if s.logical_id == "IntakeFunction")
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


def test_workers_are_forked_from_the_functions_zygote_which_imports_the_handler_once(tmp_path):
    imports = tmp_path / "imports"
    code = (
        "import os, time\n"
        f"with open({str(imports)!r}, 'a') as imports:\n    imports.write('imported\\n')\n"
        f"{MEET}def lambda_handler(event, context):\n    meet(event)\n    return os.getpid()\n"
    )
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    try:
        outcomes = burst(lambdas, 3)
        zygote = lambdas.pools["probe"].zygote
        assert zygote is not None
        workers = {outcome.result for outcome in outcomes}
        assert all(outcome.ok for outcome in outcomes) and len(workers) == 3
        assert {parent_of(pid) for pid in workers} == {zygote.process.pid}
        assert imports.read_text() == "imported\n"  # by the zygote alone, before any worker was forked
    finally:
        lambdas.close()


def test_each_forked_workers_first_invoke_is_a_cold_start(tmp_path):
    code = (
        "import time\n"
        "from aws_lambda_powertools import Logger\n"
        "logger = Logger(service='probe')\n"
        f"{MEET}@logger.inject_lambda_context\n"
        "def lambda_handler(event, context):\n"
        "    meet(event)\n"
        "    return logger.get_current_keys()['cold_start']\n"
    )
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    try:
        first = burst(lambdas, 2)
        again = lambdas.invoke("probe", {})
    finally:
        lambdas.close()
    assert [outcome.result for outcome in first] == [True, True]  # the zygote never invoked the handler
    assert again.result is False


def test_an_import_error_is_reported_on_every_invoke_of_every_worker(tmp_path):
    code = "raise RuntimeError('the configuration is missing')\ndef lambda_handler(event, context):\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    pool = lambdas.pools["probe"]
    try:
        outcomes = [lambdas.invoke("probe", {}), lambdas.invoke("probe", {})]
        assert pool.zygote is not None
        second_worker = pool.zygote.fork()
        outcomes.append(second_worker.invoke({}, timeout=5))
        second_worker.stop()
    finally:
        lambdas.close()
    for outcome in outcomes:
        assert not outcome.ok and outcome.error is not None
        assert (outcome.error["errorType"], outcome.error["errorMessage"]) == (
            "RuntimeError",
            "the configuration is missing",
        )


def test_a_zygote_that_died_is_started_again_for_the_next_worker(tmp_path):
    code = f"{MEET}def lambda_handler(event, context):\n    meet(event)\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    pool = lambdas.pools["probe"]
    try:
        assert lambdas.invoke("probe", {}).ok
        assert pool.zygote is not None
        dead = pool.zygote.process
        dead.kill()
        dead.wait()
        outcomes = burst(lambdas, 2)  # the warm worker lives on; the second needs a fork
        assert [outcome.result for outcome in outcomes] == [1, 1]
        assert pool.zygote.process.pid != dead.pid
    finally:
        lambdas.close()


def test_a_function_whose_import_starts_a_thread_is_not_forked_and_the_request_says_why(tmp_path):
    code = (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "def lambda_handler(event, context):\n    return 1\n"
    )
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    try:
        with pytest.raises(ZygoteError, match="cannot be forked safely: the import started 1 thread"):
            lambdas.invoke("probe", {})
    finally:
        lambdas.close()


def test_no_function_of_the_template_starts_a_thread_or_opens_a_connection_at_import():
    zygotes = []
    try:
        for spec in template_specs():
            pool = FunctionPool(spec, "http://127.0.0.1:1", None)
            zygotes.append(Zygote(spec, pool.env, pool.allowed, None))
        assert {zygote.name: zygote.hazards for zygote in zygotes} == {zygote.name: [] for zygote in zygotes}
    finally:
        for zygote in zygotes:
            zygote.stop()


def test_closing_the_functions_stops_their_zygotes_and_workers(tmp_path):
    code = f"{MEET}def lambda_handler(event, context):\n    meet(event)\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    burst(lambdas, 3)
    started = descendants(os.getpid())
    assert len(started) >= 4  # the zygote and its three workers
    lambdas.close()
    deadline = time.monotonic() + 10  # the kernel may take a moment to reap what was killed
    while any(running(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in started if running(pid)] == []


def test_workers_left_idle_after_a_burst_are_stopped_but_one(tmp_path):
    code = f"{MEET}def lambda_handler(event, context):\n    meet(event)\n    return 1\n"
    lambdas = Lambdas([spec_for(tmp_path, code)], "http://127.0.0.1:1")
    pool = lambdas.pools["probe"]
    try:
        assert [outcome.result for outcome in burst(lambdas, 3)] == [1, 1, 1]
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
    started = descendants(process.pid)
    assert len(started) >= 10  # a zygote and a warm worker it forked per function
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 10  # the kernel may take a moment to reap what was killed
    while any(running(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in started if running(pid)]
    assert alive == [], f"zygotes or workers still running: {alive}"
