"""Reading deal files: TOML -> frozen ``Deal``, with path-level errors.

One cattrs converter structures the whole tree. Its hooks are strict (an int
field refuses 3.5, a number refuses "abc", a typo'd key is an error) because a
term sheet read wrongly is worse than one refused.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from waterfall.errors import InputError, Problem, key_path
from waterfall.spec import (
    account,
    collection,
    construction,
    costs,
    covenant,
    guarantee,
    hedge,
    lease,
    reinvestment,
    steps,
    terminal,
    tranche,
)
from waterfall.spec.bounds import MAX_MAGNITUDE
from waterfall.spec.calendar import Day
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.tapes import attach_tapes

TAGGED_UNIONS: list[tuple[Any, dict[type, str]]] = [
    (lease.Rent, lease.RENT_TAGS),
    (costs.FeeBasis, costs.FEE_TAGS),
    (account.Account, account.ACCOUNT_TAGS),
    (tranche.Coupon, tranche.COUPON_TAGS),
    (tranche.Amortisation, tranche.AMORTISATION_TAGS),
    (covenant.Covenant, covenant.COVENANT_TAGS),
    (steps.Step, steps.STEP_TAGS),
    (guarantee.Guarantee, guarantee.GUARANTEE_TAGS),
    (hedge.Hedge, hedge.HEDGE_TAGS),
    (construction.OverrunFunding, construction.FUNDING_TAGS),
    (terminal.CampusValue, terminal.CAMPUS_VALUE_TAGS),
    (reinvestment.ReinvestmentRate, reinvestment.REINVESTMENT_TAGS),
    (collection.CollectionPeriodEnd, collection.COLLECTION_TAGS),
]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH, LAST_MONTH = dt.date(1900, 1, 1), dt.date(2999, 12, 1)


class MismatchError(ValueError):
    """A value of the wrong kind; its message is already 'expected ..., found ...'."""


def _found(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _within_limit(value: float) -> None:
    if abs(value) > MAX_MAGNITUDE:
        raise MismatchError(f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, found {_found(value)}")


def _number(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MismatchError(f"expected a number, found {_found(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise MismatchError(f"expected a finite number, found {_found(value)}")
    _within_limit(value)
    return float(value)


def _integer(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MismatchError(f"expected a whole number, found {_found(value)}")
    _within_limit(value)
    return value


def _text(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise MismatchError(f"expected text, found {_found(value)}")
    return value


def _flag(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise MismatchError(f"expected true or false, found {_found(value)}")
    return value


def _month(value: object, _: type) -> dt.date:
    """A month as "YYYY-MM" (a TOML date is accepted and its day ignored), from 1900 to 2999:
    beyond every deal, and a 1,200-month horizon from the last one still ends before 9999
    (year 0 has no date at all; years before 1000 print without their leading zeros)."""
    month = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        month = value.replace(day=1)
    elif isinstance(value, str) and (m := _MONTH.match(value)) and 1 <= int(m[2]) <= 12 and int(m[1]) >= 1:
        month = dt.date(int(m[1]), int(m[2]), 1)
    if month is None:
        raise MismatchError(f'expected a month "YYYY-MM", found {_found(value)}')
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise MismatchError(f"expected a month from 1900-01 to 2999-12, found {_found(value)}")
    return month


def _day(value: object, _: type) -> dt.date:
    """A calendar day: a TOML date (``2026-01-15``) or "YYYY-MM-DD"."""
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            day = None
    if day is None:
        raise MismatchError(f'expected a day "YYYY-MM-DD", found {_found(value)}')
    if not FIRST_MONTH <= day.replace(day=1) <= LAST_MONTH:
        raise MismatchError(f"expected a day from 1900-01-01 to 2999-12-31, found {_found(value)}")
    return day


def _literal(kind: Any) -> Any:
    allowed = get_args(kind)

    def structure(value: object, _: type) -> object:
        if value not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            raise MismatchError(f"expected one of {choices}, found {_found(value)}")
        return value

    return structure


def _tagged(converter: cattrs.Converter, tags: dict[type, str]) -> Any:
    by_tag = {tag: cls for cls, tag in tags.items()}
    choices = ", ".join(repr(t) for t in by_tag)

    def structure(value: object, _: type) -> object:
        if not isinstance(value, dict):
            raise MismatchError(f"expected a table with type = {choices}, found {_found(value)}")
        if "type" not in value:
            raise MismatchError(f"expected a key 'type' (one of {choices}), found none")
        cls = by_tag.get(value["type"]) if isinstance(value["type"], str) else None
        if cls is None:
            raise MismatchError(f"expected type one of {choices}, found {_found(value['type'])}")
        rest = {k: v for k, v in value.items() if k != "type"}
        return converter.structure(rest, cls)

    return structure


def _shape_hooks(converter: cattrs.Converter) -> None:
    """Tables, lists and maps that check their shape first, so a value of the wrong
    shape is named ("expected a list, found 'senior'") instead of being iterated
    character by character or indexed like a table."""

    def table(kind: Any) -> Any:
        inner = make_dict_structure_fn(
            kind, converter, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
        )

        def structure(value: object, _: Any) -> object:
            if not isinstance(value, dict):
                raise MismatchError(f"expected a table, found {_found(value)}")
            return inner(value, kind)

        return structure

    def sequence(kind: Any) -> Any:
        item = get_args(kind)[0]

        def structure(value: object, _: Any) -> object:
            if not isinstance(value, list):
                raise MismatchError(f"expected a list, found {_found(value)}")
            return tuple(_each(converter, enumerate(value), item, kind))

        return structure

    def mapping(kind: Any) -> Any:
        key, item = get_args(kind)

        def structure(value: object, _: Any) -> object:
            if not isinstance(value, dict):
                raise MismatchError(f"expected a table, found {_found(value)}")
            names = [converter.structure(k, key) for k in value]
            return dict(zip(names, _each(converter, value.items(), item, kind), strict=True))

        return structure

    converter.register_structure_hook_factory(attrs.has, table)
    converter.register_structure_hook_factory(lambda t: get_origin(t) is tuple, sequence)
    converter.register_structure_hook_factory(lambda t: get_origin(t) is dict, mapping)


def _each(converter: cattrs.Converter, items: Any, item: Any, kind: Any) -> list[Any]:
    """Structure every element, collecting all failures with their index or key."""
    out, errors = [], []
    for index, value in items:
        try:
            out.append(converter.structure(value, item))
        except Exception as exc:
            exc.add_note(IterableValidationNote(f"Structuring {kind} @ {index!r}", index, item))
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {kind}", errors, kind)
    return out


def _sizing_rate(value: object, _: type) -> object:
    """A level annuity's sizing rate: an annual rate or one of the named rules."""
    if isinstance(value, str) and value in tranche.SIZING_RATES:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    choices = ", ".join(repr(r) for r in tranche.SIZING_RATES)
    raise MismatchError(f"expected an annual rate or one of {choices}, found {_found(value)}")


