"""What a run leaves behind: per-month records over paths, as plain numpy arrays.

Tranche records are (months, tranches, paths); period records (months, paths).
Turning them into tables is the job of ``waterfall.outcomes``.
"""

from __future__ import annotations

import numpy as np
from attrs import define

from waterfall.engine.ledger import Ledger

TRANCHE_FIELDS = (
    "balance_start",
    "drawn",
    "interest_due",
    "interest_paid",
    "interest_shortfall",
    "principal_scheduled",
    "principal_paid",
    "pik",
    "writedown",
    "refinanced",
    "balance_end",
)
PERIOD_FIELDS = (
    "revenue",
    "opex",
    "fees",
    "cfads",
    "debt_service_scheduled",
    "dscr",
    "dscr_trailing",
    "ltv",
    "collateral_value",
    "equity_distribution",
    "equity_contribution",
    "terminal_value",
)

NORMAL, LOCK_UP, DEFAULT, WOUND_UP = 0, 1, 2, 3
MODE_NAMES = ("normal", "lock_up", "default", "wound_up")


@define
class Tape:
    months: int
    paths: int
    tranche_names: tuple[str, ...]
    original_balance: np.ndarray  # (tranches,)
    tranche: dict[str, np.ndarray]
    period: dict[str, np.ndarray]
    mode: np.ndarray  # (months, paths) int8
    accounts: dict[str, np.ndarray]  # name -> (months, paths) closing balances
    ledger: Ledger
    default_month: np.ndarray  # (paths,) -1 when none
    equity_amount: float = 0.0
    hurdle_rate: float = 0.0  # the deal's equity.hurdle_rate, for the equity's NPV
    interest_forgiven: np.ndarray | None = None  # (tranches, paths), set at the end of a run
    extensions: np.ndarray | None = None  # (tranches, paths) extension options used, set at the end of a run
    # (tranches, paths) each tranche's final payment month at the end of a run: its legal one
    # unless extended or refinanced; beyond the horizon, its balance is still outstanding there
    maturity: np.ndarray | None = None
    # each tranche's coupon for the accrual period ending in a payment month (rate x year
    # fraction, 0 in other months), (months, tranches, paths): the economic-loss discount
    period_rate: np.ndarray | None = None
    interest_unpaid: np.ndarray | None = None  # (tranches, paths) arrears left at the horizon

    @classmethod
    def empty(
        cls,
        months: int,
        paths: int,
        tranche_names: tuple[str, ...],
        original_balance: np.ndarray,
        ledger: Ledger,
    ) -> Tape:
        n = len(tranche_names)
        tranche_size, period_size = months * n * paths, months * paths
        # one zeroed block carved into every record: a few large allocations fault in far
        # fewer pages than dozens of chunk-sized ones (numpy asks for huge pages from 4 MB)
        records = len(TRANCHE_FIELDS) * tranche_size
        block = np.zeros(records + (len(PERIOD_FIELDS) + len(ledger.balance)) * period_size)
        by_tranche = block[:records].reshape(len(TRANCHE_FIELDS), months, n, paths)
        tranche = {name: by_tranche[i] for i, name in enumerate(TRANCHE_FIELDS)}
        rest = block[records:].reshape(-1, months, paths)
        period = {name: rest[i] for i, name in enumerate(PERIOD_FIELDS)}
        for name in ("dscr", "dscr_trailing", "ltv"):
            period[name][:] = np.nan
        return cls(
            months=months,
            paths=paths,
            tranche_names=tranche_names,
            original_balance=original_balance,
            tranche=tranche,
            period=period,
            mode=np.zeros((months, paths), dtype=np.int8),
            accounts={name: rest[len(PERIOD_FIELDS) + i] for i, name in enumerate(ledger.balance)},
            ledger=ledger,
            default_month=np.full(paths, -1, dtype=np.int64),
            period_rate=np.zeros((months, n, paths)),
        )
