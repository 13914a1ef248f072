"""The generators are worth their salt: stressed outcomes happen in a good share of examples.

An invariant checked only on comfortable deals proves little, so this counts,
over a fixed (derandomized) set of generated cases, how many reach a default,
a lock-up, an interest shortfall, a write-down and an enforcement sale, and how
many refinance or extend a maturing tranche.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, settings

from tests.properties import strategies
from tests.properties.scenarios import example_under_stress
from waterfall.engine import run
from waterfall.engine.tape import LOCK_UP, Tape
from waterfall.market.curves import Market
from waterfall.spec.deal import Deal

EXAMPLES = 150


def outcomes(tape: Tape) -> dict[str, np.ndarray]:
    """Which stressed outcomes each path reaches: name -> (paths,) bool."""
    t = tape.tranche
    sale = tape.ledger.flows.get(("collateral_sale", "operating"), np.zeros((tape.months, tape.paths)))
    return {
        "default": tape.default_month >= 0,
        "lock_up": (tape.mode == LOCK_UP).any(axis=0),
        "shortfall": ((t["interest_shortfall"] > 0.01) | (t["pik"] > 0.01)).any(axis=(0, 1)),
        "writedown": (t["writedown"] > 0.01).any(axis=(0, 1)),
        "sale": (sale > 0).any(axis=0),
        "refinanced": (t["refinanced"] > 0).any(axis=(0, 1)),
        "extended": (tape.extensions > 0).any(axis=0) if tape.extensions is not None else np.zeros(tape.paths, bool),
    }


def test_generated_cases_reach_stressed_outcomes() -> None:
    """Over a fixed sample of cases, each stressed outcome happens on some path of a good
    share of cases, and a good share of cases run without any trouble at all."""
    seen: list[dict[str, bool]] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategies.cases())
    def collect(case: tuple[Deal, Market]) -> None:
        deal, market = case
        found = {name: bool(happened.any()) for name, happened in outcomes(run(deal, market)).items()}
        for name, happened in found.items():
            if happened:
                event(name)
        seen.append(found)

    collect()
    assert len(seen) >= EXAMPLES // 2
    share = {name: float(np.mean([case[name] for case in seen])) for name in seen[0]}
    untroubled = float(np.mean([not any(case.values()) for case in seen]))
    assert share["default"] >= 0.2, share
    assert share["lock_up"] >= 0.05, share  # a lock-up needs a DSCR in a narrow band above default
    assert share["shortfall"] >= 0.2, share
    assert share["writedown"] >= 0.2, share
    assert share["sale"] >= 0.2, share
    assert share["refinanced"] >= 0.03, share  # the derandomised examples reach 4%
    assert share["extended"] >= 0.02, share
    assert untroubled >= 0.15, f"only {untroubled:.0%} of generated cases run without trouble"


def test_bust_path_defaults_and_sells(deals_dir) -> None:
    """The example deal: its base case pays in full; rent falling to zero in month 12 defaults."""
    deal, market = example_under_stress(str(deals_dir / "gpu_lease_spv.toml"))
    tape = run(deal, market)
    assert tape.default_month[0] == -1
    assert tape.tranche["writedown"][:, :, 0].sum() == 0.0
    bust = 4  # rent x 0 from month 12
    assert tape.default_month[bust] >= 12
    assert outcomes(tape)["sale"][bust]
