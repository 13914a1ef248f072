"""Expenses: operating costs, power, maintenance capex and fees falling due each month.

Costs that differ by path (a vacant campus's costs, leasing costs of a re-let,
``waterfall.engine.reletting``) come in each month as ``incurred`` arrays.

What falls due is owed until a ``pay_expenses`` or ``pay_fee`` step pays it;
unpaid amounts stay owed and are paid, pro rata with new amounts, next time.
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.spec.costs import BpsFee
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

    def accrue(
        self,
        month: int,
        debt_balance: np.ndarray,
        live: np.ndarray,
        incurred: dict[str, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Costs and fees incurred this month on live paths: (expenses, fees).

        ``incurred``: this month's path-varying costs by ledger name, (paths,) each.
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
            if isinstance(fee.basis, BpsFee):
                amount = debt_balance * fee.basis.bps / 10_000.0 / 12.0
            else:
                amount = np.full_like(debt_balance, fee.basis.annual / 12.0)
            amount = np.where(live, amount, 0.0)
            self.fee_due[fee.name] += amount
            fees += amount
        return expenses, fees
