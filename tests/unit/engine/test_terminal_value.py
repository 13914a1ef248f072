"""Terminal value at the horizon: closed forms on a campus that is fully let to the end."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.builders import build, month, one_tranche_deal, run_deal
from waterfall.market.curves import Market

HORIZON = 36
RENT = 10_000_000.0
OPEX = 1_000_000.0
CAP = 0.08
LOAN = {
    "balance": 100_000_000.0,
    "coupon": {"type": "fixed", "rate": 0.06},
    "amortisation": {"type": "level_annuity", "term_months": 24},
    "legal_maturity": month(23),
}
CAMPUS = {
    "name": "campus",
    "mw": 50.0,
    "cost": 600_000_000.0,
    "completion": month(0),
    "useful_life_months": 360,
    "salvage_pct": 0.2,
}


def campus_deal(terminal: dict | None, loan: dict | None = None) -> dict:
    raw = one_tranche_deal(loan or LOAN, horizon=HORIZON, monthly_rent=RENT)
    raw["leases"][0]["term_months"] = 120  # let beyond the horizon: the tenant never leaves
    raw["costs"]["fixed_opex_monthly"] = OPEX
    raw["campuses"] = [CAMPUS]
    raw["equity"] = {"amount": 50_000_000.0}
    if terminal is not None:
        raw["terminal_value"] = terminal
    return raw


def income(treatment: str = "sale", haircut: float = 0.05, costs: float = 0.02) -> dict:
    return {
        "treatment": treatment,
        "haircut": haircut,
        "costs": costs,
        "campus": {"type": "income", "cap_rate": CAP, "noi_months": 12},
    }


def test_equity_receives_noi_over_the_cap_rate_less_haircut_and_costs() -> None:
    without = run_deal(build(campus_deal(None)))
    tape = run_deal(build(campus_deal(income())))
    noi = (RENT - OPEX) * 12.0
    expected = noi / CAP * (1 - 0.05) * (1 - 0.02)
    last = HORIZON - 1
    assert tape.period["terminal_value"][last, 0] == pytest.approx(expected, rel=1e-12)
    assert tape.ledger.flows[("terminal_sale", "operating")][last, 0] == pytest.approx(expected, rel=1e-12)
    # the senior is whole either way; equity's last distribution grows by exactly the value
    assert tape.tranche["writedown"].sum() == 0.0
    assert tape.tranche["principal_paid"][:, 0, 0].sum() == pytest.approx(LOAN["balance"], abs=0.01)
    gained = tape.period["equity_distribution"][:, 0] - without.period["equity_distribution"][:, 0]
    assert gained[last] == pytest.approx(expected, rel=1e-9)
    assert np.abs(gained[:last]).max() == 0.0
    assert not tape.period["terminal_value"][:last].any()


def test_a_mark_to_equity_is_the_gross_value_and_moves_no_cash() -> None:
    tape = run_deal(build(campus_deal(income("mark_to_equity"))))
    last = HORIZON - 1
    expected = (RENT - OPEX) * 12.0 / CAP
    assert tape.ledger.flows[("terminal_value", "equity")][last, 0] == pytest.approx(expected, rel=1e-12)
    assert ("terminal_sale", "operating") not in tape.ledger.flows
    assert tape.period["terminal_value"][last, 0] == pytest.approx(expected, rel=1e-12)


def test_book_value_is_the_depreciated_cost() -> None:
    terminal = {"treatment": "sale", "haircut": 0.0, "costs": 0.0, "campus": {"type": "book"}}
    tape = run_deal(build(campus_deal(terminal)))
    last = HORIZON - 1
    book = CAMPUS["cost"] * (1.0 - 0.8 * last / 360)
    assert tape.period["terminal_value"][last, 0] == pytest.approx(book, rel=1e-12)


def test_a_scenario_cap_rate_shift_moves_the_value() -> None:
    deal = build(campus_deal(income("mark_to_equity")))
    shift = np.stack([np.zeros(HORIZON), np.full(HORIZON, 0.02)])
    market = Market.from_arrays(index={"SOFR": np.full((2, HORIZON), 0.03)}, cap_rate_shift=shift)
    tape = run_deal(deal, market)
    noi = (RENT - OPEX) * 12.0
    assert tape.period["terminal_value"][-1] == pytest.approx([noi / CAP, noi / (CAP + 0.02)], rel=1e-12)


def test_sale_proceeds_pay_a_balloon_due_at_the_horizon_before_equity() -> None:
    # a bullet due on the horizon's last month, far larger than one month's cash: without a
    # terminal value it is written down; with one, the sale repays it and equity gets the rest
    loan = copy.deepcopy(LOAN)
    loan["amortisation"] = {"type": "bullet"}
    loan["balance"] = 900_000_000.0
    loan["legal_maturity"] = month(HORIZON - 1)
    without = run_deal(build(campus_deal(None, loan)))
    assert without.tranche["writedown"].sum() > 100_000_000.0
    tape = run_deal(build(campus_deal(income(), loan)))
    assert tape.tranche["writedown"].sum() == 0.0
    assert tape.tranche["principal_paid"][:, 0, 0].sum() == pytest.approx(loan["balance"], abs=0.01)
    value = tape.period["terminal_value"][-1, 0]
    # under mark_to_equity the same deal must sell, since debt is still owed that month
    marked = run_deal(build(campus_deal(income("mark_to_equity"), loan)))
    assert ("terminal_value", "equity") not in marked.ledger.flows
    assert marked.period["terminal_value"][-1, 0] == pytest.approx(value, rel=1e-12)
    assert marked.tranche["writedown"].sum() == 0.0
