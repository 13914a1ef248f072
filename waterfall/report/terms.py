"""The terms of a deal file with the comments that source them, for the report's
"assumptions and sources" section.

A TOML parser drops comments, and in the deal library the comments are where
the sources live (``# S12``, URLs, ``assumption: ...``). So the copied deal file
is read line by line: each table header opens a section (with the comment block
above it as its note), and each ``key = value`` line becomes a term with its
trailing comment; a comment block standing just above a key is kept with it.
Values spanning several lines (the waterfall's step lists) are folded into one.
"""

from __future__ import annotations

import re

from attrs import field, frozen

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#\s?(.*))?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=\s*(.*)$")


@frozen
class Term:
    key: str
    value: str
    source: str  # the trailing comment, and any comment block standing just above the key


@frozen
class Section:
    name: str  # "" for the top-level keys, "tranches[1]" for the second [[tranches]]
    note: str
    terms: list[Term] = field(factory=list)


def _split_comment(text: str) -> tuple[str, str]:
    """Split ``value  # comment`` at the first ``#`` outside a string."""
    quote = None
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return text[:i].rstrip(), text[i + 1 :].strip()
    return text.rstrip(), ""


def _depth(text: str) -> int:
    """Brackets and braces left open by ``text`` (strings skipped)."""
    depth, quote = 0, None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth


def deal_terms(text: str) -> list[Section]:
    """Sections of a deal file, in file order, with every term and its source comments."""
    sections = [Section("", "")]
    counts: dict[str, int] = {}
    pending: list[str] = []  # the comment block read since the last key or header
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            if len(sections) == 1 and not sections[0].terms:  # the file's opening comment describes the deal
                sections[0] = Section("", " ".join([sections[0].note, *pending]).strip())
            pending = []  # a blank line ends a comment block: it belongs to nothing below
            continue
        if line.startswith("#"):
            pending.append(line.lstrip("#").strip())
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = header.group(2)
            if header.group(1) == "[[":
                counts[name] = counts.get(name, 0) + 1
                name = f"{name}[{counts[name] - 1}]"
            note = " ".join(pending + ([header.group(3)] if header.group(3) else []))
            sections.append(Section(name, note))
            pending = []
            continue
        key = _KEY.match(line)
        if not key:
            continue
        value, comment = _split_comment(key.group(2))
        comments = [comment] if comment else []
        while _depth(value) > 0 and i < len(lines):  # a value over several lines
            more, more_comment = _split_comment(lines[i].strip())
            i += 1
            value = f"{value} {more}".strip()
            comments += [more_comment] if more_comment else []
        source = " ".join(pending + comments)
        sections[-1].terms.append(Term(key.group(1), value, source))
        pending = []
    return [s for s in sections if s.terms or s.note]
