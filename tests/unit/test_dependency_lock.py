"""One lock for the venv and for Lambda: the functions' requirements pin every package exactly, and
every runtime dependency the project declares is in them, so `make` (which installs the venv under
them as constraints) and `sam build` install the same versions."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKS = [ROOT / "functions" / "shared" / "requirements.txt", ROOT / "functions" / "matching" / "requirements.txt"]
PINNED = re.compile(r"^([A-Za-z0-9_.-]+)==[0-9][0-9A-Za-z.+-]*$")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def locked() -> set[str]:
    names = set()
    for path in LOCKS:
        for line in requirement_lines(path):
            match = PINNED.match(line)
            assert match, f"{path.relative_to(ROOT)}: {line!r} is not pinned to one version"
            names.add(normalised(match.group(1)))
    return names


def test_every_package_lambda_gets_is_pinned_to_one_version():
    assert {"aws-lambda-powertools", "pydantic", "pydantic-core", "numpy", "scipy"} <= locked()


def test_every_runtime_dependency_but_the_runtimes_own_boto3_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {normalised(re.split(r"[\[<>=~!; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    assert declared - {"boto3"} <= locked()


def test_the_venv_installs_under_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := functions/shared/requirements.txt functions/matching/requirements.txt" in makefile
    assert '-e ".[dev]" $(addprefix -c ,$(LOCK))' in makefile
