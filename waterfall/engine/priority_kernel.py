"""The priority of payments as compiled loops over the deal's encoded steps, step by step.

The same arithmetic, move for move, as ``waterfall.engine.priority`` (and the ledger's
``move`` with its cents policy, and the debt's ``pay_interest``, ``pay_principal`` and
``prepay``): every step there works path by path, so a path here sees the same numbers
in the same order and gets the same result to the last bit. The loop runs step by step
over the paths in the step's mode, not path by path over the steps, and each kind of step
has its own loop over the paths, with the account rows it moves between read once before
that loop: a branch on the step's kind is then taken once per step, not once per path,
and the compiled loop keeps its rows in registers (over a run of the bench deal's
4,096-path chunks: 28 ms of kernel per chunk path by path, 25 step by step, 15 with a
loop per kind). The steps come from
``waterfall.engine.program`` as small integer and float tables; nothing here is written
for one deal. Imported (with numba) only by the first block of paths that uses it.
"""

from __future__ import annotations

import numba
import numpy as np

from waterfall.engine.program import (
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
    A,
    B,
)
from waterfall.engine.program import KIND as KIND_COLUMN

# the ledger's tolerance: a thousandth of a cent below a whole cent is that cent
NOISE = 1e-3


@numba.njit(cache=True, nogil=True, inline="always")
def _max(a: float, b: float) -> float:
    return a if (a >= b or np.isnan(a)) else b  # np.maximum, NaN and signed zeros included


@numba.njit(cache=True, nogil=True, inline="always")
def _min(a: float, b: float) -> float:
    return a if (a <= b or np.isnan(a)) else b  # np.minimum


@numba.njit(cache=True, nogil=True, inline="always")
def _clip(x: float, low: float, high: float) -> float:
    # np.clip: the larger of x and low (x if NaN), then the smaller of that and high
    y = x if (np.isnan(x) or x > low) else low
    return y if (np.isnan(y) or y < high) else high


@numba.njit(cache=True, nogil=True, inline="always")
def _cent(raw: float, cents: bool) -> float:
    """``Ledger.move``'s cents policy on one amount: floored to the cent, float noise kept."""
    return np.floor(raw * 100.0 + NOISE) / 100.0 if cents else raw


@numba.njit(cache=True, nogil=True)
def _by_mode(mode):
    """The paths grouped by mode, in path order within a mode, and where each mode's paths
    start in that order (wound-up paths, mode ``MODES``, come last and run no steps)."""
    counts = np.zeros(MODES + 2, dtype=np.int64)
    for p in range(mode.shape[0]):
        counts[min(mode[p], MODES) + 1] += 1
    first = np.cumsum(counts)
    order = np.empty(mode.shape[0], dtype=np.int64)
    at = first[:-1].copy()
    for p in range(mode.shape[0]):
        m = min(mode[p], MODES)
        order[at[m]] = p
        at[m] += 1
    return order, first


