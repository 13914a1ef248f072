"""Conditioning events: the "given" of a what-if run, as data, and how they force a market.

An event is a tagged union (``type = "default" | "rent" | "refinancing_closed"``), dated
by calendar month so one event means the same month for every deal of a portfolio:

- ``default``: the named tenant (or guarantor) defaults in ``month`` on every path. On a
  path where it already defaults earlier, the earlier date is kept: the event "it has
  defaulted by then" already happens there, so that path is unchanged.
- ``rent``: a generation's rent is at most ``level`` $/GPU-hour in ``month``. Each path
  whose rent is above the level then is rescaled from that month on by level / rent, so
  the level holds and the path's later moves stay its own; a path already at or below
  it is unchanged. Forcing every path (rather than keeping only the paths where it
  happens) keeps every path's weight and works for events too rare to sample.
- ``refinancing_closed``: the credit market is closed to refinancing from ``first`` to
  ``last`` (inclusive) on every path.

Events are applied inside market generation (``waterfall.market.generate``) after the
unconditional draws, to each block of paths, so the same seed gives the same
unconditional paths and conditioning never depends on chunk size. ``force_default`` is
the one place a tenant's default is forced: the obligor registry's forced default with
contagion replaces it there.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

import numpy as np
from attrs import evolve, frozen

from waterfall.errors import InputError, Problem
from waterfall.market.curves import Market
from waterfall.spec.deal import Deal


@frozen
class DefaultEvent:
    name: str
    month: dt.date
    type: Literal["default"] = "default"

    def __str__(self) -> str:
        return f"default:{self.name}@{self.month:%Y-%m}"


@frozen
class RentEvent:
    generation: str
    level: float
    month: dt.date
    type: Literal["rent"] = "rent"

    def __str__(self) -> str:
        return f"rent:{self.generation}<={self.level:g}@{self.month:%Y-%m}"


@frozen
class RefinancingClosed:
    first: dt.date
    last: dt.date
    type: Literal["refinancing_closed"] = "refinancing_closed"

    def __str__(self) -> str:
        return f"refinancing_closed:{self.first:%Y-%m}..{self.last:%Y-%m}"


Event = DefaultEvent | RentEvent | RefinancingClosed

_MONTH = r"(\d{4})-(\d{2})"


def _month(text: str, where: str, field: str) -> dt.date:
    match = re.fullmatch(_MONTH, text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InputError(where, [Problem(field, f"expected a month YYYY-MM, found {text!r}")])
    return dt.date(int(match[1]), int(match[2]), 1)


def _range(text: str, where: str, field: str) -> tuple[dt.date, dt.date]:
    """``2030`` (the year), ``2030-03`` (a month) or ``2030-03..2030-09``."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 1)
    first, _, last = text.partition("..")
    start, end = _month(first, where, field), _month(last or first, where, field)
    if end < start:
        raise InputError(where, [Problem(field, f"expected a range first..last in order, found {text!r}")])
    return start, end


GIVEN_FORMS = "default:NAME@YYYY-MM, rent:GENERATION<=LEVEL@YYYY-MM or refinancing_closed:YYYY[-MM][..YYYY-MM]"


def parse_given(text: str, where: str = "--given") -> Event:
    """One ``--given`` option's text as an event."""
    kind, sep, rest = text.partition(":")
    bad = Problem("", f"expected {GIVEN_FORMS}, found {text!r}")
    if not sep:
        raise InputError(where, [bad])
    if kind == "default":
        name, at, month = rest.rpartition("@")
        if not at or not name.strip():
            raise InputError(where, [bad])
        return DefaultEvent(name=name.strip(), month=_month(month, where, "month"))
    if kind == "rent":
        match = re.fullmatch(r"\s*([^<@]+?)\s*<=\s*([0-9.eE+-]+)\s*@\s*(\S+)\s*", rest)
        if match is None:
            raise InputError(where, [bad])
        try:
            level = float(match[2])
        except ValueError:
            raise InputError(where, [Problem("level", f"expected a number, found {match[2]!r}")]) from None
        if not level > 0 or not np.isfinite(level):
            raise InputError(where, [Problem("level", f"expected a positive rent, found {match[2]!r}")])
        return RentEvent(generation=match[1], level=level, month=_month(match[3], where, "month"))
    if kind == "refinancing_closed":
        first, last = _range(rest, where, "months")
        return RefinancingClosed(first=first, last=last)
    raise InputError(where, [bad])


