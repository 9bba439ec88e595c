# The two commands: `make demo` and `make test`. Both create .venv with $(PYTHON) if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# x.y.z of $(PYTHON) (empty if it does not run), and of the Python that made .venv (pyvenv.cfg).
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
VENV_VERSION := $(shell sed -n 's/^version *= *//p' $(VENV)/pyvenv.cfg 2>/dev/null)
PYTHON_OK := $(shell v='$(PYTHON_VERSION)'; major=$${v%%.*}; rest=$${v#*.}; minor=$${rest%%.*}; \
	[ -n "$$v" ] && { [ "$$major" -gt 3 ] || { [ "$$major" -eq 3 ] && [ "$$minor" -ge 11 ]; }; } 2>/dev/null && echo yes)

.PHONY: demo test lint typecheck pytest bench clean python-check FORCE

# $(error) rather than a failing command: the message is the only line make prints.
python-check:
	$(if $(PYTHON_OK),,$(error Python 3.11+ needed, found $(or $(basename $(PYTHON_VERSION)),none at '$(PYTHON)'); run with PYTHON=python3.11))

# A .venv made by another Python (an older checkout, another PYTHON=) is made again.
ifneq ($(VENV_VERSION),)
ifneq ($(VENV_VERSION),$(PYTHON_VERSION))
$(STAMP): FORCE
endif
endif

$(STAMP): pyproject.toml constraints.txt requirements-dev.txt | python-check
	@if [ -n "$(VENV_VERSION)" ] && [ "$(VENV_VERSION)" != "$(PYTHON_VERSION)" ]; then \
		echo "rebuilding $(VENV): it was made by Python $(VENV_VERSION), $(PYTHON) is $(PYTHON_VERSION)"; \
		rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[sandbox,cli,postgres]' -r requirements-dev.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flowroute demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src examples tests benchmarks
	$(BIN)/ruff format --check src examples tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src examples tests

# The inbox's browser tests need Chromium, and the tests' throwaway cluster PostgreSQL:
# installed from Debian when missing (as root), never skipped.
pytest: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-postgres
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info

FORCE:
