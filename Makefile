# zhnews: the two commands a new user needs are `make demo` and `make test`.
# Both run `make setup` first, which is idempotent: it creates .venv if missing,
# reinstalls the project only when pyproject.toml changed, and fetches the pkuseg
# model once into the user cache (~/.cache/zhnews, or $ZHNEWS_HOME).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.zhnews-installed
OUT ?= out
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast lint format bench models corpus clean help

help:
	@echo "make demo   - set up and run zhnews extract on corpus/sample/"
	@echo "make test   - set up and run the test suite"
	@echo "make setup  - create .venv, install zhnews, fetch the pkuseg model (idempotent)"
	@echo "make lint   - ruff check + format check"
	@echo "make bench  - speed/accuracy benchmarks (needs ../shared/data)"
	@echo "make models - rebuild every shipped model from corpus/ and ../shared/data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# numpy, cython and wheel must be present before anything builds: the pkuseg sdist
# (from which the segmentation model is taken) prepares its metadata without build
# isolation and imports them.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip wheel setuptools
	$(BIN)/python -m pip install --quiet --disable-pip-version-check numpy cython
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/zhnews setup

demo: setup
	@mkdir -p $(OUT)
	$(BIN)/zhnews extract corpus/sample -o $(OUT)/sample.jsonl --facts $(OUT)/sample_facts.csv
	@echo "results: $(OUT)/sample.jsonl (one record per document, schema zhnews/1)"
	@echo "facts:   $(OUT)/sample_facts.csv (one row per linked figure)"

test: setup
	$(BIN)/ruff check pipeline training tests benchmarks
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check pipeline training tests benchmarks
	$(BIN)/ruff format --check pipeline training tests benchmarks

format: setup
	$(BIN)/ruff format pipeline training tests benchmarks
	$(BIN)/ruff check --fix pipeline training tests benchmarks

bench: setup
	$(BIN)/python benchmarks/segmentation.py

models: setup
	$(BIN)/python -m training.build_corpus
	$(BIN)/python -m training.org.train
	$(BIN)/python -m training.relations.train

clean:
	rm -rf $(OUT) build .pytest_cache .ruff_cache
