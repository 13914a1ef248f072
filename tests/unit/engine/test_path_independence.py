"""A path's results do not depend on the other paths it is simulated with, to the last bit.

A path in lock-up or default must not leave a trace, not even float residue, on a
path in another mode, and a lone path must be summed in the same order as a path
among thousands.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from waterfall.engine import run
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.spec.load import load_deal


@pytest.mark.parametrize("deal_file", ["gpu_lease_spv", "coreweave_ddtl2", "xai_colossus2", "meta_hyperion"])
def test_a_path_runs_the_same_alone_or_in_any_company(deals_dir, deal_file) -> None:
    deal = load_deal(deals_dir / f"{deal_file}.toml")
    market = generate(load_scenario("bust"), deal, seed=11, first_path=0, paths=1024)
    whole = run(deal, market)
    assert (whole.default_month >= 0).any() and not (whole.default_month >= 0).all()
    for lo, hi in [(0, 300), (300, 301), (301, 1024)]:
        part = run(deal, market.take(slice(lo, hi)))
        for name, array in whole.tranche.items():
            alone = np.ascontiguousarray(part.tranche[name])
            assert np.ascontiguousarray(array[..., lo:hi]).tobytes() == alone.tobytes(), (name, lo, hi)
        for name, array in whole.period.items():
            alone = np.ascontiguousarray(part.period[name])
            assert np.ascontiguousarray(array[..., lo:hi]).tobytes() == alone.tobytes(), (name, lo, hi)
        assert (whole.default_month[lo:hi] == part.default_month).all()
        together = tranche_outcomes(whole).filter(pl.col("path").is_between(lo, hi - 1))
        apart = tranche_outcomes(part).with_columns(pl.col("path") + lo)
        # every outcome to the last bit except the IRR, a root found by iteration in which
        # numpy's masked and unmasked division loops may round a step differently (seen: 3e-15)
        assert_frame_equal(together.drop("irr"), apart.drop("irr"), check_exact=True)
        assert_frame_equal(together.select("irr"), apart.select("irr"), rel_tol=1e-12, abs_tol=1e-14)
