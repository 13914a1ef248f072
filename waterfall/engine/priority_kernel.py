"""The priority of payments as one compiled loop per path over the deal's encoded steps.

The same arithmetic, move for move, as ``waterfall.engine.priority`` (and the ledger's
``move`` with its cents policy, and the debt's ``pay_interest``, ``pay_principal`` and
``prepay``): every step there works path by path, so a path here sees the same numbers
in the same order and gets the same result to the last bit. The steps come from
``waterfall.engine.program`` as small integer and float tables; nothing here is written
for one deal. Imported (with numba) only by the first block of paths that uses it.
"""

from __future__ import annotations

import numba
import numpy as np

from waterfall.engine.program import (
    A,
    B,
    EQUITY,
    EXPENSES,
    FEE,
    FUND,
    HEDGE,
    INTEREST,
    MODES,
    PRINCIPAL,
    REDEEM,
    SELL,
    SLOT,
    SWEEP,
    T0,
    TN,
    TRAP,
)
from waterfall.engine.program import KIND as KIND_COLUMN

# the ledger's tolerance: a thousandth of a cent below a whole cent is that cent
NOISE = 1e-3


@numba.njit(cache=True, nogil=True, inline="always")
def _max(a: float, b: float) -> float:
    return a if (a >= b or a != a) else b  # np.maximum, NaN and signed zeros included


@numba.njit(cache=True, nogil=True, inline="always")
def _min(a: float, b: float) -> float:
    return a if (a <= b or a != a) else b  # np.minimum


@numba.njit(cache=True, nogil=True, inline="always")
def _clip(x: float, low: float, high: float) -> float:
    # np.clip: the larger of x and low (x if NaN), then the smaller of that and high
    y = x if (x != x or x > low) else low
    return y if (y != y or y < high) else high


@numba.njit(cache=True, nogil=True, inline="always")
def _move(p, slot, raw, cents, slot_key, key_source, key_destination, balance, rows, touched) -> float:
    """``Ledger.move`` on path ``p``: an amount that is not zero marks its flow as moved
    (the ledger creates a flow on its first movement), is floored to the cent under the
    cents policy and leaves its source account for its destination."""
    if raw == 0.0:
        return raw
    touched[slot] = True
    amount = np.floor(raw * 100.0 + NOISE) / 100.0 if cents else raw
    key = slot_key[slot]
    source, destination = key_source[key], key_destination[key]
    if source >= 0:
        balance[source, p] -= amount
    if destination >= 0:
        balance[destination, p] += amount
    rows[key, p] += amount
    return amount


