"""Bad refinancing terms and credit-market scenarios: exit 2, no traceback, ``file: path: expected ..., found ...``.

Each bad deal is a shipped deal that refinances (TeraWulf's fixed-rate notes, the
QTS CMBS classes) with one textual edit anchored on keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TERAWULF, QTS = "terawulf_fluidstack", "qts_cmbs"
PRESET = Path(__file__).resolve().parents[2] / "waterfall" / "market" / "presets" / "base.toml"

BAD_DEALS = [
    # a fixed-rate tranche names no index for its refinanced coupon: no market rate source
    (
        TERAWULF,
        r'(?<=refinancing = \{ )rating = "BB", index = "SOFR", ',
        'rating = "BB", ',
        "tranches[0].refinancing.index",
        ("expected an index for the refinanced coupon", "found none"),
    ),
    (
        TERAWULF,
        r'(?<=refinancing = \{ rating = "BB", index = )"SOFR"',
        '"EURIBOR"',
        "tranches[0].refinancing.index",
        ("market.index", "found 'EURIBOR'"),
    ),
    # a rating class the deal's own base case does not price
    (
        QTS,
        r'(?<=refinancing = \{ rating = )"AAA"',
        '"CCC"',
        "tranches[0].refinancing.rating",
        ("market.credit_spread", "found 'CCC'"),
    ),
    # a refinancing with no test at all
    (
        TERAWULF,
        r"min_dscr = 1\.25, min_debt_yield = 0\.10, ",
        "",
        "tranches[0].refinancing",
        ("expected at least one of max_ltv, min_debt_yield, min_dscr", "found none"),
    ),
    (
        TERAWULF,
        r'amortisation = \{ type = "level_annuity", term_months = 180 \}',
        'amortisation = { type = "sculpted", target_dscr = 1.3, term_months = 60 }',
        "tranches[0].refinancing.amortisation",
        ("'level_annuity'", "found Sculpted"),
    ),
    (
        TERAWULF,
        r"(?<=refinancing = \{ )",
        "extensions = [{ months = 0 }], ",
        "tranches[0].refinancing.extensions[0].months",
        ("expected a number >= 1", "found 0"),
    ),
    (
        QTS,
        r"(?<=max_ltv = )0\.75",
        "-0.5",
        "tranches[1].refinancing.max_ltv",
        ("expected a number > 0", "found -0.5"),
        1,
    ),
    (QTS, r'^"BBB-" = 0\.0300', '"BBB-" = 1.5', "market.credit_spread.BBB-", ("expected a number in [-0.05, 1]",)),
]


@pytest.mark.parametrize("bad", BAD_DEALS, ids=[f"{b[0]}:{b[3]}" for b in BAD_DEALS])
def test_bad_refinancing_terms_are_named(cli, write_deal, user_error, bad: tuple) -> None:
    base, pattern, new, path, fragments, *occurrence = bad
    deal = write_deal(base, (pattern, new, *occurrence), name="bad_refinancing.toml")
    result = cli("validate", deal.name)
    user_error(result, deal.name, path, *fragments)


BAD_SCENARIOS = [
    # the scenario models the credit market but does not price the deal's rating class
    ("BB = { mean = 0.0450, volatility = 0.011 }", "", "credit_market.spreads.classes", "expected rating class 'BB'"),
    (
        "close_probability = 0.01",
        "close_probability = 1.5",
        "credit_market.window.close_probability",
        "expected a number in [0, 1]",
    ),
    ("jump_size = 0.0", "jump_size = -1.0", "credit_market.spreads.jump_size", "expected a number >= 0"),
    (
        "demand_sensitivity = 0.5       # assumption: closing",
        "demand_sensitivty = 0.5 #",
        "credit_market.window.demand_sensitivty",
        "unknown key",
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "fragment"), BAD_SCENARIOS, ids=[b[2] for b in BAD_SCENARIOS])
def test_bad_credit_market_scenarios_are_named(
    cli, deals_dir, tmp_path, user_error, old: str, new: str, path: str, fragment: str
) -> None:
    text = PRESET.read_text(encoding="utf-8")
    assert old in text
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = cli("mc", deals_dir / f"{TERAWULF}.toml", "--scenario", scenario, "--paths", "10")
    user_error(result, str(scenario), path, fragment, wording=fragment != "unknown key")
