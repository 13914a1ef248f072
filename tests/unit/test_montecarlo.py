"""Monte Carlo runs: chunk-size invariance, seed determinism, summary and period statistics."""

from __future__ import annotations

import itertools

import attrs
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from waterfall import compiled
from waterfall.engine import run
from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.risk.period_stats import PeriodStats
from waterfall.risk.ratings import BELOW_SCALE, RATING_FACTORS

PATHS = 2 * BLOCK + 300  # two whole blocks and a partial one


@pytest.fixture(scope="module")
def base_run(example_deal):
    return run_monte_carlo(example_deal, load_scenario("base"), PATHS, seed=11, chunk_size=BLOCK)


def test_results_do_not_depend_on_chunk_size(example_deal, base_run) -> None:
    other = run_monte_carlo(example_deal, load_scenario("base"), PATHS, seed=11, chunk_size=3 * BLOCK)
    assert_frame_equal(base_run.tranches, other.tranches)
    assert_frame_equal(base_run.summary, other.summary)
    assert_frame_equal(base_run.period_stats, other.period_stats)


def ten_years(deal):
    """The deal on a ten-year horizon, where equity is paid in many months (its IRR sums many flows)."""
    return attrs.evolve(deal, calendar=attrs.evolve(deal.calendar, horizon_months=120))


# a tail chunk below the compiled kernels' threshold runs numpy, the chunks before it the kernels
EDGE_PATHS = BLOCK + compiled.MIN_PATHS // 2


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_a_run_is_the_same_whatever_chunks_split_it_and_whichever_kernels_run(
    example_deal, kernels, monkeypatch
) -> None:
    # chunks of 1, 7 and a prime number of paths are whole blocks: a full block then a tail
    # below MIN_PATHS (numpy); two blocks are one chunk above MIN_PATHS (kernels)
    scenario, deal = load_scenario("base"), ten_years(example_deal)
    runs = [run_monte_carlo(deal, scenario, EDGE_PATHS, seed=5, chunk_size=size) for size in (1, 7, 2 * BLOCK)]
    monkeypatch.setenv("WATERFALL_KERNELS", kernels)
    runs.append(run_monte_carlo(deal, scenario, EDGE_PATHS, seed=5, chunk_size=1021))
    for other in runs[1:]:
        assert_frame_equal(other.tranches, runs[0].tranches, check_exact=True)
        assert_frame_equal(other.summary, runs[0].summary, check_exact=True)
        assert_frame_equal(other.period_stats, runs[0].period_stats, check_exact=True)


def test_a_path_has_the_same_outcome_wherever_a_chunk_edge_falls(example_deal) -> None:
    # pieces of 1 and 7 paths, one just below the kernels' threshold and one just above it
    # (a prime), then the rest: every path's outcome and the histograms as in one piece
    deal = ten_years(example_deal)
    market = generate(load_scenario("base"), deal, 8, 0, BLOCK)
    whole = run(deal, market)
    edges = [0, 1, 8, 8 + compiled.MIN_PATHS - 1, 8 + compiled.MIN_PATHS - 1 + 257, BLOCK]
    stats = PeriodStats(whole.months, 1e6)
    pieces = []
    for first, last in itertools.pairwise(edges):
        tape = run(deal, market.take(slice(first, last)))
        pieces.append(tranche_outcomes(tape).with_columns(pl.col("path") + first))
        stats.add(tape)
    expected = tranche_outcomes(whole)
    assert_frame_equal(pl.concat(pieces).sort("path", maintain_order=True), expected, check_exact=True)
    alone = PeriodStats(whole.months, 1e6)
    alone.add(whole)
    for name, histogram in alone.measures.items():
        np.testing.assert_array_equal(stats.measures[name].counts, histogram.counts, err_msg=name)
    np.testing.assert_array_equal(stats.default, alone.default)
    np.testing.assert_array_equal(stats.lock_up, alone.lock_up)


def test_a_path_sees_the_same_market_whatever_the_run_size(example_deal) -> None:
    scenario = load_scenario("bust")
    small = generate(scenario, example_deal, 5, 0, 100)
    large = generate(scenario, example_deal, 5, 0, 3 * BLOCK)
    for name, rent in small.gpu_rent.items():
        np.testing.assert_array_equal(rent, large.gpu_rent[name][:100])
    for name, months in small.tenant_default.items():
        np.testing.assert_array_equal(months, large.tenant_default[name][:100])
    np.testing.assert_array_equal(small.collateral, large.collateral[:100])