def make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    _shape_hooks(converter)
    converter.register_structure_hook(float, _number)
    converter.register_structure_hook(int, _integer)
    converter.register_structure_hook(str, _text)
    converter.register_structure_hook(bool, _flag)
    converter.register_structure_hook(dt.date, _month)
    converter.register_structure_hook(Day, _day)
    converter.register_structure_hook_func(lambda t: get_origin(t) is Literal, lambda v, t: _literal(t)(v, t))
    for union, tags in TAGGED_UNIONS:
        converter.register_structure_hook(union, _tagged(converter, tags))
        # an optional tagged term: TOML has no null, so a present value is always tagged
        converter.register_structure_hook(union | None, _tagged(converter, tags))
    converter.register_structure_hook_func(lambda t: t == tranche.SizingRate | None, _sizing_rate)
    return converter


CONVERTER = make_converter()


def register_union(union: Any, tags: dict[type, str]) -> None:
    """Teach the converter a tagged union declared outside the deal language (scenario models)."""
    CONVERTER.register_structure_hook(union, _tagged(CONVERTER, tags))


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten cattrs' exception groups into located problems."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        found: list[Problem] = []
        located, unlocated = exc.group_exceptions()
        for sub, note in located:
            found += _problems(sub, _child_path(path, note))
        for sub in unlocated:
            found += _problems(sub, path)
        return found
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = sorted(f.name for f in attrs.fields(exc.cl))
        expected = f"expected one of {', '.join(allowed)}" if allowed else "expected no keys here besides type"
        return [
            Problem(key_path(path, key), f"unknown key; {expected}, found {key!r}") for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        return [Problem(path, "required term missing")]
    if isinstance(exc, MismatchError):
        return [Problem(path, str(exc))]
    if isinstance(exc, TypeError | ValueError | AttributeError):
        return [Problem(path, f"expected a different kind of value ({exc})")]
    raise exc


def _child_path(path: str, note: Any) -> str:
    name = getattr(note, "name", None)
    if name is not None:
        return key_path(path, str(name))
    index = getattr(note, "index", None)
    if index is not None:
        return key_path(path, index) if isinstance(index, str) else f"{path}[{index}]"
    return path


def structure(raw: dict[str, Any], cls: type, file: str) -> Any:
    """Structure a parsed TOML document into ``cls`` or raise ``InputError``."""
    try:
        return CONVERTER.structure(raw, cls)
    except (ClassValidationError, IterableValidationError, MismatchError) as exc:
        raise InputError(file, _problems(exc, "")) from None


def exists(path: Path) -> bool:
    """Whether ``path`` names something, False for a name no file can have (too long, a NUL)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(str(path), [Problem("", "file not found")]) from None
    except OSError as exc:
        raise InputError(str(path), [Problem("", f"cannot read file ({exc.strerror})")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), [Problem("", f"not valid TOML: {exc}")]) from None
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        raise InputError(str(path), [Problem("", f"expected UTF-8 text, found an undecodable {where}")]) from None
    except ValueError:  # after its subclasses above: open() refuses a name holding a NUL
        raise InputError(repr(str(path)), [Problem("", "cannot read file (its name holds a NUL character)")]) from None


def load_deal(path: str | Path) -> Deal:
    """Read, structure and check a deal file; tapes are read relative to it."""
    path = Path(path)
    raw = read_toml(path)
    deal = structure(raw, Deal, str(path))
    deal = attach_tapes(deal, path.parent, str(path))
    problems = check_deal(deal)
    if problems:
        raise InputError(str(path), problems)
    return deal


__all__ = ["CONVERTER", "exists", "load_deal", "read_toml", "structure"]
