"""The four result tables, built once from a tape: cashflows, periods, ledger, tranches.

Schemas are documented in ``docs/outputs.md``; a column is added here and there together.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from waterfall.compiled import kernel, use_kernels
from waterfall.engine.columns import column_sums
from waterfall.engine.tape import MODE_NAMES, PERIOD_FIELDS, TRANCHE_FIELDS, Tape
from waterfall.outcomes.equity import equity_outcomes
from waterfall.outcomes.losses import debt_losses
from waterfall.outcomes.metrics import annual_irr, wal_years

EQUITY = "equity"
# measures that do not apply to a row's kind (or cannot be computed on a path) are null
NULLABLE = (
    "interest_loss",
    "interest_loss_pct",
    "economic_loss",
    "economic_loss_pct",
    "irr",
    "moic",
    "npv",
    "terminal_value",
    "wal_years",
)


def cashflows(tape: Tape, dates: list) -> pl.DataFrame:
    months, n, paths = tape.months, len(tape.tranche_names), tape.paths

    # row order: path, period, tranche
    def flat(a: np.ndarray) -> np.ndarray:
        return a.transpose(2, 0, 1).reshape(-1)

    frame = {
        "path": np.repeat(np.arange(paths, dtype=np.int64), months * n),
        "period": np.tile(np.repeat(np.arange(months, dtype=np.int64), n), paths),
        "date": np.tile(np.repeat(np.array(dates, dtype="datetime64[D]"), n), paths),
        "tranche": np.tile(np.array(tape.tranche_names, dtype=object), months * paths),
    }
    for name in TRANCHE_FIELDS:
        frame[name] = flat(tape.tranche[name])
    return pl.DataFrame(frame).with_columns(pl.col("tranche").cast(pl.String))


def periods(tape: Tape, dates: list) -> pl.DataFrame:
    months, paths = tape.months, tape.paths

    def flat(a: np.ndarray) -> np.ndarray:
        return a.T.reshape(-1)

    frame: dict[str, object] = {
        "path": np.repeat(np.arange(paths, dtype=np.int64), months),
        "period": np.tile(np.arange(months, dtype=np.int64), paths),
        "date": np.tile(np.array(dates, dtype="datetime64[D]"), paths),
        "mode": np.array(MODE_NAMES, dtype=object)[flat(tape.mode)],
    }
    for name in PERIOD_FIELDS:
        frame[name] = flat(tape.period[name])
    for name, balance in tape.accounts.items():
        frame[f"account_{name}"] = flat(balance)
    return pl.DataFrame(frame).with_columns(
        pl.col("mode").cast(pl.String), pl.col("dscr", "dscr_trailing", "ltv").fill_nan(None)
    )


def ledger(tape: Tape) -> pl.DataFrame:
    if not tape.ledger.keeps_flows:
        raise ValueError("this tape's run kept no ledger flows (run(..., keeps_flows=False))")
    parts = []
    for (source, destination), flows in tape.ledger.flows.items():
        period, path = np.nonzero(flows)
        parts.append(
            pl.DataFrame(
                {
                    "path": path.astype(np.int64),
                    "period": period.astype(np.int64),
                    "source": pl.Series([source] * len(path), dtype=pl.String),
                    "destination": pl.Series([destination] * len(path), dtype=pl.String),
                    "amount": flows[period, path],
                }
            )
        )
    schema = {
        "path": pl.Int64,
        "period": pl.Int64,
        "source": pl.String,
        "destination": pl.String,
        "amount": pl.Float64,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).sort("path", "period", "source", "destination")


SHORTFALL = 0.005  # currency: less unpaid than this is rounding, not a shortfall


def _first(mask: np.ndarray) -> np.ndarray:
    """First month (axis 0) where mask holds, or -1."""
    hit = mask.any(axis=0)
    return np.where(hit, mask.argmax(axis=0), -1)


def _first_shortfall(tape: Tape, i: int) -> np.ndarray:
    """The first month tranche ``i`` is short of interest or of scheduled principal, or -1."""
    t = tape.tranche
    shortfall, scheduled, paid = (
        t["interest_shortfall"][:, i, :],
        t["principal_scheduled"][:, i, :],
        t["principal_paid"][:, i, :],
    )
    if use_kernels(tape.paths):
        return kernel("waterfall.outcomes.tranche_kernel", "first_shortfall")(shortfall, scheduled, paid, SHORTFALL)
    return _first((shortfall > SHORTFALL) | (scheduled - paid > SHORTFALL))


def _first_refinanced(tape: Tape, i: int) -> np.ndarray:
    """The first month tranche ``i`` is refinanced, or -1."""
    refinanced = tape.tranche["refinanced"][:, i, :]
    if use_kernels(tape.paths):
        return kernel("waterfall.outcomes.tranche_kernel", "first_positive")(refinanced)
    return _first(refinanced > 0)


def _outstanding(tape: Tape, i: int) -> np.ndarray:
    """What tranche ``i`` still owes at the horizon because it falls due after it, (paths,)."""
    if tape.maturity is None:
        return np.zeros(tape.paths)
    return np.where(tape.maturity[i] > tape.months - 1, tape.tranche["balance_end"][-1, i], 0.0)


def tranche_outcomes(tape: Tape) -> pl.DataFrame:
    """One row per (path, tranche), debt first then equity.

    ``loss`` is principal loss for debt (``waterfall.outcomes.losses``) and capital not
    returned for equity (``waterfall.outcomes.equity``); columns that do not apply to a
    row's kind are null.
    """
    t = tape.tranche
    none = np.full(tape.paths, np.nan)
    rows = []
    for i, name in enumerate(tape.tranche_names):
        # what was lent: at closing, plus any later draws on this path
        drawn = t["drawn"][:, i, :]
        original = tape.original_balance[i] + column_sums(drawn)
        received = t["interest_paid"][:, i, :] + t["principal_paid"][:, i, :]
        flows = np.empty((tape.months + 1, tape.paths))
        flows[0] = -tape.original_balance[i]
        np.subtract(received, drawn, out=flows[1:])
        # a balance refinanced or extended past the horizon is still performing there: at par
        outstanding = _outstanding(tape, i)
        flows[-1] += outstanding
        refinanced_period = _first_refinanced(tape, i)
        losses = debt_losses(tape, i, outstanding)
        shortfall = _first_shortfall(tape, i)
        rows.append(
            {
                "path": np.arange(tape.paths, dtype=np.int64),
                "tranche": name,
                "kind": "debt",
                "original_balance": original,
                "principal_lent": losses.principal_lent,
                "interest_paid": column_sums(t["interest_paid"][:, i, :]),
                "principal_paid": column_sums(t["principal_paid"][:, i, :]),
                "loss": losses.principal_loss,
                "loss_pct": losses.principal_loss_pct,
                "interest_loss": losses.interest_loss,
                "interest_loss_pct": losses.interest_loss_pct,
                "economic_loss": losses.economic_loss,
                "economic_loss_pct": losses.economic_loss_pct,
                "irr": annual_irr(flows),
                "moic": none,
                "npv": none,
                "terminal_value": none,
                "wal_years": wal_years(t["principal_paid"][:, i, :]),
                "default_period": tape.default_month,
                "first_shortfall_period": shortfall,
                "refinanced": refinanced_period >= 0,
                "refinanced_period": refinanced_period,
                "extensions": np.zeros(tape.paths, dtype=np.int64) if tape.extensions is None else tape.extensions[i],
                "outstanding": outstanding,
            }
        )
    equity = equity_outcomes(tape)
    rows.append(
        {
            "path": np.arange(tape.paths, dtype=np.int64),
            "tranche": EQUITY,
            "kind": "equity",
            "original_balance": equity.invested,
            "principal_lent": equity.invested,
            "interest_paid": np.zeros(tape.paths),
            "principal_paid": equity.distributed,
            "loss": equity.unreturned,
            "loss_pct": np.divide(
                equity.unreturned, equity.invested, out=np.zeros(tape.paths), where=equity.invested > 0
            ),
            "interest_loss": none,
            "interest_loss_pct": none,
            "economic_loss": none,
            "economic_loss_pct": none,
            "irr": equity.irr,
            "moic": equity.moic,
            "npv": equity.npv,
            "terminal_value": equity.terminal_value,
            "wal_years": none,
            "default_period": tape.default_month,
            "first_shortfall_period": np.full(tape.paths, -1),
            "refinanced": np.zeros(tape.paths, dtype=bool),
            "refinanced_period": np.full(tape.paths, -1),
            "extensions": np.zeros(tape.paths, dtype=np.int64),
            "outstanding": np.zeros(tape.paths),
        }
    )
    frames = [pl.DataFrame(r) for r in rows]
    return (
        pl.concat(frames)
        .with_columns(
            pl.col(*NULLABLE).fill_nan(None),
            *(
                pl.when(pl.col(c) >= 0).then(pl.col(c)).otherwise(None).alias(c)
                for c in ("default_period", "first_shortfall_period", "refinanced_period")
            ),
        )
        .sort("path", maintain_order=True)
    )
