# kitei — the two commands of the README are `make demo` and `make test`.
# The virtual environment bootstraps itself from pyproject.toml (PyPI only).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint types pytest bench clean messages screenshots pack-schema

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

demo: $(STAMP) messages
	KITEI_DEBUG=1 $(BIN)/kitei demo --serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: $(STAMP)
	KITEI_DEBUG=1 $(BIN)/mypy

pytest: $(STAMP) messages
	$(BIN)/pytest -q

test: lint types pytest

# Translation catalogs: .po (in git) -> .mo (build output), in pure Python (Babel).
MO := $(patsubst %.po,%.mo,$(wildcard src/kitei/locale/*/LC_MESSAGES/django.po))
messages: $(MO)
src/kitei/locale/%/LC_MESSAGES/django.mo: src/kitei/locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/python scripts/messages.py compile $<

# docs/pack-schema.md, generated from src/kitei/policy/model.py (a test says when it is stale).
pack-schema: $(STAMP)
	$(BIN)/kitei policy schema --format markdown > docs/pack-schema.md

# docs/screenshots/*.png, taken by the browser tests in Debian's headless Chromium.
screenshots: $(STAMP) messages
	KITEI_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -m browser -k screenshot

bench: $(STAMP)
	@# the benchmarks import the tests' builders (tests/conftest.py) from the checkout
	PYTHONPATH=. $(BIN)/python bench/policy_bench.py
	PYTHONPATH=. $(BIN)/python bench/audit_bench.py
	PYTHONPATH=. $(BIN)/python bench/audit_page_bench.py
	PYTHONPATH=. $(BIN)/python bench/login_bench.py
	PYTHONPATH=. $(BIN)/python bench/register_bench.py
	PYTHONPATH=. $(BIN)/python bench/import_bench.py
	PYTHONPATH=. $(BIN)/python bench/access_bench.py
	PYTHONPATH=. $(BIN)/python bench/load_bench.py
	PYTHONPATH=. $(BIN)/python bench/incident_bench.py
	PYTHONPATH=. $(BIN)/python bench/inspection_bench.py
	PYTHONPATH=. $(BIN)/python bench/calendar_bench.py
	PYTHONPATH=. $(BIN)/python bench/audit_work_bench.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