def test_same_seed_same_answer_other_seed_other_answer(example_deal, base_run) -> None:
    again = run_monte_carlo(example_deal, load_scenario("base"), PATHS, seed=11, chunk_size=BLOCK)
    assert_frame_equal(base_run.tranches, again.tranches)
    other = run_monte_carlo(example_deal, load_scenario("base"), PATHS, seed=12, chunk_size=BLOCK)
    assert not base_run.tranches["irr"].equals(other.tranches["irr"])


def test_summary_restates_the_per_path_outcomes(base_run) -> None:
    for row in base_run.summary.iter_rows(named=True):
        paths = base_run.tranches.filter(pl.col("tranche") == row["tranche"])
        assert row["paths"] == PATHS == paths.height
        assert row["pd"] == pytest.approx((paths["loss"] > 0.01).mean())
        assert row["el_pct"] == pytest.approx(paths["loss_pct"].mean())
        losing = paths.filter(pl.col("loss") > 0.01)["loss_pct"]
        if losing.len():
            assert row["lgd"] == pytest.approx(losing.mean())
        assert row["var_99"] <= row["es_99"] + 1e-12
        assert row["el_pct"] <= row["es_99"] + 1e-12


def test_implied_ratings_are_given_for_debt_and_worsen_with_pd(base_run) -> None:
    debt = base_run.summary.filter(pl.col("kind") == "debt")
    assert debt["implied_rating"].null_count() == 0
    senior, mezz = debt.row(0, named=True), debt.row(1, named=True)
    assert senior["pd"] <= mezz["pd"]
    order = [rating for rating, _ in RATING_FACTORS] + [BELOW_SCALE]
    assert order.index(senior["implied_rating"]) <= order.index(mezz["implied_rating"])


def test_period_stats_are_ordered_quantiles_and_shares(base_run) -> None:
    stats = base_run.period_stats
    assert stats.height == base_run.deal.calendar.horizon_months
    for measure in ("dscr", "ltv", "cfads"):
        qs = stats.select(f"{measure}_p01", f"{measure}_p05", f"{measure}_p50", f"{measure}_p95").drop_nulls()
        values = qs.to_numpy()
        assert (np.diff(values, axis=1) >= -1e-9).all(), measure
    shares = stats.select("share_lock_up", "share_default").to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()
    # once defaulted a path stays counted: the default share never falls
    assert (np.diff(stats["share_default"].to_numpy()) >= 0).all()
    defaulted = base_run.tranches.filter(pl.col("tranche") == "senior")["default_period"].is_not_null().mean()
    assert stats["share_default"][-1] == pytest.approx(defaulted)


def test_median_cfads_quantile_is_within_a_bin_of_the_exact_median(example_deal) -> None:
    from waterfall.engine import run

    scenario = load_scenario("base")
    result = run_monte_carlo(example_deal, scenario, BLOCK, seed=3, chunk_size=BLOCK)
    tape = run(example_deal, generate(scenario, example_deal, 3, 0, BLOCK))
    exact = np.median(tape.period["cfads"], axis=1)
    got = result.period_stats["cfads_p50"].to_numpy()
    width = 8 * float(np.abs(tape.period["cfads"]).max()) / 10_000  # generous: a few bins
    assert np.abs(got - exact).max() <= width


def test_kept_paths_are_the_first_paths_of_the_run(example_deal) -> None:
    result = run_monte_carlo(example_deal, load_scenario("bust"), 1500, seed=2, chunk_size=BLOCK, keep_paths=7)
    assert result.kept is not None
    kept = result.kept.tranches
    assert kept["path"].max() == 6
    ran = result.tranches.filter(pl.col("path") < 7).with_columns(pl.col("tranche", "kind").cast(pl.String))
    assert_frame_equal(kept.sort("path", "tranche"), ran.sort("path", "tranche"))


def test_bust_is_materially_worse_than_base(example_deal, base_run) -> None:
    bust = run_monte_carlo(example_deal, load_scenario("bust"), PATHS, seed=11, chunk_size=BLOCK)
    for tranche in ("senior", "mezz"):
        b = base_run.summary.filter(pl.col("tranche") == tranche).row(0, named=True)
        s = bust.summary.filter(pl.col("tranche") == tranche).row(0, named=True)
        assert s["pd"] > 2 * b["pd"] and s["el_pct"] > 2 * b["el_pct"], tranche
