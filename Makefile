# Two commands matter: `make run` and `make test`. Both set everything up first and are fast when
# nothing changed (the virtualenv is rebuilt only when pyproject.toml or requirements.lock change).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# System packages: speech (espeak-ng via pyttsx3), audio decoding (ffmpeg), browser tests (chromium).
RUN_DEBS  := espeak-ng libespeak1 ffmpeg
TEST_DEBS := $(RUN_DEBS) chromium

.PHONY: run test setup system-run system-test index lint bench eval smoke-llm lock clean help

help:
	@echo "make run    set up, build the index and start the app"
	@echo "make test   set up and run the tests"
	@echo "make lint   ruff and mypy;  make bench  benchmarks;  make eval  the bot's own evaluation"
	@echo "make smoke-llm  try the configured language model;  make clean  remove .venv"

run: setup system-run index
	$(PY) app.py

test: setup system-test lint
	$(PY) -m pytest

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[all,dev]'
	@touch $(STAMP)

# Installs missing Debian packages when we are root; otherwise says what to install and stops.
define ensure_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them (e.g. sudo apt-get install$$missing) and run make again."; exit 1; \
	  fi; \
	fi
endef

system-run:
	$(call ensure_debs,$(RUN_DEBS))

system-test:
	$(call ensure_debs,$(TEST_DEBS))

index: setup
	$(VENV)/bin/interviewer ingest

LINT_PATHS := $(wildcard interviewer tests evals bench app.py)

lint: setup
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy

bench: setup system-run
	$(PY) -m bench

# The bot's own evaluation (simulated candidates + scorer validation on ../shared/data if present).
eval: setup
	$(PY) -m evals.run --data ../shared/data

# A short interview against the configured language-model endpoint (skips when none is set).
smoke-llm: setup
	$(PY) evals/smoke_llm.py

lock: setup
	@(echo "# Every package the project installs, at the versions tested together (make uses it as constraints)."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | sed 's/+cpu//') > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
