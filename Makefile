# codepeft: `make run` (set up + the embedded default study) and `make test` (set up + tests).
# Everything installs into this folder: .venv (Python), .tools (npm packages, WordNet, side
# venvs). System packages (bubblewrap, checkstyle, ...) are installed with apt when run as root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup tools run test test-slurm test-all test-fast lint format clean

setup: $(VENV)/.installed tools

# torch first, pinned: on a CPU machine of this project's kind the pin selects the CPU wheel;
# on a GPU cluster the same pin installs the CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# external tools: each script is idempotent and fast when its tool is present
tools: $(VENV)/.installed
	@set -e; for script in scripts/setup/*.sh; do bash $$script; done

# a quiet console: one line per finished job (done/total, rule, wildcards, elapsed) and errors;
# Snakemake's full log stays in .snakemake/log/ (scripts/console.py). Resumable: after Ctrl-C or
# a kill, `make run` again finishes the study (scripts/run_study.py: a dead run's stale lock and
# orphaned jobs are cleared, a live run is never touched).
run: setup
	@$(BIN)/python scripts/run_study.py --cores $(CORES)
	@echo "report: results/report/index.html"

# the tests run in $(TEST_WORKERS) pytest-xdist workers, one work unit each at a time
# (tests/conftest.py): the embedded study's build in one worker, the Slurm tests (waiting on the
# queue) and the modules in the other, the other tests that read the built study last, in
# whichever worker is free. Serially: make test XDIST=   (or plain .venv/bin/pytest). Extra
# options: PYTEST_ARGS="--durations=30"; what each worker did when: CODEPEFT_TEST_TIMELINE=<file>
# (benchmarks/timeline.py)
TEST_WORKERS ?= 2
XDIST ?= -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# everything but the Slurm tests: 10.5-11 min on 2 cores from a clean clone (10 min 33 s,
# 11 min 6 s; 19-20 CPU-minutes), the study's build (~7.5 min beside the other worker) the
# longest item; timings: benchmarks/tests.md
test: setup
	$(BIN)/pytest -q -ra $(XDIST) -m "not slurm" $(PYTEST_ARGS)

# the workflow on a real one-node Slurm (tests/slurm, marked slurm: root; scripts/slurm/cluster.sh
# installs and starts it with apt): ~7 min, most of it waiting on the queue. CI (.ci/run) runs it
# after `make test`; elsewhere without root it is skipped
test-slurm: setup
	$(BIN)/pytest -q -ra tests/slurm $(PYTEST_ARGS)

# both in one session, the Slurm tests' waits beside the other tests: ~16 min
test-all: setup
	$(BIN)/pytest -q -ra $(XDIST) $(PYTEST_ARGS)

# the unit tests only (tests/unit, without those marked slow, workflow or slurm): 52 s with 2
# workers on 2 cores (benchmarks/tests.md), for while you work
test-fast: $(VENV)/.installed
	$(BIN)/pytest -q -ra $(XDIST) tests/unit -m "not slow and not workflow and not slurm" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check codepeft tests workflow benchmarks scripts
	$(BIN)/ruff format --check codepeft tests workflow benchmarks scripts
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/snakemake --lint

format: $(VENV)/.installed
	$(BIN)/ruff format codepeft tests workflow benchmarks scripts
	$(BIN)/ruff check --fix codepeft tests workflow benchmarks scripts
	$(BIN)/snakefmt Snakefile rules

clean:
	rm -rf results logs .snakemake
