"""Every waterfall step, alone and in any order, on any state it may meet.

The operating account may start overdrawn, dues and balances are anything, the
mode's mask picks any paths. Whatever the step kind, it moves no negative amount,
conserves cash, touches only its mode's paths, never draws an account below where
it started (an overdrawn account pays nothing), never grows a debt or a due.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import build, month, one_tranche_deal, sequential_waterfall
from tests.properties.strategies import STEP_ACCOUNTS, STEP_TRANCHES, step_states
from waterfall.engine.clock import Schedule
from waterfall.engine.crypto import CryptoBook
from waterfall.engine.debt import Debt
from waterfall.engine.expenses import Expenses
from waterfall.engine.ledger import Ledger
from waterfall.engine.priority import execute
from waterfall.spec.account import OPERATING
from waterfall.spec.deal import Deal
from waterfall.spec.steps import (
    STEP_TAGS,
    FundReserve,
    PayEquity,
    PayExpenses,
    PayFee,
    PayHedge,
    PayInterest,
    PayPrincipal,
    Redeem,
    SellCrypto,
    Step,
    Sweep,
    Trap,
)

FEE, HEDGE, HOLDING, ASSET = "agent", "swap", "btc", "BTC"
TOLERANCE = 1e-6


def _deal() -> Deal:
    """Two tranches and a fee: what the real ``Debt`` and ``Expenses`` are built from."""
    tranche = {"balance": 1.0, "legal_maturity": month(11), "amortisation": {"type": "bullet"}}
    raw = one_tranche_deal({**tranche, "coupon": {"type": "fixed", "rate": 0.05}}, horizon=12, monthly_rent=1.0)
    raw["tranches"] = [{"name": name, **tranche, "coupon": {"type": "fixed", "rate": 0.05}} for name in STEP_TRANCHES]
    raw["fees"] = [{"name": FEE, "basis": {"type": "fixed", "annual": 1.0}}]
    raw["waterfall"] = sequential_waterfall(list(STEP_TRANCHES), fees=(FEE,))
    return build(raw)


DEAL = _deal()


class StepBooks:
    """The ``Books`` a step reads and changes, set to a generated state."""

    def __init__(self, state: dict[str, Any]) -> None:
        paths = state["paths"]
        self.ledger = Ledger([OPERATING, *STEP_ACCOUNTS], 1, paths, state["cents"])
        self.ledger.balance[OPERATING][:] = state["operating"]
        for name in STEP_ACCOUNTS:
            self.ledger.balance[name][:] = state["accounts"][name]
        schedule = Schedule(DEAL.calendar)
        self.debt = Debt(DEAL, schedule, {"SOFR": np.full((schedule.months, paths), 0.03)}, paths)
        self.debt.balance[:] = state["balance"]
        self.debt.interest_due[:] = state["interest_due"]
        self.debt.principal_due[:] = state["balance"] * state["principal_share"]
        self.expenses = Expenses(DEAL, schedule, paths)
        for name, due in zip(self.expenses.due, state["expenses_due"], strict=True):
            self.expenses.due[name][:] = due
        self.expenses.fee_due[FEE][:] = state["fee_due"]
        self.month = 0
        self.sweep_breach = state["breach"]
        self.maintenance_reserves = ["maintenance"]
        # a swap owes its periodic settlement and, after a default, its termination payment
        self.hedges = SimpleNamespace(
            due={HEDGE: state["hedge_due"].copy()}, termination_due={HEDGE: state["hedge_due"][::-1].copy()}
        )
        self.crypto = CryptoBook.__new__(CryptoBook)
        self.crypto.holdings = {HOLDING: SimpleNamespace(asset=ASSET)}
        self.crypto.prices = {ASSET: state["crypto_price"][None, :]}
        self.crypto.units = {HOLDING: state["crypto_units"].copy()}
        self.targets = state["targets"]

    def reserve_target(self, account: str) -> np.ndarray:
        return self.targets[account]

    def dues(self) -> dict[str, np.ndarray]:
        """Everything owed, by name: none of it may grow."""
        owed = {f"expenses.{k}": v for k, v in self.expenses.due.items()}
        owed |= {"fee": self.expenses.fee_due[FEE], "hedge": self.hedges.due[HEDGE]}
        owed["hedge termination"] = self.hedges.termination_due[HEDGE]
        for i, name in enumerate(STEP_TRANCHES):
            owed[f"{name}.interest_due"] = self.debt.interest_due[i]
            owed[f"{name}.principal_due"] = self.debt.principal_due[i]
            owed[f"{name}.balance"] = self.debt.balance[i]
        return {k: np.array(v, copy=True) for k, v in owed.items()}


def _step(kind: type, state: dict[str, Any]) -> Step:
    return {
        PayExpenses: PayExpenses(),
        PayFee: PayFee(FEE),
        PayInterest: PayInterest(STEP_TRANCHES, reserve="dsra"),
        PayPrincipal: PayPrincipal(STEP_TRANCHES[:1]),
        FundReserve: FundReserve("dsra"),
        Sweep: Sweep(STEP_TRANCHES, state["percent"], state["percent_on_breach"]),
        Trap: Trap("trap"),
        PayHedge: PayHedge(HEDGE),
        Redeem: Redeem("redemption", STEP_TRANCHES),
        SellCrypto: SellCrypto(HOLDING, STEP_TRANCHES),
        PayEquity: PayEquity(),
    }[kind]


KINDS = sorted(STEP_TAGS, key=STEP_TAGS.__getitem__)


def check_step(state: dict[str, Any], steps: tuple[Step, ...]) -> None:
    books = StepBooks(state)
    mask = state["mask"]
    before = {name: balance.copy() for name, balance in books.ledger.balance.items()}
    owed = books.dues()

    execute(books, steps, mask)

    accounts = set(books.ledger.balance)
    inflow = outflow = 0.0
    gross = 1.0 + sum(float(np.abs(b).sum()) for b in before.values())
    for (source, destination), flows in books.ledger.flows.items():
        moved = flows[0]
        assert (moved >= 0).all(), f"{steps}: negative movement {source}->{destination}: {moved}"
        assert not moved[~mask].any(), f"{steps}: {source}->{destination} moved on a path outside its mode"
        gross += float(moved.sum())
        inflow += np.where(source not in accounts and destination in accounts, moved, 0.0)
        outflow += np.where(source in accounts and destination not in accounts, moved, 0.0)
    change = sum(books.ledger.balance[name] - before[name] for name in accounts)
    assert np.allclose(inflow - outflow, change, rtol=0, atol=TOLERANCE * gross), f"{steps}: cash not conserved"
    for name, balance in books.ledger.balance.items():
        floor = np.minimum(before[name], 0.0) - TOLERANCE * gross
        assert (balance >= floor).all(), f"{steps}: {name} drawn below where it started: {before[name]} -> {balance}"
    for name, was in owed.items():
        now = books.dues()[name]
        assert (now <= was + TOLERANCE * gross).all(), f"{steps}: {name} grew: {was} -> {now}"


def test_every_step_kind_is_covered() -> None:
    state = {"percent": 0.5, "percent_on_breach": 1.0}
    assert {type(_step(kind, state)) for kind in KINDS} == set(STEP_TAGS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: STEP_TAGS[k])
@given(state=step_states())
def test_a_step_never_moves_a_negative_amount(kind: type, state: dict[str, Any]) -> None:
    check_step(state, (_step(kind, state),))


@given(state=step_states(), order=st.lists(st.sampled_from(KINDS), min_size=2, max_size=12))
def test_steps_in_any_order_never_move_a_negative_amount(state: dict[str, Any], order: list[type]) -> None:
    check_step(state, tuple(_step(kind, state) for kind in order))


def test_a_sweep_from_an_overdrawn_account_does_not_grow_the_loan() -> None:
    """The issue's example: -100 of operating cash, a 100% sweep of a 1,000 loan."""
    state = {
        "paths": 1,
        "cents": False,
        "operating": np.array([-100.0]),
        "accounts": {name: np.zeros(1) for name in STEP_ACCOUNTS},
        "targets": {name: np.zeros(1) for name in STEP_ACCOUNTS},
        "balance": np.array([[1000.0], [0.0]]),
        "interest_due": np.zeros((2, 1)),
        "principal_share": np.zeros((2, 1)),
        "expenses_due": [np.zeros(1)] * 3,
        "fee_due": np.zeros(1),
        "hedge_due": np.zeros(1),
        "crypto_units": np.zeros(1),
        "crypto_price": np.zeros(1),
        "breach": np.array([False]),
        "mask": np.array([True]),
        "percent": 1.0,
        "percent_on_breach": 1.0,
    }
    books = StepBooks(state)
    execute(books, (_step(Sweep, state), _step(PayEquity, state)), state["mask"])
    assert books.debt.balance[0, 0] == 1000.0
    assert books.ledger.balance[OPERATING][0] == -100.0
    assert not books.ledger.flows
