"""The miner's joint-fall table: its debt's loss when BTC and GPU rent fall together vs apart.

Four scenarios, each the ``bust`` preset with its two legs set to the ``base`` or the
``bust`` preset's: the GPU rent (``[rent]``) and the BTC price (``[crypto.BTC]``).
Everything else (demand, tenant credit, collateral, rates) is the ``bust`` preset's in
all four, so the table isolates the two legs of the double leverage:

- neither: base rent, base BTC;
- btc: base rent, bust BTC;
- rent: bust rent, base BTC;
- both: bust rent, bust BTC (the ``bust`` preset itself).

Run from the repository root:

    python docs/scripts/joint_fall.py [--paths 4000] [--seed 0] [--deal deals/miner_double_leverage.toml]
"""

from __future__ import annotations

import argparse
import copy

import polars as pl

from waterfall.market.scenario import scenario_from, scenario_raw
from waterfall.risk.montecarlo import run_monte_carlo
from waterfall.spec.load import load_deal

CASES = {"neither": ("base", "base"), "btc": ("base", "bust"), "rent": ("bust", "base"), "both": ("bust", "bust")}


def case_scenario(rent: str, btc: str):
    base, _ = scenario_raw("base")
    bust, _ = scenario_raw("bust")
    raw = copy.deepcopy(bust)
    raw["rent"] = copy.deepcopy(base["rent"] if rent == "base" else bust["rent"])
    raw["crypto"] = {"BTC": copy.deepcopy(base["crypto"]["BTC"] if btc == "base" else bust["crypto"]["BTC"])}
    raw["name"] = f"bust_rent-{rent}_btc-{btc}"
    return scenario_from(raw, raw["name"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deal", default="deals/miner_double_leverage.toml")
    parser.add_argument("--paths", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    deal = load_deal(args.deal)
    rows = []
    for case, (rent, btc) in CASES.items():
        summary = run_monte_carlo(deal, case_scenario(rent, btc), args.paths, args.seed).summary
        for row in summary.filter(pl.col("kind") != "equity").iter_rows(named=True):
            rows.append(
                {
                    "case": case,
                    "rent": rent,
                    "btc": btc,
                    "tranche": row["tranche"],
                    "pd": row["pd"],
                    "el": row["el_pct"],
                    "lgd": row["lgd"],
                }
            )
    table = pl.DataFrame(rows)
    with pl.Config(tbl_rows=-1, float_precision=4):
        print(table)


if __name__ == "__main__":
    main()
