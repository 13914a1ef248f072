"""A rare mode's waterfall run on its own paths gives the same tape, to the last bit, as run under a mask."""

from __future__ import annotations

import numpy as np
import pytest

from waterfall.engine import few_paths, run
from waterfall.engine.tape import DEFAULT, LOCK_UP, Tape
from waterfall.market.generate import generate
from waterfall.market.scenario import load_scenario
from waterfall.spec.load import load_deal


def records(tape: Tape) -> dict[str, np.ndarray]:
    arrays = {f"tranche.{k}": v for k, v in tape.tranche.items()}
    arrays |= {f"period.{k}": v for k, v in tape.period.items()}
    arrays |= {f"account.{k}": v for k, v in tape.accounts.items()}
    arrays |= {f"flow.{a}>{b}": v for (a, b), v in tape.ledger.flows.items()}
    return arrays | {"mode": tape.mode, "default_month": tape.default_month, "forgiven": tape.interest_forgiven}


@pytest.mark.parametrize("deal_file", ["gpu_lease_spv.toml", "coreweave_ddtl2.toml"])
def test_subsets_and_masks_give_identical_tapes(deals_dir, monkeypatch, deal_file) -> None:
    deal = load_deal(deals_dir / deal_file)
    market = generate(load_scenario("bust"), deal, seed=11, first_path=0, paths=1024)
    monkeypatch.setattr(few_paths, "FEW", -1.0)  # every mode under a mask
    masked = run(deal, market)
    monkeypatch.setattr(few_paths, "FEW", 1.0)  # every mode on its own paths
    subsets = run(deal, market)
    assert (masked.mode == LOCK_UP).any() and (masked.mode == DEFAULT).any()  # both rare modes are exercised
    expected, got = records(masked), records(subsets)
    assert list(got) == list(expected)  # flows created in the same order
    for name, array in expected.items():
        # bit for bit: the same bytes, so even the sign of a zero agrees
        assert np.ascontiguousarray(array).tobytes() == np.ascontiguousarray(got[name]).tobytes(), name
