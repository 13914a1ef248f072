"""Feeding one damaged file to the loader (and, if it loads, to the engine) and judging the outcome.

Every file ends in exactly one outcome:

* ``clean error``: an ``InputError`` whose every problem is located (a field path, or the
  file itself for a file that is not TOML) and worded ``expected ..., found ...`` (or as
  the documented "unknown key" / "required term missing"), naming the mutated place
  when the mutation had one;
* ``ran clean``: the file loaded and its runs kept the invariants: no NaN or infinity
  in any amount, no negative balance or movement, cash conserved in every period, no
  tranche paid more than it was owed;
* ``crash``: any other exception (a traceback for the user);
* ``unclear message``: an ``InputError`` that fails the wording or location rules;
* ``invariant violation``: a run that broke an invariant;
* ``hang``: loading and running took longer than the time limit.
"""

from __future__ import annotations

import re
import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from attrs import frozen

from tests.fuzz.mutations import Mutation
from tests.properties.test_invariants import check_balance_identity, check_conservation, interest_accrued
from waterfall.batch.grid import load_grid
from waterfall.engine import run
from waterfall.engine.tape import Tape
from waterfall.errors import InputError
from waterfall.market.curves import Market, base_case
from waterfall.market.generate import generate
from waterfall.market.scenario import Scenario, load_scenario
from waterfall.outcomes import tables
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal

CLEAN_ERROR, RAN_CLEAN = "clean error", "ran clean"
CRASH, UNCLEAR, VIOLATION, HANG = "crash", "unclear message", "invariant violation", "hang"
OUTCOMES = (CLEAN_ERROR, RAN_CLEAN, CRASH, UNCLEAR, VIOLATION, HANG)
GOOD = (CLEAN_ERROR, RAN_CLEAN)

# ratios are undefined (NaN on the tape, null in the tables) where nothing is owed or held, and
# unbounded (infinite) where the debt service or collateral value is a vanishing fraction of a cent
# beside the numerator, by the engine's design (docs/outputs.md, null conventions)
RATIOS = frozenset({"dscr", "dscr_trailing", "ltv"})
FILE_LEVEL = ("not valid TOML", "expected UTF-8 text", "file not found", "cannot read file")
WORDED = re.compile(r"\bexpected\b.*\bfound\b|^unknown key;|^required term missing$", re.DOTALL)
# the converter's last resort: a Python exception's own text, not a user's message
LEAKED = "expected a different kind of value ("
# cash flow available for debt service is what revenue leaves after costs: it may be negative
SIGNED = frozenset({"period.cfads"})
# float rounding on a deal of tens of billions leaves a few millionths of a dollar below zero;
# a negative amount counts beyond that: 1e-13 of the tape's largest amount (0.1 cent at $10bn)
ROUNDING = 1e-13
PATHS = 3  # Monte Carlo paths per stochastic run
SEED = 2026


@frozen
class Verdict:
    outcome: str
    detail: str = ""


