# Every target works on a fresh clone with only Python installed: the venv is
# created and the project installed on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench deals clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@for deal in deals/*.toml; do $(BIN)/waterfall run "$$deal" || exit 1; done

# the deal library in base and bust: tables under out/, results sections of docs/ regenerated
deals: $(STAMP)
	$(BIN)/waterfall library deals --scenario base --scenario bust --paths 20000 --docs docs

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/engine_throughput.py --paths 100000
	$(BIN)/python benchmarks/montecarlo.py --paths 100000 1000000

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
