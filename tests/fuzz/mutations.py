"""Hypothesis strategies that damage a shipped input file in one way a user (or a disk) might.

A mutation starts from a shipped file, parsed, and changes one thing: deletes a
key, adds an unknown key at some level, gives a term a value of the wrong kind,
NaN or infinity, a huge, tiny or negative number, odd text (unicode, control
characters, path separators, very long), a duplicate name, a reference to
something that does not exist, a wrong union tag, a malformed date, or damages a
list; or it damages the file's bytes (flips, inserts, deletes, invalid UTF-8) or
truncates it. Each mutation records where it struck (a field path in the
loader's own notation, ``tranches[1].coupon.rate``), so the harness can insist
that an error names that place.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from attrs import frozen
from hypothesis import strategies as st

from tests.fuzz.toml_text import dumps
from waterfall.errors import key_path
from waterfall.spec.load import TAGGED_UNIONS

Key = str | int
Path = tuple[Key, ...]

KINDS = (
    "delete_key",
    "unknown_key",
    "wrong_type",
    "non_finite",
    "extreme_number",
    "odd_text",
    "duplicate_name",
    "dangling_reference",
    "wrong_tag",
    "bad_date",
    "list_damage",
    "byte_damage",
    "truncation",
)
REFERENCE_KEYS = frozenset(
    {
        "tranche",
        "tranches",
        "account",
        "reserve",
        "fleet",
        "fee",
        "lease",
        "holding",
        "index",
        "generation",
        "generations",
        "asset",
        "tenant",
        "guarantor",
        "sponsor",
        "amortise_with",
        "deal",
        "deals",
        "scenarios",
        "parameter",
        "reference",
    }
)
DATE_TEXT = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
ALL_TAGS = sorted({tag for _, tags in TAGGED_UNIONS for tag in tags.values()})


@frozen
class Mutation:
    """One damaged file: how, where (a field path, '' for the file itself), and its bytes.

    ``located``: the damage is one the loader must report at (or around) ``path``: a
    value of another kind, a non-finite number, an unknown key or tag, a date that is no
    month. A well-formed value that is merely wrong (a name, a number out of range, a valid
    but distant month) may be refused by a check that names another term it contradicts.
    """

    kind: str
    path: str
    data: bytes
    located: bool = False


def field_path(path: Path) -> str:
    """``("tranches", 1, "coupon")`` -> ``tranches[1].coupon``, as the loader writes paths
    (a key that is not a bare TOML key in double quotes)."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
            continue
        text = key_path(text, key)
    return text


def walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every node below ``node`` with its path (the root excluded)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield (*path, key), child
        yield from walk(child, (*path, key))


def _get(tree: Any, path: Path) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _set(tree: Any, path: Path, new: Any) -> None:
    _get(tree, path[:-1])[path[-1]] = new


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) or (isinstance(value, str) and bool(DATE_TEXT.match(value)))


