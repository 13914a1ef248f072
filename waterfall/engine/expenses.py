"""Expenses: operating costs, power, maintenance capex and fees falling due each month.

Costs that differ by path (a vacant campus's costs, leasing costs of a re-let,
``waterfall.engine.reletting``) come in each month as ``incurred`` arrays.

What falls due is owed until a ``pay_expenses`` or ``pay_fee`` step pays it;
unpaid amounts stay owed and are paid, pro rata with new amounts, next time (a
fee whose ``arrears`` is ``forgive`` drops what a payment date leaves unpaid).
A fee's ``cap`` bounds what falls due in each deal year.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.spec.calendar import Calendar
from waterfall.spec.costs import (
    MONTHS_APART,
    BpsFee,
    Fee,
    FixedFee,
    OneOffFee,
    RecurringFee,
    ScheduledFee,
)
from waterfall.spec.deal import Deal

OPEX, POWER, MAINTENANCE = "opex", "power", "maintenance_capex"


class Expenses:
    def __init__(self, deal: Deal, schedule: Schedule, paths: int) -> None:
        costs = deal.costs
        months = schedule.months
        growth = (1.0 + costs.escalation) ** (np.arange(months) // 12)
        power = np.zeros(months)
        if costs.power is not None:
            p = costs.power
            power = p.it_mw * p.pue * schedule.hours * p.price_per_mwh
        self.incurred = {
            OPEX: costs.fixed_opex_monthly * growth,
            POWER: power * growth,
            MAINTENANCE: costs.maintenance_capex_monthly * growth,
        }
        self.fees = deal.fees
        self.due = {name: np.zeros(paths) for name in self.incurred}
        self.fee_due = {fee.name: np.zeros(paths) for fee in deal.fees}
        # what dated fees charge each month, the same on every path
        self.dated = {fee.name: _dated(fee, deal.calendar, months) for fee in deal.fees}
        self.charged_this_year = {fee.name: np.zeros(paths) for fee in deal.fees if fee.cap is not None}
        self.fee_forgiven = {fee.name: np.zeros(paths) for fee in deal.fees if fee.arrears == "forgive"}
        self.needs_collateral = any(isinstance(f.basis, BpsFee) and f.basis.of == "collateral_value" for f in deal.fees)

    def accrue(
        self,
        month: int,
        debt_balance: np.ndarray,
        live: np.ndarray,
        incurred: dict[str, np.ndarray] | None = None,
        collateral_value: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Costs and fees incurred this month on live paths: (expenses, fees).

        ``incurred``: this month's path-varying costs by ledger name, (paths,) each;
        ``collateral_value``: what bps-of-collateral fees are charged on, (paths,).
        """
        expenses = np.zeros_like(debt_balance)
        for name, schedule in self.incurred.items():
            amount = np.where(live, schedule[month], 0.0)
            self.due[name] += amount
            expenses += amount
        for name, varying in (incurred or {}).items():
            amount = np.where(live, varying, 0.0)
            if name not in self.due:
                self.due[name] = np.zeros_like(amount)
            self.due[name] += amount
            expenses += amount
        fees = np.zeros_like(debt_balance)
        for fee in self.fees:
            basis = fee.basis
            if isinstance(basis, BpsFee):
                base = debt_balance if basis.of == "debt_balance" else collateral_value
                assert base is not None, "a fee on collateral value needs the month's collateral value"
                amount = base * basis.bps / 10_000.0 / 12.0
            elif isinstance(basis, FixedFee):
                amount = np.full_like(debt_balance, basis.annual / 12.0)
            else:
                amount = np.full_like(debt_balance, self.dated[fee.name][month])
            amount = np.where(live, amount, 0.0)
            if fee.cap is not None:
                charged = self.charged_this_year[fee.name]
                if month % 12 == 0:
                    charged[:] = 0.0  # a new deal year
                amount = np.minimum(amount, np.maximum(fee.cap - charged, 0.0))
                charged += amount
            self.fee_due[fee.name] += amount
            fees += amount
        return expenses, fees

    def settle(self, paying: np.ndarray) -> None:
        """After a payment date's waterfall: forgive what fees with ``arrears = "forgive"``
        still have owed on ``paying`` paths."""
        for name in self.fee_forgiven:
            due = self.fee_due[name]
            self.fee_forgiven[name] += np.where(paying, due, 0.0)
            due[paying] = 0.0


def _dated(fee: Fee, calendar: Calendar, months: int) -> np.ndarray:
    """What a one-off, scheduled or recurring fee charges in each month (zeros otherwise)."""
    charges = np.zeros(months)
    basis = fee.basis
    if isinstance(basis, OneOffFee):
        entries = [(basis.date, basis.amount)]
    elif isinstance(basis, ScheduledFee):
        entries = [(entry.date, entry.amount) for entry in basis.schedule]
    elif isinstance(basis, RecurringFee):
        first = calendar.month_of(basis.start) if basis.start is not None else 0
        last = calendar.month_of(basis.end) if basis.end is not None else months - 1
        charges[first : last + 1 : MONTHS_APART[basis.frequency]] = basis.amount
        return charges
    else:
        return charges
    for date, amount in entries:
        month = calendar.month_of(date)
        if 0 <= month < months:
            charges[month] += amount
    return charges