# A movement is written out at each place a step moves cash, not called as a function: a
# compiled helper taking arrays costs two reference-count updates per array per call,
# which made the kernel three times slower than the arithmetic.
@numba.njit(cache=True, nogil=True)
def run_waterfall(
    steps,  # (steps, columns) int64: kind, tranches' first entry and count, a, b, first slot
    percents,  # (steps, 2): a sweep's percent and percent on breach
    tranche_rows,  # int64: the debt rows the steps name, step after step
    mode_steps,  # (modes + 1,) int64: where each mode's steps start in ``steps``
    maintenance,  # int64: the maintenance reserves' account rows, drawn by pay_expenses
    maintenance_due,  # row of maintenance capex in ``due`` (-1: none)
    route,  # (slots, 3) int64: the state rows a movement site takes from, adds to, records in
    mode,  # (paths,) int8
    breach,  # (paths,) bool: an LTV sweep test breached
    cents,  # bool: payments floored to whole cents
    state,  # (accounts + flows + 1, paths): the account balances (operating first), this
    # month's flows so far, and a row for the outside of the SPV: changed
    target,  # (accounts, paths): reserve targets of the accounts fund_reserve tops up
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
    owed = np.zeros(tranche_rows.shape[0] + 1)
    paid = np.zeros(tranche_rows.shape[0] + 1)
    remaining = np.zeros(tranche_rows.shape[0] + 1)
    available = np.empty(mode.shape[0])  # per path: the cash a step may still pay out
    owed_total = np.empty(mode.shape[0])  # per path: what pay_expenses owes in all
    # step by step, each over the paths in the step's mode: a path sees its steps in the same
    # order with the same numbers, and each kind of step has its own loop over the paths, with
    # what the step reads from its tables (its account rows: ``route``) taken once before it (no
    # path reads another's state: the only shared writes are the ``touched`` flags); paths come
    # grouped by mode, so no branch on a path's mode is taken at random either
    order, first = _by_mode(mode)
    for m in range(MODES):
        lo, hi = first[m], first[m + 1]
        every = hi - lo == mode.shape[0]  # all in this mode: in path order
        for s in range(mode_steps[m], mode_steps[m + 1]):
            kind = steps[s, KIND_COLUMN]
            slot = steps[s, SLOT]
            t0, tn = steps[s, T0], steps[s, TN]
            a, b = steps[s, A], steps[s, B]
            if kind == EXPENSES:
                # pro rata from operating cash (each path's total owed and cash first, then
                # expense by expense over the paths), then maintenance capex from the reserves
                expenses = due.shape[0]
                for q in range(lo, hi):
                    p = q if every else order[q]
                    total = 0.0
                    for e in range(expenses):
                        owes = _max(due[e, p], 0.0)
                        total = owes if e == 0 else total + owes
                    owed_total[p] = total
                    available[p] = _min(_max(state[0, p], 0.0), total)
                for e in range(expenses):
                    at = slot + e
                    source, destination, record = route[at, 0], route[at, 1], route[at, 2]
                    moving = False
                    for q in range(lo, hi):
                        p = q if every else order[q]
                        total = owed_total[p]
                        moved = (_max(due[e, p], 0.0) / total if total > 0 else 0.0) * available[p]
                        if moved != 0.0:
                            moving = True
                            moved = _cent(moved, cents)
                            state[source, p] -= moved
                            state[destination, p] += moved
                            state[record, p] += moved
                        due[e, p] -= moved
                    touched[at] |= moving
                if maintenance_due >= 0:
                    for r in range(maintenance.shape[0]):
                        at = slot + expenses + r
                        reserve = maintenance[r]
                        source, destination, record = route[at, 0], route[at, 1], route[at, 2]
                        moving = False
                        for q in range(lo, hi):
                            p = q if every else order[q]
                            moved = _min(_max(state[reserve, p], 0.0), due[maintenance_due, p])
                            if moved != 0.0:
                                moving = True
                                moved = _cent(moved, cents)
                                state[source, p] -= moved
                                state[destination, p] += moved
                                state[record, p] += moved
                            due[maintenance_due, p] -= moved
                        touched[at] |= moving
            elif kind in (INTEREST, PRINCIPAL) and tn == 1:
                # one tranche (most steps): the loop below with its one pro-rata share written out
                # (``share / share``, not 1.0: an infinite or NaN amount owed divides as it does there)
                interest = kind == INTEREST
                i = tranche_rows[t0]
                source, destination, record = route[slot, 0], route[slot, 1], route[slot, 2]
                reserve = slot + 1 if b >= 0 else slot  # (no second slot without a reserve)
                source1, destination1, record1 = route[reserve, 0], route[reserve, 1], route[reserve, 2]
                moving, moving1 = False, False
                for q in range(lo, hi):
                    p = q if every else order[q]
                    owes = interest_due[i, p] if interest else principal_due[i, p]
                    pays = 0.0
                    share = _max(owes - pays, 0.0)
                    amount = _min(_max(state[0, p], 0.0), share)
                    if amount != 0.0:
                        moved = (share / share if share > 0 else 0.0) * amount
                        if moved != 0.0:
                            moving = True
                            moved = _cent(moved, cents)
                            state[source, p] -= moved
                            state[destination, p] += moved
                            state[record, p] += moved
                        pays += moved
                    if b >= 0:  # then the reserve
                        share = _max(owes - pays, 0.0)
                        amount = _min(_max(state[b, p], 0.0), share)
                        if amount != 0.0:
                            moved = (share / share if share > 0 else 0.0) * amount
                            if moved != 0.0:
                                moving1 = True
                                moved = _cent(moved, cents)
                                state[source1, p] -= moved
                                state[destination1, p] += moved
                                state[record1, p] += moved
                            pays += moved
                    if interest:
                        interest_due[i, p] -= pays
                        interest_paid[i, p] += pays
                    else:
                        debt_balance[i, p] -= pays
                        principal_due[i, p] = _max(principal_due[i, p] - pays, 0.0)
                        principal_paid[i, p] += pays
                touched[slot] |= moving
                if b >= 0:
                    touched[slot + 1] |= moving1
            elif kind in (INTEREST, PRINCIPAL):
                interest = kind == INTEREST
                for q in range(lo, hi):
                    p = q if every else order[q]
                    for j in range(tn):
                        i = tranche_rows[t0 + j]
                        owed[j] = interest_due[i, p] if interest else principal_due[i, p]
                        paid[j] = 0.0
                    for k in range(2):  # operating cash, then the reserve
                        source = 0 if k == 0 else b
                        if source < 0:
                            continue
                        total = 0.0
                        for j in range(tn):
                            remaining[j] = _max(owed[j] - paid[j], 0.0)
                            total = remaining[j] if j == 0 else total + remaining[j]
                        amount = _min(_max(state[source, p], 0.0), total)
                        if amount == 0.0:
                            continue
                        for j in range(tn):
                            moved = (remaining[j] / total if total > 0 else 0.0) * amount
                            if moved != 0.0:
                                at = slot + k * tn + j
                                touched[at] = True
                                moved = _cent(moved, cents)
                                state[route[at, 0], p] -= moved
                                state[route[at, 1], p] += moved
                                state[route[at, 2], p] += moved
                            paid[j] += moved
                    for j in range(tn):
                        i = tranche_rows[t0 + j]
                        if interest:
                            interest_due[i, p] -= paid[j]
                            interest_paid[i, p] += paid[j]
                        else:
                            debt_balance[i, p] -= paid[j]
                            principal_due[i, p] = _max(principal_due[i, p] - paid[j], 0.0)
                            principal_paid[i, p] += paid[j]
            elif kind in (SWEEP, REDEEM):
                # what each path has available, then tranche by tranche in order over the paths
                sweep = kind == SWEEP
                percent, on_breach = percents[s, 0], percents[s, 1]
                for q in range(lo, hi):
                    p = q if every else order[q]
                    if sweep:
                        available[p] = _max(state[0, p], 0.0) * (on_breach if breach[p] else percent)
                    else:
                        available[p] = _max(state[a, p], 0.0)
                for j in range(tn):
                    i = tranche_rows[t0 + j]
                    at = slot + j
                    source, destination, record = route[at, 0], route[at, 1], route[at, 2]
                    moving = False
                    for q in range(lo, hi):
                        p = q if every else order[q]
                        if sweep:
                            moved = _clip(debt_balance[i, p], 0.0, available[p])
                        else:
                            moved = _min(available[p], debt_balance[i, p])
                        if moved != 0.0:
                            moving = True
                            moved = _cent(moved, cents)
                            state[source, p] -= moved
                            state[destination, p] += moved
                            state[record, p] += moved
                        # the debt's prepay: the balance falls, principal due capped by it
                        debt_balance[i, p] -= moved
                        principal_due[i, p] = _min(principal_due[i, p], debt_balance[i, p])
                        principal_paid[i, p] += moved
                        available[p] = available[p] - moved
                    touched[at] |= moving
            elif kind == SELL:
                source, destination, record = route[slot, 0], route[slot, 1], route[slot, 2]
                moving = False
                for q in range(lo, hi):
                    p = q if every else order[q]
                    total = 0.0
                    for j in range(tn):
                        i = tranche_rows[t0 + j]
                        both = interest_due[i, p] + principal_due[i, p]
                        total = both if j == 0 else total + both
                    lacking = _max(total - _max(state[0, p], 0.0), 0.0)
                    if lacking == 0.0:
                        continue
                    price = prices[a, p]
                    moved = _clip(lacking, 0.0, units[a, p] * price)
                    if moved != 0.0:
                        moving = True
                        moved = _cent(moved, cents)
                        state[source, p] -= moved
                        state[destination, p] += moved
                        state[record, p] += moved
                    if price > 0:
                        units[a, p] = _max(units[a, p] - moved / price, 0.0)
                touched[slot] |= moving
            elif kind == FUND:
                # release the excess over target, then top up to it: two movements, two slots
                source, destination, record = route[slot, 0], route[slot, 1], route[slot, 2]
                source1, destination1, record1 = route[slot + 1, 0], route[slot + 1, 1], route[slot + 1, 2]
                moving, moving1 = False, False
                for q in range(lo, hi):
                    p = q if every else order[q]
                    moved = _max(state[a, p] - target[a, p], 0.0)
                    if moved != 0.0:
                        moving = True
                        moved = _cent(moved, cents)
                        state[source, p] -= moved
                        state[destination, p] += moved
                        state[record, p] += moved
                    moved = _min(_max(state[0, p], 0.0), _max(target[a, p] - state[a, p], 0.0))
                    if moved != 0.0:
                        moving1 = True
                        moved = _cent(moved, cents)
                        state[source1, p] -= moved
                        state[destination1, p] += moved
                        state[record1, p] += moved
                touched[slot] |= moving
                touched[slot + 1] |= moving1
            elif kind == HEDGE:
                # the periodic settlement (slot), then the termination payment (slot + 1)
                for k in range(2):
                    if (k == 0 and b == 2) or (k == 1 and b == 1):  # b: 0 all, 1 periodic, 2 termination
                        continue
                    owing = hedge_due if k == 0 else termination_due
                    at = slot + k
                    source, destination, record = route[at, 0], route[at, 1], route[at, 2]
                    moving = False
                    for q in range(lo, hi):
                        p = q if every else order[q]
                        moved = _min(_max(state[0, p], 0.0), _max(owing[a, p], 0.0))
                        if moved != 0.0:
                            moving = True
                            moved = _cent(moved, cents)
                            state[source, p] -= moved
                            state[destination, p] += moved
                            state[record, p] += moved
                        owing[a, p] -= moved
                    touched[at] |= moving
            else:
                # FEE: what the fee is owed; TRAP, EQUITY: all operating cash
                fee = kind == FEE
                source, destination, record = route[slot, 0], route[slot, 1], route[slot, 2]
                moving = False
                for q in range(lo, hi):
                    p = q if every else order[q]
                    cash = _max(state[0, p], 0.0)
                    moved = _min(cash, _max(fee_due[a, p], 0.0)) if fee else cash
                    if moved != 0.0:
                        moving = True
                        moved = _cent(moved, cents)
                        state[source, p] -= moved
                        state[destination, p] += moved
                        state[record, p] += moved
                    if fee:
                        fee_due[a, p] -= moved
                touched[slot] |= moving


def warm() -> None:
    """Compile (or load) the kernel for the argument types ``program.CompiledWaterfall`` passes:
    a block of one path with no steps in any mode."""
    table = np.zeros((0, 6), dtype=np.int64)
    rows = np.zeros(0, dtype=np.int64)
    none = np.zeros((0, 1))
    run_waterfall(
        table,
        np.zeros((0, 2)),
        rows,
        np.zeros(MODES + 1, dtype=np.int64),
        rows,
        -1,
        np.zeros((0, 3), dtype=np.int64),
        np.zeros(1, dtype=np.int8),
        np.zeros(1, dtype=np.bool_),
        True,
        np.zeros((1, 1)),
        np.zeros((1, 1)),
        np.zeros(0, dtype=np.bool_),
        *(none,) * 11,
    )