class HangError(Exception):
    """Raised by the alarm when one file takes longer than the limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise HangError(f"took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _related(found: str, struck: str) -> bool:
    """One path is the other or lies inside it (``a.b`` and ``a.b[2].c``)."""

    def inside(a: str, b: str) -> bool:
        return a == b or a.startswith((b + ".", b + "["))

    return inside(found, struck) or inside(struck, found)


def judge_error(error: InputError, mutation: Mutation) -> Verdict:
    """A clean error, or an unclear one (and why)."""
    if not error.file or not error.problems:
        return Verdict(UNCLEAR, f"no file or no problems: {error.render()}")
    for problem in error.problems:
        message = problem.message
        if LEAKED in message:
            return Verdict(UNCLEAR, f"leaked exception text: {problem}")
        file_level = any(message.startswith(p) for p in FILE_LEVEL)
        if not problem.path and not file_level:
            return Verdict(UNCLEAR, f"problem without a field path: {problem}")
        if not file_level and not WORDED.search(message):
            return Verdict(UNCLEAR, f"not worded expected/found: {problem}")
    if mutation.located and not any(_related(_bare(p.path), mutation.path) for p in error.problems):
        return Verdict(UNCLEAR, f"no problem names {mutation.path!r}: {error.render()}")
    return Verdict(CLEAN_ERROR)


def _bare(path: str) -> str:
    """A grid's problem path names the grid field first, then the scenario's: keep the last."""
    return path.rsplit(": ", 1)[-1]


# -- the invariants of a run ----------------------------------------------------------------------


def check_tape(deal: Deal, market: Market, tape: Tape) -> None:
    """No NaN or infinity in any amount, then the accounting invariants."""
    records = {f"tranche.{k}": v for k, v in tape.tranche.items()}
    records |= {f"period.{k}": v for k, v in tape.period.items() if k not in RATIOS}
    records |= {f"account.{k}": v for k, v in tape.accounts.items()}
    records |= {f"ledger.{s}->{d}": v for (s, d), v in tape.ledger.flows.items()}
    for name, values in records.items():
        assert np.isfinite(values).all(), f"{name} is not finite at {np.argwhere(~np.isfinite(values))[:3].tolist()}"
    scale = max(float(np.abs(v).max(initial=0.0)) for v in records.values())
    tolerance = 1e-6 + ROUNDING * scale
    for name, values in records.items():
        if name in SIGNED:
            continue
        bad = values < -tolerance
        assert not bad.any(), f"negative {name} at {np.argwhere(bad)[:3].tolist()}: {values[bad][:3]}"
    check_conservation(deal, market, tape)
    check_balance_identity(deal, market, tape)
    check_not_overpaid(deal, market, tape, tolerance)


def check_not_overpaid(deal: Deal, market: Market, tape: Tape, tolerance: float) -> None:
    """No tranche receives more than it is owed, in all (original + draws + PIK + accrued interest)
    or in a period (interest above what was due, principal above the balance); ``tolerance``
    absorbs the rounding residue of large balances (``test_invariants.check_never_overpaid``
    with a tolerance scaled to the deal)."""
    t = tape.tranche
    lent = tape.original_balance[:, None] + t["drawn"].sum(axis=0) + t["pik"].sum(axis=0)
    owed = lent + interest_accrued(deal, market, tape).sum(axis=0)
    received = (t["principal_paid"] + t["interest_paid"]).sum(axis=0)
    bad = received > owed + tolerance + 1e-9 * owed
    where = np.argwhere(bad)[:3].tolist()
    assert not bad.any(), f"(tranche, path) {where} received {received[bad][:3]} > {owed[bad][:3]}"
    bad = t["interest_paid"] > t["interest_due"] + tolerance + 1e-9 * t["interest_due"]
    assert not bad.any(), f"more interest paid than due at {np.argwhere(bad)[:3].tolist()}"
    ceiling = t["balance_start"] + t["drawn"] + t["pik"]
    bad = t["principal_paid"] > ceiling + tolerance + 1e-9 * np.abs(ceiling)
    assert not bad.any(), f"more principal paid than owed at {np.argwhere(bad)[:3].tolist()}"


def check_tables(deal: Deal, tape: Tape) -> None:
    """The result tables build, hold no NaN (null instead) and no infinity outside the ratios."""
    dates = [deal.calendar.date_of(m) for m in range(tape.months)]
    built = {
        "cashflows": tables.cashflows(tape, dates),
        "periods": tables.periods(tape, dates),
        "ledger": tables.ledger(tape),
        "tranches": tables.tranche_outcomes(tape),
    }
    for name, frame in built.items():
        for column, dtype in frame.schema.items():
            if not dtype.is_float():
                continue
            values = frame[column].drop_nulls().to_numpy()
            assert not np.isnan(values).any(), f"{name}.{column} holds NaN (documented: never written)"
            if column not in RATIOS:
                assert not np.isinf(values).any(), f"{name}.{column} holds infinity"


def run_and_check(deal: Deal, market: Market) -> None:
    tape = run(deal, market)
    check_tape(deal, market, tape)
    check_tables(deal, tape)


# -- one file of each family ---------------------------------------------------------------------


def _outcome(mutation: Mutation, attempt: Callable[[], None], seconds: float) -> Verdict:
    try:
        with time_limit(seconds):
            attempt()
    except InputError as error:
        return judge_error(error, mutation)
    except HangError as exc:
        return Verdict(HANG, str(exc))
    except AssertionError as exc:
        return Verdict(VIOLATION, str(exc)[:2000])
    except Exception:
        return Verdict(CRASH, traceback.format_exc(limit=-6))
    return Verdict(RAN_CLEAN)


def _stressed(scenario: Scenario, deal: Deal) -> None:
    run_and_check(deal, generate(scenario, deal, SEED, 0, PATHS))


def try_deal(mutation: Mutation, where: Path, stress: Scenario, seconds: float = 60.0) -> Verdict:
    """A damaged deal file: loaded, then run on its base case and on a few paths of ``stress``."""
    file = where / "deal.toml"
    file.write_bytes(mutation.data)

    def attempt() -> None:
        deal = load_deal(file)
        run_and_check(deal, base_case(deal))
        _stressed(stress, deal)

    return _outcome(mutation, attempt, seconds)


def try_scenario(mutation: Mutation, where: Path, deal: Deal, seconds: float = 60.0) -> Verdict:
    """A damaged scenario file: loaded, then a few paths of ``deal`` run under it."""
    file = where / "scenario.toml"
    file.write_bytes(mutation.data)

    def attempt() -> None:
        _stressed(load_scenario(file), deal)

    return _outcome(mutation, attempt, seconds)


def try_grid(mutation: Mutation, where: Path, seconds: float = 60.0) -> Verdict:
    """A damaged grid file (in ``where``/grids, deals in ``where``/deals): loaded and expanded,
    then its first and last cells run on a few paths."""
    file = where / "grids" / "grid.toml"
    file.write_bytes(mutation.data)

    def attempt() -> None:
        cells = load_grid(file).cells
        for cell in {id(c): c for c in (cells[0], cells[-1])}.values():
            _stressed(cell.scenario, cell.deal)

    return _outcome(mutation, attempt, seconds)


def tally(verdicts: list[Verdict]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for verdict in verdicts:
        counts[verdict.outcome] += 1
    return counts