def _is_month(value: Any) -> bool:
    """A value the loader reads as a month: a TOML date, or "YYYY-MM" of a real month, 1900 to 2999."""
    if isinstance(value, dt.date):
        return not isinstance(value, dt.datetime) and 1900 <= value.year <= 2999
    return isinstance(value, str) and bool(re.match(r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$", value))


def _kind_of(value: Any) -> str:
    """The kind of a TOML value as the loader tells them apart (an int is a number too)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dt.datetime):
        return "datetime"
    if _is_month(value):  # a TOML date stands for a month as "YYYY-MM" does
        return "month"
    return type(value).__name__


def _last_key(path: Path) -> str | None:
    keys = [k for k in path if isinstance(k, str)]
    return keys[-1] if keys else None


# -- values ------------------------------------------------------------------------------------

names = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "C"]), max_size=24)
odd_texts = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\t\n",
            "a\x1bb",
            "名前",
            "Ünïcødé",
            "😀",
            "\u202etxet",
            "../../etc",
            "a/b",
            "a\\b",
            "CON",
            ".hidden",
            "-dash",
            "x" * 5000,
            "operating",
            "equity",
            "[bold]x[/bold]",
            "%s%n",
        ]
    ),
    names,
)
huge_or_small = st.sampled_from(
    [
        0,
        0.0,
        -0.0,
        -1,
        -1.0,
        -0.5,
        -1e9,
        1e-300,
        5e-324,
        1e15,
        1e18,
        1e300,
        1.7976931348623157e308,
        -1e300,
        2**31,
        2**53 + 1,
        2**63 - 1,
        2**63,
        2**64,
        10**30,
        -(10**30),
        10**400,
        1_000_000,
        10_000,
        5.0,
        500.0,
    ]
)
bad_dates = st.sampled_from(
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-01",
        "2026/01",
        "2026-01-01",
        "2026-01-32",
        "0000-01",
        "0001-01",
        "9999-12",
        "1900-01",
        "",
        "January 2026",
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(2026, 1, 1, 12, 30),
        202601,
        2026.01,
    ]
)
scalars = st.one_of(
    names,
    st.integers(-(2**64), 2**64),
    st.floats(),
    st.booleans(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
)
wrong_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["type", "name", "x", "amount"]), scalars, max_size=2),
)
unknown_keys = st.one_of(
    st.sampled_from(["colour", "Name", "TYPE", "balance_", "extra", "notes", "x", "", " ", "ä", "1"]),
    st.text(st.characters(codec="utf-8", categories=["L", "N", "P"]), max_size=12),
)


# -- mutations of the parsed document -------------------------------------------------------------


@st.composite
def _tree_mutation(draw: st.DrawFn, raw: dict[str, Any], kind: str) -> tuple[dict[str, Any], Path, bool] | None:
    """``raw`` changed by ``kind``, the path struck and whether the damage is located there
    (see ``Mutation``), or None when the file has no such place."""
    tree = copy.deepcopy(raw)
    nodes = list(walk(tree))
    if kind == "delete_key":
        keyed = [p for p, _ in nodes if isinstance(p[-1], str)]
        path = draw(st.sampled_from(keyed))
        del _get(tree, path[:-1])[path[-1]]
        return tree, path, False
    if kind == "unknown_key":
        tables = [(), *(p for p, v in nodes if isinstance(v, dict))]
        at = draw(st.sampled_from(tables))
        table = _get(tree, at)
        key = draw(unknown_keys.filter(lambda k: k not in table))
        table[key] = draw(scalars)
        return tree, (*at, key), True
    if kind == "wrong_type":
        path = draw(st.sampled_from([p for p, _ in nodes]))
        old, new = _get(tree, path), draw(wrong_values)
        _set(tree, path, new)
        return tree, path, _kind_of(old) != _kind_of(new)
    if kind in ("non_finite", "extreme_number"):
        numbers = [p for p, v in nodes if _is_number(v)]
        if not numbers:
            return None
        path = draw(st.sampled_from(numbers))
        non_finite = st.sampled_from([float("nan"), float("inf"), float("-inf")])
        new = draw(non_finite if kind == "non_finite" else huge_or_small)
        _set(tree, path, new)
        return tree, path, kind == "non_finite"
    if kind == "odd_text":
        texts = [p for p, v in nodes if isinstance(v, str)]
        if not texts:
            return None
        path = draw(st.sampled_from(texts))
        _set(tree, path, draw(odd_texts))
        return tree, path, False
    if kind == "duplicate_name":
        named = [p for p, v in nodes if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        lists = [p for p in named if all("name" in x for x in _get(tree, p))]
        if not lists:
            return None
        at = draw(st.sampled_from(lists))
        items = _get(tree, at)
        if len(items) > 1 and draw(st.booleans()):
            i, j = draw(st.permutations(range(len(items))))[:2]
            items[j]["name"] = items[i]["name"]
            return tree, (*at, j, "name"), False
        items.append(copy.deepcopy(draw(st.sampled_from(items))))
        return tree, (*at, len(items) - 1), False
    if kind == "dangling_reference":
        refs = [p for p, v in nodes if isinstance(v, str) and _last_key(p) in REFERENCE_KEYS]
        if not refs:
            return None
        path = draw(st.sampled_from(refs))
        _set(tree, path, draw(st.sampled_from(["missing", "no_such_thing", "t9", "H999", "base2", "x.toml"])))
        return tree, path, False
    if kind == "wrong_tag":
        tags = [p for p, v in nodes if p[-1] == "type" and isinstance(v, str)]
        if not tags:
            return None
        path = draw(st.sampled_from(tags))
        _set(tree, path, draw(st.one_of(st.sampled_from(ALL_TAGS), names)))
        return tree, path[:-1], True  # another tag asks for other keys: the error may name any of the table
    if kind == "bad_date":
        dates = [p for p, v in nodes if _is_date(v)]
        if not dates:
            return None
        path = draw(st.sampled_from(dates))
        new = draw(bad_dates)
        _set(tree, path, new)
        return tree, path, not _is_month(new)
    if kind == "list_damage":
        lists = [p for p, v in nodes if isinstance(v, list)]
        if not lists:
            return None
        path = draw(st.sampled_from(lists))
        items = _get(tree, path)
        how = draw(st.sampled_from(["empty", "drop", "repeat", "reverse"]))
        if how == "empty" or not items:
            items.clear()
        elif how == "drop":
            del items[draw(st.integers(0, len(items) - 1))]
        elif how == "repeat":
            items.append(copy.deepcopy(items[draw(st.integers(0, len(items) - 1))]))
        else:
            items.reverse()
        return tree, path, False
    raise ValueError(f"unknown mutation kind {kind!r}")


@st.composite
def _byte_mutation(draw: st.DrawFn, text: bytes, kind: str) -> bytes:
    if kind == "truncation":
        return text[: draw(st.integers(0, max(len(text) - 1, 0)))]
    data = bytearray(text)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["flip", "insert", "delete", "invalid_utf8", "nul"]))
        if how == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif how == "invalid_utf8":
            data[at:at] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82"]))
        else:
            data[at:at] = b"\x00"
    return bytes(data)


@st.composite
def mutations(draw: st.DrawFn, raw: dict[str, Any], text: bytes, kinds: tuple[str, ...] = KINDS) -> Mutation:
    """One damaged copy of a file (``raw`` parsed from ``text``)."""
    kind = draw(st.sampled_from(kinds))
    if kind in ("byte_damage", "truncation"):
        return Mutation(kind, "", draw(_byte_mutation(text, kind)))
    changed = draw(_tree_mutation(raw, kind))
    if changed is None:  # nothing of that kind in this file: damage its bytes instead
        return Mutation("byte_damage", "", draw(_byte_mutation(text, "byte_damage")))
    tree, path, located = changed
    return Mutation(kind, field_path(path), dumps(tree).encode("utf-8"), located)