@numba.njit(cache=True, nogil=True)
def run_waterfall(
    steps,  # (steps, columns) int64: kind, tranches' first entry and count, a, b, first slot
    percents,  # (steps, 2): a sweep's percent and percent on breach
    tranche_rows,  # int64: the debt rows the steps name, step after step
    mode_steps,  # (modes + 1,) int64: where each mode's steps start in ``steps``
    maintenance,  # int64: the maintenance reserves' account rows, drawn by pay_expenses
    maintenance_due,  # row of maintenance capex in ``due`` (-1: none)
    slot_key,  # (slots,) int64: the flow each movement site records in
    key_source,  # (flows,) int64: the flow's source account row (-1: outside the SPV)
    key_destination,  # (flows,) int64: its destination account row
    mode,  # (paths,) int8
    breach,  # (paths,) bool: an LTV sweep test breached
    cents,  # bool: payments floored to whole cents
    balance,  # (accounts, paths), operating first: changed
    target,  # (accounts, paths): reserve targets of the accounts fund_reserve tops up
    rows,  # (flows, paths): this month's flows so far: added to
    touched,  # (slots,) bool: set where a movement site moved anything
    debt_balance,  # (tranches, paths): changed
    interest_due,
    principal_due,
    interest_paid,  # (tranches, paths): this month's record, added to
    principal_paid,
    due,  # (expenses, paths): what each expense is owed
    fee_due,  # (fees, paths)
    hedge_due,  # (hedges, paths): periodic settlements owed
    termination_due,  # (hedges, paths)
    units,  # (holdings, paths): crypto units held
    prices,  # (holdings, paths): this month's price of each holding's asset
) -> None:
    paths = mode.shape[0]
    owed = np.zeros(tranche_rows.shape[0] + 1)
    paid = np.zeros(tranche_rows.shape[0] + 1)
    remaining = np.zeros(tranche_rows.shape[0] + 1)
    expense_owed = np.zeros(due.shape[0] + 1)
    for p in range(paths):
        m = mode[p]
        if m >= MODES:
            continue  # wound up: no waterfall
        for s in range(mode_steps[m], mode_steps[m + 1]):
            kind = steps[s, KIND_COLUMN]
            slot = steps[s, SLOT]
            t0, tn = steps[s, T0], steps[s, TN]
            if kind == EXPENSES:
                # pro rata from operating cash, then maintenance capex from the reserves
                expenses = due.shape[0]
                total = 0.0
                for e in range(expenses):
                    expense_owed[e] = _max(due[e, p], 0.0)
                    total = expense_owed[e] if e == 0 else total + expense_owed[e]
                cash = _min(_max(balance[0, p], 0.0), total)
                for e in range(expenses):
                    share = expense_owed[e] / total if total > 0 else 0.0
                    moved = _move(p, slot + e, share * cash, cents, slot_key, key_source, key_destination, balance, rows, touched)
                    due[e, p] -= moved
                if maintenance_due >= 0:
                    for r in range(maintenance.shape[0]):
                        reserve = maintenance[r]
                        draw = _min(_max(balance[reserve, p], 0.0), due[maintenance_due, p])
                        moved = _move(
                            p, slot + expenses + r, draw, cents, slot_key, key_source, key_destination, balance, rows, touched
                        )
                        due[maintenance_due, p] -= moved
            elif kind == FEE:
                f = steps[s, A]
                amount = _min(_max(balance[0, p], 0.0), _max(fee_due[f, p], 0.0))
                fee_due[f, p] -= _move(p, slot, amount, cents, slot_key, key_source, key_destination, balance, rows, touched)
            elif kind == INTEREST or kind == PRINCIPAL:
                dues = interest_due if kind == INTEREST else principal_due
                for j in range(tn):
                    owed[j] = dues[tranche_rows[t0 + j], p]
                    paid[j] = 0.0
                for k in range(2):  # operating cash, then the reserve
                    source = 0 if k == 0 else steps[s, B]
                    if source < 0:
                        continue
                    total = 0.0
                    for j in range(tn):
                        remaining[j] = _max(owed[j] - paid[j], 0.0)
                        total = remaining[j] if j == 0 else total + remaining[j]
                    amount = _min(_max(balance[source, p], 0.0), total)
                    if amount == 0.0:
                        continue
                    for j in range(tn):
                        share = remaining[j] / total if total > 0 else 0.0
                        paid[j] += _move(
                            p, slot + k * tn + j, share * amount, cents, slot_key, key_source, key_destination, balance, rows, touched
                        )
                for j in range(tn):
                    i = tranche_rows[t0 + j]
                    if kind == INTEREST:
                        interest_due[i, p] -= paid[j]
                        interest_paid[i, p] += paid[j]
                    else:
                        debt_balance[i, p] -= paid[j]
                        principal_due[i, p] = _max(principal_due[i, p] - paid[j], 0.0)
                        principal_paid[i, p] += paid[j]
            elif kind == FUND:
                account = steps[s, A]
                excess = _max(balance[account, p] - target[account, p], 0.0)
                _move(p, slot, excess, cents, slot_key, key_source, key_destination, balance, rows, touched)
                need = _max(target[account, p] - balance[account, p], 0.0)
                amount = _min(_max(balance[0, p], 0.0), need)
                _move(p, slot + 1, amount, cents, slot_key, key_source, key_destination, balance, rows, touched)
            elif kind == SWEEP or kind == REDEEM:
                if kind == SWEEP:
                    share = percents[s, 1] if breach[p] else percents[s, 0]
                    available = _max(balance[0, p], 0.0) * share
                else:
                    available = _max(balance[steps[s, A], p], 0.0)
                for j in range(tn):
                    i = tranche_rows[t0 + j]
                    if kind == SWEEP:
                        raw = _clip(debt_balance[i, p], 0.0, available)
                    else:
                        raw = _min(available, debt_balance[i, p])
                    amount = _move(p, slot + j, raw, cents, slot_key, key_source, key_destination, balance, rows, touched)
                    # the debt's prepay: the balance falls, principal due capped by it
                    debt_balance[i, p] -= amount
                    principal_due[i, p] = _min(principal_due[i, p], debt_balance[i, p])
                    principal_paid[i, p] += amount
                    available = available - amount
            elif kind == TRAP or kind == EQUITY:
                _move(p, slot, _max(balance[0, p], 0.0), cents, slot_key, key_source, key_destination, balance, rows, touched)
            elif kind == HEDGE:
                h, part = steps[s, A], steps[s, B]  # part: 0 all, 1 periodic, 2 termination
                if part != 2:
                    amount = _min(_max(balance[0, p], 0.0), _max(hedge_due[h, p], 0.0))
                    hedge_due[h, p] -= _move(p, slot, amount, cents, slot_key, key_source, key_destination, balance, rows, touched)
                if part != 1:
                    amount = _min(_max(balance[0, p], 0.0), _max(termination_due[h, p], 0.0))
                    termination_due[h, p] -= _move(
                        p, slot + 1, amount, cents, slot_key, key_source, key_destination, balance, rows, touched
                    )
            elif kind == SELL:
                c = steps[s, A]
                total = 0.0
                for j in range(tn):
                    i = tranche_rows[t0 + j]
                    both = interest_due[i, p] + principal_due[i, p]
                    total = both if j == 0 else total + both
                lacking = _max(total - _max(balance[0, p], 0.0), 0.0)
                if lacking == 0.0:
                    continue
                price = prices[c, p]
                worth = units[c, p] * price
                raised = _move(p, slot, _clip(lacking, 0.0, worth), cents, slot_key, key_source, key_destination, balance, rows, touched)
                if price > 0:
                    units[c, p] = _max(units[c, p] - raised / price, 0.0)
