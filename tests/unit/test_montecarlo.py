"""Monte Carlo runs: chunk-size invariance, seed determinism, summary and period statistics."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from waterfall.market.generate import BLOCK, generate
from waterfall.market.scenario import load_scenario
from waterfall.risk.montecarlo import run_monte_carlo
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
