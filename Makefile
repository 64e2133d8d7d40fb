# Every target bootstraps .venv first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test soak lint bench bench-large audit lock format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tagih run

# Three workers on this machine's two cores (tests wait on PostgreSQL, dovecot and the stand-ins
# as much as they compute: 5:13 against 6:12 with two and 5:32 with four), each with its own
# PostgreSQL cluster and dovecot. Work stealing: with the default `load` schedule the slow
# reliability tests queued up on one worker after the others had finished (one run: workers
# done at 133, 146 and 220 s, pytest 3:45); stolen, all three end within a second (2:56).
test: $(STAMP)
	$(BIN)/python -m pytest -n 3 --dist worksteal

# The heavier reliability variants: 20,000 follow-ups across killed workers, a 20 s lock...
soak: $(STAMP)
	TAGIH_SOAK=1 $(BIN)/python -m pytest tests/reliability tests/unit/test_import_fast_paths.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Figures beside the goals of issue 10; JSON under bench/results/ (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m bench

bench-large: $(STAMP)
	$(BIN)/python -m bench --large

# Known vulnerabilities in the locked dependencies (requirements.lock); says so loudly when
# the vulnerability database cannot be reached.
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

# Re-lock after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
