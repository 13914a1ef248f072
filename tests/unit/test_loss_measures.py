"""Loss and equity measures on hand-built tapes: every number below is worked by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from waterfall.engine.ledger import Ledger
from waterfall.engine.tape import Tape
from waterfall.outcomes.equity import equity_outcomes
from waterfall.outcomes.losses import debt_losses, discount_factors
from waterfall.outcomes.tables import tranche_outcomes
from waterfall.risk.summary import summarise


def _tape(months: int, original: float, paths: int = 1, equity: float = 0.0, hurdle: float = 0.0) -> Tape:
    tape = Tape.empty(months, paths, ("loan",), np.array([original]), Ledger(["operating"], months, paths, False))
    tape.interest_forgiven = np.zeros((1, paths))
    tape.interest_unpaid = np.zeros((1, paths))
    tape.equity_amount = equity
    tape.hurdle_rate = hurdle
    return tape


def test_capitalised_interest_is_principal_lent_once_so_the_loss_share_stays_within_one() -> None:
    """100 lent, 20 capitalised, 60 repaid, the other 60 written down with 5 of interest
    forgiven: principal loss 60 of 120 lent, interest loss 5 of 120."""
    tape = _tape(3, 100.0)
    t = tape.tranche
    t["pik"][0, 0, 0] = 20.0
    t["principal_paid"][1, 0, 0] = 60.0
    t["writedown"][2, 0, 0] = 60.0
    tape.interest_forgiven[0, 0] = 5.0
    losses = debt_losses(tape, 0)
    assert losses.principal_lent[0] == 120.0
    assert losses.principal_loss_pct[0] == pytest.approx(0.5)
    assert losses.interest_loss_pct[0] == pytest.approx(5.0 / 120.0)


def test_a_pik_note_written_off_whole_loses_exactly_all_it_lent() -> None:
    tape = _tape(2, 100.0)
    tape.tranche["pik"][0, 0, 0] = 40.0
    tape.tranche["writedown"][1, 0, 0] = 140.0
    assert debt_losses(tape, 0).principal_loss_pct[0] == 1.0


def test_interest_loss_counts_arrears_forgiven_and_arrears_left_at_the_horizon() -> None:
    tape = _tape(2, 100.0)
    tape.interest_forgiven[0, 0] = 3.0
    tape.interest_unpaid[0, 0] = 4.0
    losses = debt_losses(tape, 0)
    assert losses.interest_loss[0] == 7.0
    assert losses.principal_loss[0] == 0.0


def test_economic_loss_discounts_each_receipt_at_the_coupon_of_its_periods() -> None:
    """1% a month: 1 of interest after a month and 51 after two (half the principal lost)
    are worth 1/1.01 + 51/1.01^2 of the 100 lent."""
    tape = _tape(2, 100.0)
    tape.period_rate[:, 0, 0] = 0.01
    tape.tranche["interest_paid"][:, 0, 0] = [1.0, 1.0]
    tape.tranche["principal_paid"][1, 0, 0] = 50.0
    tape.tranche["writedown"][1, 0, 0] = 50.0
    losses = debt_losses(tape, 0)
    assert losses.economic_loss_pct[0] == pytest.approx(1.0 - (1.0 / 1.01 + 51.0 / 1.01**2) / 100.0, rel=1e-14)
    assert losses.principal_loss_pct[0] == 0.5


def test_a_draw_is_valued_at_its_month_and_repaid_at_par_costs_nothing() -> None:
    """50 drawn at the end of month 0 accrues from month 1: 0.5 + 50.5 at month 1 repays it."""
    tape = _tape(2, 0.0)
    tape.period_rate[:, 0, 0] = 0.01
    tape.tranche["drawn"][0, 0, 0] = 50.0
    tape.tranche["interest_paid"][1, 0, 0] = 0.5
    tape.tranche["principal_paid"][1, 0, 0] = 50.0
    losses = debt_losses(tape, 0)
    assert losses.pv_advances[0] == pytest.approx(50.0 / 1.01)
    assert losses.economic_loss_pct[0] == pytest.approx(0.0, abs=1e-15)


def test_discount_factors_compound_only_on_payment_months() -> None:
    rates = np.array([[0.0], [0.0], [0.03], [0.0], [0.0], [0.03]])  # quarterly
    np.testing.assert_allclose(discount_factors(rates)[:, 0], [1, 1, 1 / 1.03, 1 / 1.03, 1 / 1.03, 1 / 1.03**2])


def test_a_tape_without_coupon_records_is_an_error_not_a_zero_discount() -> None:
    tape = _tape(2, 100.0)
    tape.period_rate = None
    with pytest.raises(ValueError, match="period_rate"):
        debt_losses(tape, 0)


def test_equity_moic_and_npv_at_the_hurdle() -> None:
    """100 in, 10 more contributed at month 11, 60 out at month 11 and 121 at month 23:
    MOIC 181 / 110; NPV at 10% = (60 - 10) / 1.1 + 121 / 1.21 - 100."""
    tape = _tape(24, 0.0, equity=100.0, hurdle=0.10)
    tape.period["equity_contribution"][11, 0] = 10.0
    tape.period["equity_distribution"][11, 0] = 60.0
    tape.period["equity_distribution"][23, 0] = 121.0
    equity = equity_outcomes(tape)
    assert equity.invested[0] == 110.0
    assert equity.moic[0] == pytest.approx(181.0 / 110.0)
    assert equity.npv[0] == pytest.approx(50.0 / 1.1 + 121.0 / 1.21 - 100.0, rel=1e-12)
    assert equity.unreturned[0] == 0.0
    assert equity.terminal_value == pytest.approx([0.0])  # no terminal value on this tape


def test_equity_at_its_hurdle_has_zero_npv_and_the_hurdle_as_irr() -> None:
    tape = _tape(24, 0.0, equity=100.0, hurdle=0.10)
    tape.period["equity_distribution"][23, 0] = 121.0
    equity = equity_outcomes(tape)
    assert equity.npv[0] == pytest.approx(0.0, abs=1e-9)
    assert equity.irr[0] == pytest.approx(0.10, abs=1e-9)


def test_terminal_value_is_reported_when_the_tape_records_it() -> None:
    tape = _tape(12, 0.0, equity=100.0)
    tape.period["equity_distribution"][11, 0] = 70.0
    tape.period["terminal_value"] = np.zeros((12, 1))
    tape.period["terminal_value"][11, 0] = 50.0
    row = tranche_outcomes(tape).filter(pl.col("kind") == "equity").row(0, named=True)
    assert row["terminal_value"] == 50.0
    assert row["loss"] == pytest.approx(30.0)  # capital not returned, terminal value counted
    assert row["moic"] == pytest.approx(0.7)


def test_without_a_terminal_value_equity_shows_zero_and_debt_null() -> None:
    table = tranche_outcomes(_tape(12, 100.0, equity=10.0))
    assert table.filter(pl.col("kind") == "debt")["terminal_value"].null_count() == 1
    assert table.filter(pl.col("kind") == "equity")["terminal_value"].to_list() == [0.0]


def _losing_paths() -> pl.DataFrame:
    """Two paths of a loan of 1m at 1% a month: one loses half its principal at month 1,
    one is paid late (interest in arrears for a month, then caught up, earning nothing
    meanwhile) and loses nothing nominal: about $98 in present value."""
    tape = _tape(2, 1e6, paths=2)
    t = tape.tranche
    tape.period_rate[:, 0, :] = 0.01
    t["interest_paid"][:, 0, 0] = [1e4, 1e4]
    t["principal_paid"][1, 0, 0] = 5e5
    t["writedown"][1, 0, 0] = 5e5
    t["interest_shortfall"][0, 0, 1] = 1e4
    t["interest_paid"][1, 0, 1] = 2e4
    t["principal_paid"][1, 0, 1] = 1e6
    return tranche_outcomes(tape)


def test_the_summary_uses_principal_loss_by_default_and_names_it() -> None:
    paths = _losing_paths()
    summary = summarise(paths, {"loan": 2 / 12})
    debt = summary.filter(pl.col("kind") == "debt").row(0, named=True)
    assert debt["loss_measure"] == "principal"
    assert debt["pd"] == 0.5
    assert debt["el_pct"] == pytest.approx(0.25)
    assert debt["lgd"] == pytest.approx(0.5)
    assert debt["el_principal_pct"] == debt["el_pct"]
    economic = paths.filter(pl.col("kind") == "debt")["economic_loss_pct"].to_numpy()
    assert economic[1] > 0.0  # late interest earns none: a small economic loss, no nominal one
    assert debt["el_economic_pct"] == pytest.approx(economic.mean())
    equity = summary.filter(pl.col("kind") == "equity").row(0, named=True)
    assert equity["loss_measure"] == "capital"


def test_the_summary_reads_the_measure_it_is_asked_for() -> None:
    paths = _losing_paths()
    summary = summarise(paths, {"loan": 2 / 12}, measure="economic")
    debt = summary.filter(pl.col("kind") == "debt").row(0, named=True)
    assert debt["loss_measure"] == "economic"
    assert debt["pd"] == 1.0  # the late path loses economically
    assert debt["el_pct"] == pytest.approx(debt["el_economic_pct"])


def test_an_unknown_measure_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="expected one of principal, interest, economic, found 'total'"):
        summarise(_losing_paths(), {"loan": 1.0}, measure="total")
