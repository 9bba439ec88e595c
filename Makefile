# The two commands: `make demo` and `make test`. Both create .venv with python3 if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[sandbox,cli,postgres,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flowroute demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src examples tests benchmarks
	$(BIN)/ruff format --check src examples tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src examples

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info
