# The two commands a newcomer needs: `make run` and `make test`. Each sets up what it needs.
# The venv is built on Lambda's runtime version (3.13) where this machine has it (pyenv or PATH),
# else on python3 (3.11 or newer works too).
PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13) \
	$(shell command -v python3.13 2>/dev/null) python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo lint asl bench bench-matching bench-cold-start bench-cost bench-local-stack clean

# The functions' pinned requirements are the lock: the venv installs under them as constraints, so the
# tests run the versions `sam build` packages for Lambda.
LOCK := functions/shared/requirements.txt functions/matching/requirements.txt

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]" $(addprefix -c ,$(LOCK))
	@touch $(STAMP)

## run: the local stack (AWS endpoint on 127.0.0.1:4566, web pages on 127.0.0.1:3000) until Ctrl-C;
## PARAMS="ReminderDelaySeconds=259200" overrides template parameters (there: steps remind after 3 days, not 120 s)
run: $(STAMP)
	$(PY) -m local_stack $(foreach p,$(PARAMS),--param $(p))

## test: the whole suite (unit, moto, end-to-end on the local stack, browser), a test module per worker;
## TEST_WORKERS=0 runs it in one process. The end-to-end tests mostly wait on the stack's timers, so two
## workers halve the suite on two cores (each worker starts the local stacks its modules use).
TEST_WORKERS ?= 2
test: $(STAMP)
	@bash scripts/ensure-browser.sh
	$(PY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

## demo: a fresh local stack, one volunteer from application to READY_FOR_MATCH, with a timeline
demo: $(STAMP)
	$(PY) -m local_stack.demo

## lint: ruff (checks and formatting), mypy --strict, the layers' import rules, cfn-lint, statelint
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/cfn-lint template.yaml
	for definition in statemachine/*.asl.json; do $(VENV)/bin/statelint $$definition || exit 1; done

## asl: regenerate the state machine definition from the stage list
asl: $(STAMP)
	$(PY) statemachine/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## bench: every benchmark below; each prints its figures (docs/benchmarks.md keeps them)
bench: bench-cold-start bench-matching bench-cost bench-local-stack

## bench-matching: time, memory and exactness of the matching run; SIZES="5000x1000 20000x5000" (volunteers x young)
bench-matching: $(STAMP)
	$(PY) bench/bench_matching.py $(if $(SIZES),--sizes "$(SIZES)")

## bench-cold-start: each function's handler import in a fresh process against import boto3 + one client; RUNS=11
bench-cold-start: $(STAMP)
	$(PY) bench/bench_cold_start.py $(if $(RUNS),--runs $(RUNS))

## bench-cost: the monthly AWS bill of a programme (1,000 volunteers and 500 young people a year)
bench-cost: $(STAMP)
	$(PY) bench/bench_cost.py

## bench-local-stack: WAITING people waiting (POOL of them in the pool) on a local stack: RSS, idle CPU, POST /apply p95 at concurrency 10
bench-local-stack: $(STAMP)
	$(PY) bench/probe_local_stack.py $(or $(WAITING),1000) --pool $(or $(POOL),20)
