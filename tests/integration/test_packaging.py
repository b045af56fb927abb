"""What `sam build` deploys fits Lambda: the matching function (numpy, scipy) and the shared layer
together stay under 250 MB unzipped. Builds both packages as sam does, through their Makefiles,
with wheels for Lambda's platform (python3.13, arm64) from the package index."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAMBDA_LIMIT_MB = 250


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def build(target: str, folder: str, artifacts: Path, **make_vars: str) -> Path:
    artifacts.mkdir(parents=True, exist_ok=True)
    variables = [
        f"{k}={v}" for k, v in {"ARTIFACTS_DIR": str(artifacts), "PYTHON": sys.executable, **make_vars}.items()
    ]
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT / "functions" / folder), target, *variables],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return artifacts


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sam-build")
    return (
        build("build-MatchingFunction", "matching", tmp / "MatchingFunction"),
        build("build-SharedLayer", "shared", tmp / "SharedLayer"),
    )


def test_the_matching_function_and_the_shared_layer_fit_lambdas_250_mb(packages):
    function, layer = packages
    total = size_mb(function) + size_mb(layer)
    print(
        f"matching function {size_mb(function):.0f} MB + shared layer {size_mb(layer):.0f} MB = {total:.0f} MB "
        f"of {LAMBDA_LIMIT_MB} MB"
    )
    assert total < LAMBDA_LIMIT_MB


def test_the_packages_hold_the_code_and_leave_out_only_what_never_runs(packages):
    function, layer = packages
    assert {"matching_handler.py", "assignment.py", "pool.py", "scoring.py"} <= {p.name for p in function.glob("*.py")}
    assert (function / "scipy" / "optimize").is_dir() and (function / "numpy").is_dir()
    assert [p.relative_to(function) for p in function.rglob("tests") if p.is_dir()] == [Path("numpy/_core/tests")]
    python = layer / "python"
    assert (python / "backup" / "domain" / "stages.py").is_file() and (python / "backup" / "domain" / "data").is_dir()
    assert (python / "backup" / "usecases" / "human_steps.py").is_file()
    assert (python / "pydantic").is_dir() and (python / "aws_lambda_powertools").is_dir()
    assert (python / "tzdata").is_dir()  # Danish time: the runtime has no zoneinfo database
    assert not [p.name for p in python.iterdir() if p.name.split("-")[0] in {"boto3", "botocore", "urllib3"}]
    assert not list(function.rglob("__pycache__"))  # numpy's and scipy's bytecode would not fit
    bytecode = list(python.rglob("*.pyc"))
    if sys.version_info[:2] == (3, 13):  # the layer is compiled only by Lambda's Python version
        assert bytecode and all(p.name.endswith(".cpython-313.pyc") for p in bytecode)
        assert (python / "backup" / "domain" / "__pycache__" / "stages.cpython-313.pyc").is_file()
    else:
        assert not bytecode  # another version's bytecode would be ignored in Lambda


@pytest.mark.skipif(sys.platform != "linux", reason="the build fetches manylinux wheels for this machine")
def test_the_pruned_numpy_and_scipy_still_do_what_matching_needs(tmp_path):
    """The same build for this machine's platform, imported with nothing else on the path."""
    host = build(
        "build-MatchingFunction",
        "matching",
        tmp_path / "host",
        MACHINE=platform.machine(),
        PYTHON_VERSION=f"{sys.version_info.major}.{sys.version_info.minor}",
    )
    check = (
        "import sys; sys.path.insert(0, sys.argv[1]); import numpy; "
        "from scipy.optimize import linear_sum_assignment; "
        "from scipy.sparse.csgraph import min_weight_full_bipartite_matching; "
        "from scipy.optimize import milp, Bounds, LinearConstraint; from scipy import sparse; "
        "rows, cols = linear_sum_assignment(numpy.array([[4, 1], [2, 3]])); print(cols.tolist())"
    )
    result = subprocess.run([sys.executable, "-S", "-c", check, str(host)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1, 0]"
