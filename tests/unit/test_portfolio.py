"""Portfolios: deals on one clock share their paths, and the lender's loss adds up."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from waterfall.errors import InputError
from waterfall.market.generate import generate, on_clock
from waterfall.market.scenario import load_scenario
from waterfall.risk.portfolio import run_portfolio
from waterfall.spec.portfolio import load_portfolio


@pytest.fixture(scope="module")
def chain(deals_dir):
    return load_portfolio(deals_dir / "portfolios" / "openai_chain.toml")


def test_a_shared_tenant_fails_in_the_same_calendar_month_in_every_deal(chain) -> None:
    scenario = load_scenario("bust")
    abilene, frontier = (d for d in chain.deals if d.name in ("crusoe_abilene", "vantage_frontier"))
    start = min(abilene.calendar.start, frontier.calendar.start)
    months = 400
    seen = {}
    for deal in (abilene, frontier):
        offset = -deal.calendar.month_of(start)
        market = generate(scenario, on_clock(deal, start, months), 5, 0, 2048).window(
            offset, deal.calendar.horizon_months
        )
        default = market.tenant_default["Oracle"]
        # back to the common clock: months from the earliest closing
        seen[deal.name] = np.where(default >= 0, default + offset, -1)
    a, f = seen["crusoe_abilene"], seen["vantage_frontier"]
    offset = -frontier.calendar.month_of(start)
    both_open = (a >= offset) & (f >= 0)
    assert both_open.sum() > 50
    np.testing.assert_array_equal(a[both_open], f[both_open])


def test_the_lenders_loss_is_its_share_of_each_held_tranche(chain) -> None:
    result = run_portfolio(chain, load_scenario("bust"), 1024, seed=3)
    held = {
        (d.name, t): h.share for d, h in zip(chain.deals, chain.portfolio.holdings, strict=True) for t in h.tranches
    }
    per_path = (
        result.tranches.filter(pl.struct("deal", "tranche").is_in([{"deal": d, "tranche": t} for d, t in held]))
        .with_columns(
            share=pl.struct("deal", "tranche").map_elements(lambda r: held[(r["deal"], r["tranche"])], pl.Float64)
        )
        .group_by("path")
        .agg(loss=(pl.col("loss") * pl.col("share")).sum())
        .sort("path")
    )
    np.testing.assert_allclose(result.holdings["loss"].to_numpy(), per_path["loss"].to_numpy())
    lender = result.summary.filter(pl.col("tranche") == "holdings").row(0, named=True)
    assert lender["pd"] == pytest.approx((result.holdings["loss"] > 0.01).mean())
    assert 0 <= lender["joint_loss_share"] <= lender["pd"]
    # by ultimate obligor: the shares of each deal add to one, so the obligors add to the holdings
    obligors = result.obligors
    assert set(obligors["obligor"]) == {"Oracle", "Microsoft", "OpenAI"}
    assert obligors["el"].sum() == pytest.approx(result.holdings["loss"].mean(), rel=1e-9, abs=1e-6)
    assert obligors["exposure"].sum() == pytest.approx(result.holdings["principal_lent"].mean(), rel=1e-9)


def test_portfolio_results_do_not_depend_on_chunk_size(chain) -> None:
    small = run_portfolio(chain, load_scenario("base"), 2048 + 100, seed=8, chunk_size=1024)
    large = run_portfolio(chain, load_scenario("base"), 2048 + 100, seed=8, chunk_size=4096)
    assert_frame_equal(small.holdings, large.holdings)
    assert_frame_equal(small.summary, large.summary)


def test_a_portfolio_naming_an_unknown_tranche_is_refused(tmp_path, deals_dir) -> None:
    text = (deals_dir / "portfolios" / "openai_chain.toml").read_text(encoding="utf-8")
    bad = tmp_path / "portfolios" / "bad.toml"
    bad.parent.mkdir()
    for name in ("crusoe_abilene", "vantage_frontier", "coreweave_ddtl2"):
        (tmp_path / f"{name}.toml").write_text((deals_dir / f"{name}.toml").read_text(encoding="utf-8"))
    bad.write_text(text.replace('tranches = ["ig", "non_ig"]', 'tranches = ["ig", "junior"]'), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_portfolio(bad)
    assert [p.path for p in error.value.problems] == ["holdings[2].tranches[1]"]