def load_given(file: Path) -> list[Event]:
    """A TOML file of ``[[given]]`` tables, each with ``type`` and the event's fields:
    ``name``/``month``, ``generation``/``level``/``month``, or ``first``/``last`` (``YYYY-MM``)."""
    where = str(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(where, [Problem("", f"expected a readable TOML file, found {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, [Problem("", f"expected valid TOML, found {exc}")]) from None
    tables = data.get("given")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(where, [Problem("given", "expected an array of [[given]] tables, found none")])
    events: list[Event] = []
    for i, table in enumerate(tables):
        field = f"given[{i}]"
        need = {
            "default": ("name", "month"),
            "rent": ("generation", "level", "month"),
            "refinancing_closed": ("first",),
        }
        kind = table.get("type")
        if kind not in need:
            expected = "expected default, rent or refinancing_closed"
            raise InputError(where, [Problem(f"{field}.type", f"{expected}, found {kind!r}")])
        for key in need[kind]:
            if key not in table:
                raise InputError(where, [Problem(f"{field}.{key}", "expected a value, found none")])
        text = {k: str(v) for k, v in table.items()}
        if kind == "default":
            events.append(DefaultEvent(name=text["name"], month=_month(text["month"], where, f"{field}.month")))
        elif kind == "rent":
            level = table["level"]
            if isinstance(level, bool) or not isinstance(level, int | float) or not level > 0:
                raise InputError(where, [Problem(f"{field}.level", f"expected a positive rent, found {level!r}")])
            month = _month(text["month"], where, f"{field}.month")
            events.append(RentEvent(generation=text["generation"], level=float(level), month=month))
        else:
            first = _month(text["first"], where, f"{field}.first")
            last = _month(text.get("last", text["first"]), where, f"{field}.last")
            if last < first:
                raise InputError(
                    where, [Problem(f"{field}.last", f"expected a month from {first:%Y-%m}, found {last:%Y-%m}")]
                )
            events.append(RefinancingClosed(first=first, last=last))
    return events


def check_given(
    events: Iterable[Event],
    deals: list[Deal],
    start: dt.date,
    months: int,
    where: str = "--given",
    upstream: Iterable[str] = (),
) -> None:
    """Every event names a party and a generation the run has and a month in its horizon
    (``start`` is the run's first month, the earliest closing of a portfolio). ``upstream``:
    further obligors the run's parties depend on (the obligor registry), which may default too."""
    tenants = sorted({name for deal in deals for name in deal.counterparties} | set(upstream))
    generations = sorted({f.generation for deal in deals for f in deal.fleets})
    end = dt.date(start.year + (start.month - 1 + months - 1) // 12, (start.month - 1 + months - 1) % 12 + 1, 1)
    problems: list[Problem] = []

    def in_horizon(field: str, month: dt.date) -> None:
        if not start <= month <= end:
            expected = f"expected a month from closing {start:%Y-%m} to the horizon {end:%Y-%m}"
            problems.append(Problem(field, f"{expected}, found {month:%Y-%m}"))

    for event in events:
        field = str(event)
        if isinstance(event, DefaultEvent):
            if event.name not in tenants:
                found = f"found {event.name!r}"
                problems.append(
                    Problem(
                        field, f"expected a tenant or guarantor of the run ({', '.join(tenants) or 'none'}), {found}"
                    )
                )
            in_horizon(field, event.month)
        elif isinstance(event, RentEvent):
            if event.generation not in generations:
                shown = ", ".join(generations) or "none: the run has no GPU fleets"
                problems.append(
                    Problem(field, f"expected a GPU generation of the run ({shown}), found {event.generation!r}")
                )
            in_horizon(field, event.month)
        else:
            # one problem per event: the first month out of the horizon
            in_horizon(field, event.first if not start <= event.first <= end else event.last)
    if problems:
        raise InputError(where, problems)


def force_default(defaults: dict[str, np.ndarray], name: str, month: int) -> dict[str, np.ndarray]:
    """``name`` defaults by ``month`` on every path: an earlier default is kept.

    The seam for the obligor registry: its forced default with contagion replaces this."""
    if name not in defaults:
        return defaults  # a portfolio deal this party is not in
    current = defaults[name]
    forced = np.where((current >= 0) & (current <= month), current, month)
    return {**defaults, name: forced.astype(current.dtype)}


def condition_rent(rent: np.ndarray, level: float, month: int) -> np.ndarray:
    """Rent at most ``level`` in ``month`` on every path, by scaling each path above it from then on."""
    if not 0 <= month < rent.shape[1]:
        return rent
    scale = np.minimum(1.0, level / rent[:, month])
    out = rent.copy()
    out[:, month:] *= scale[:, None]
    return out


DefaultForcer = Callable[[dict[str, np.ndarray], str, int], dict[str, np.ndarray]]


@frozen
class Given:
    """A run's conditioning events; empty means the unconditional run."""

    events: tuple[Event, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.events)

    def rents(self, deal: Deal, rents: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The rent events, before anything read from rent (fleet values, haircuts) is computed."""
        out = dict(rents)
        for event in self.events:
            if isinstance(event, RentEvent) and event.generation in out:
                out[event.generation] = condition_rent(
                    out[event.generation], event.level, deal.calendar.month_of(event.month)
                )
        return out

    def default_months(self, deal: Deal) -> dict[str, int]:
        """The default events on ``deal``'s clock, by party: the earliest month where one is named twice.

        With the obligor registry on, market generation forces these among the obligors so that
        contagion follows from them (``waterfall.market.factors.contagion``)."""
        out: dict[str, int] = {}
        for event in self.events:
            if isinstance(event, DefaultEvent):
                month = deal.calendar.month_of(event.month)
                out[event.name] = min(month, out.get(event.name, month))
        return out

    def market(self, deal: Deal, market: Market, forcer: DefaultForcer = force_default) -> Market:
        """The default and refinancing events on a generated market on ``deal``'s clock."""
        defaults, window = market.tenant_default, market.refinancing_open
        months = deal.calendar.horizon_months
        for event in self.events:
            if isinstance(event, DefaultEvent):
                defaults = forcer(defaults, event.name, deal.calendar.month_of(event.month))
            elif isinstance(event, RefinancingClosed):
                window = np.ones((market.paths, months), dtype=bool) if window is None else window.copy()
                first = max(0, deal.calendar.month_of(event.first))
                last = deal.calendar.month_of(event.last)
                window[:, first : last + 1] = False
        return evolve(market, tenant_default=defaults, refinancing_open=window)


UNCONDITIONAL = Given()
