"""What-if runs: conditional against unconditional on the same paths, and by ultimate obligor."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from waterfall.market.conditioning import Given, parse_given
from waterfall.market.scenario import load_scenario
from waterfall.risk.exposure import MERCHANT, deal_obligors
from waterfall.risk.whatif import whatif_deal
from waterfall.spec.load import load_deal

DEALS = Path(__file__).resolve().parents[3] / "deals"


def test_conditional_pd_given_the_tenants_default_is_at_least_unconditional() -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    given = Given((parse_given("default:Nimbus AI@2027-01"),))
    result = whatif_deal(deal, load_scenario("base"), given, 1024, 11)
    debt = result.tranches.filter(pl.col("kind") == "debt")
    assert debt.height == 2
    assert (debt["pd_conditional"] >= debt["pd_unconditional"]).all()
    # the event is not a no-op: the tenant's early default reaches some tranche
    assert (debt["el_change"] > 0).any()
    again = whatif_deal(deal, load_scenario("base"), given, 1024, 11)
    assert_frame_equal(result.tranches, again.tranches)


def test_an_event_that_already_holds_on_every_path_changes_nothing() -> None:
    deal = load_deal(DEALS / "gpu_lease_spv.toml")
    # a rent level far above any path's rent already holds on every path: no path moves
    given = Given((parse_given("rent:H100<=1000@2028-01"),))
    result = whatif_deal(deal, load_scenario("bust"), given, 1024, 4)
    assert (result.tranches["pd_change"] == 0).all()
    assert (result.tranches["el_change"] == 0).all()


def test_deal_obligors_split_equally_and_merchant_deals_are_their_own() -> None:
    coreweave = load_deal(DEALS / "coreweave_ddtl2.toml")
    assert deal_obligors(coreweave) == {"Microsoft": 0.5, "OpenAI": 0.5}
    miner = load_deal(DEALS / "miner_double_leverage.toml")
    if not miner.leases:
        assert deal_obligors(miner) == {MERCHANT: 1.0}
