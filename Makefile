# Every target works on a fresh clone with only Python installed: the venv is
# created and the project installed on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint fuzz bench deals report batch batch-dask clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# every library deal's base case; then the compiled kernels' cache is filled (compiled once,
# here, not in the first large run a user starts)
run: $(STAMP)
	@for deal in deals/*.toml; do $(BIN)/waterfall run "$$deal" || exit 1; done
	@$(BIN)/python -c "from waterfall.compiled import warm; warm()"

# the deal library in base and bust: tables under out/, results sections of docs/ regenerated
deals: $(STAMP)
	$(BIN)/waterfall library deals --scenario base --scenario bust --paths 20000 --docs docs

# every deal: base case, 2,000 Monte Carlo paths of base and of bust, breakevens, a sensitivity of
# expected loss to rent drift x tenant hazard, the GPU-rent calibration (fitted once, copied to each deal),
# and the HTML report out/<deal>/report.html
report: $(STAMP)
	@$(BIN)/waterfall calibrate --out out/calibration.parquet > /dev/null || exit 1; \
	for deal in deals/*.toml; do \
		name=$$(basename "$$deal" .toml); \
		$(BIN)/waterfall run "$$deal" > /dev/null || exit 1; \
		$(BIN)/waterfall mc "$$deal" --scenario base --paths 2000 --seed 2026 --out "out/$$name/mc_base" > /dev/null || exit 1; \
		$(BIN)/waterfall mc "$$deal" --scenario bust --paths 2000 --seed 2026 --out "out/$$name/mc_bust" > /dev/null || exit 1; \
		$(BIN)/waterfall sensitivity "$$deal" --x rent_drift=-0.05,-0.15,-0.30 --y hazard_multiple=1,3,10 \
			--paths 1024 --seed 2026 --out "out/$$name" > /dev/null || exit 1; \
		$(BIN)/waterfall breakeven "$$deal" --all --out "out/$$name/breakevens.parquet" > /dev/null || exit 1; \
		cp out/calibration.parquet "out/$$name/calibration.parquet" || exit 1; \
		$(BIN)/waterfall report "out/$$name" || exit 1; \
	done

# a small grid over the deal library into one dataset (out/batch/library/); rerunning skips finished cells
batch: $(STAMP)
	$(BIN)/waterfall batch grids/library.toml --out out/batch/library

# the same grid on a Dask LocalCluster of two workers: the same dataset, row for row
batch-dask: $(STAMP)
	$(BIN)/waterfall batch grids/library.toml --executor dask --workers 2 --out out/batch/library_dask

# the suite on every core (test files are kept whole on one worker: their module fixtures run once)
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# damaged deal, scenario and grid files, FUZZ_EXAMPLES per family (the suite runs a few hundred):
# prints family x outcome (clean error / ran clean / crash / unclear message / invariant violation / hang)
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.campaign --examples $(FUZZ_EXAMPLES) --report out/fuzz/report.txt

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# the issue-13 goals table on the 120-month GPU-lease bench deal (medians of 3 runs): the engine
# against the fused reference, the Monte Carlo on every core (1M paths: throughput, peak memory),
# `waterfall run` of each library deal cold and warm, Dask 2 workers vs 1, the scaling table; then
# where a chunk's time goes. `make bench BENCH_ARGS=--quick` checks it all runs on small sizes.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/goals.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/profile_chunk.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
