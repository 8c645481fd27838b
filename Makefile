# kiemchung — two set-up commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench serve clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	touch $(STAMP)

## make demo: set up, load the bundled demo data into SQLite and serve on the configured port
## (KIEMCHUNG_PORT, default 8000: KIEMCHUNG_PORT=8100 make demo)
demo: $(STAMP)
	$(BIN)/kiemchung demo

## make test: ruff, mypy and pytest (SQLite and PostgreSQL)
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/cog --check docs/settings.md

typecheck: $(STAMP)
	$(BIN)/mypy

# Doctests of src/kiemchung run too (pyproject addopts); line coverage must stay at 90 % or more.
pytest: $(STAMP)
	$(BIN)/pytest -q -n 4 --dist loadfile --durations=25 --cov --cov-report=term --cov-fail-under=90

## make bench: benchmarks and the evaluation harness (long)
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

## make messages: extract the message ids and update both gettext catalogues (src/kiemchung/locale)
messages: $(STAMP)
	$(BIN)/python -m kiemchung.web.catalogue

serve: $(STAMP)
	$(BIN)/kiemchung serve

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
