"""A debt tranche's losses over paths, three ways a credit analyst reads them.

- **Principal loss**: principal written down ÷ principal lent. Principal lent is the
  balance drawn at closing + later draws + interest capitalised (PIK), so capitalised
  interest is counted once, as principal; a tranche can never lose more than it
  lent, and the share is in [0, 1].
- **Interest loss**: cash interest that fell due and was never paid (arrears
  forgiven at a write-down, plus any arrears still owed at the horizon) ÷ principal
  lent. PIK interest is not in it: it is principal (above).
- **Economic loss**: 1 − PV(receipts) ÷ PV(advances), both discounted at the
  tranche's own coupon on the path (the floating coupon as it fixed on that path),
  period by period: a tranche paid every amount on time has none, whatever its
  coupon, PIK or amortisation; late payment, forgiven interest and write-downs all
  show. The advances are the closing balance and each later draw (a draw bears
  interest from the next period, so it is valued at its month's discount factor);
  without draws their PV is the closing balance.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from waterfall.compiled import kernel, use_kernels
from waterfall.engine.columns import column_sums
from waterfall.engine.tape import Tape


@frozen
class DebtLosses:
    """One tranche's measures, each (paths,)."""

    principal_lent: np.ndarray
    principal_loss: np.ndarray  # currency
    interest_loss: np.ndarray  # currency
    economic_loss: np.ndarray  # currency, at closing: PV(advances) - PV(receipts)
    pv_advances: np.ndarray

    @property
    def principal_loss_pct(self) -> np.ndarray:
        return _share(self.principal_loss, self.principal_lent)

    @property
    def interest_loss_pct(self) -> np.ndarray:
        return _share(self.interest_loss, self.principal_lent)

    @property
    def economic_loss_pct(self) -> np.ndarray:
        return _share(self.economic_loss, self.pv_advances)


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(part.shape), where=whole > 0)


def discount_factors(period_rate: np.ndarray) -> np.ndarray:
    """(months, paths): the value at closing of 1 paid at the end of each month, at the
    coupon of each accrual period, compounded from payment date to payment date."""
    # a running product down each column: every path's factors are its own rates' alone
    return np.multiply.accumulate(1.0 / (1.0 + period_rate), axis=0)


def debt_losses(tape: Tape, i: int, outstanding: np.ndarray | None = None) -> DebtLosses:
    """The loss measures of tranche ``i`` of ``tape`` on every path. ``outstanding``: a
    balance still performing past the horizon (refinanced or extended), counted as
    received at par in the horizon's last month."""
    t = tape.tranche
    drawn = t["drawn"][:, i, :]
    received = t["interest_paid"][:, i, :] + t["principal_paid"][:, i, :]
    original = tape.original_balance[i]
    lent = original + column_sums(drawn) + column_sums(t["pik"][:, i, :])
    # float residue of a repaid balance written off is not a loss
    principal = np.maximum(column_sums(t["writedown"][:, i, :]), 0.0)
    interest = np.zeros(tape.paths)
    for owed in (tape.interest_forgiven, tape.interest_unpaid):
        if owed is not None:
            interest = interest + owed[i]
    if tape.period_rate is None:
        raise ValueError("tape.period_rate: expected the coupon of each accrual period, found none")
    rate = tape.period_rate[:, i, :]
    if use_kernels(tape.paths):
        # the running product and both discounted sums in one compiled pass, the same numbers
        lent_value, value, last = kernel("waterfall.outcomes.tranche_kernel", "discounted")(rate, drawn, received)
    else:
        discount = discount_factors(rate)
        lent_value, value, last = column_sums(drawn * discount), column_sums(received * discount), discount[-1]
    advances = original + lent_value
    if outstanding is not None:
        value = value + outstanding * last
    return DebtLosses(
        principal_lent=lent,
        principal_loss=principal,
        interest_loss=np.maximum(interest, 0.0),
        economic_loss=advances - value,
        pv_advances=advances,
    )
