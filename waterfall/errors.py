"""User-facing errors: what was wrong, where in which file, expected vs found."""

from __future__ import annotations

import re
from pathlib import Path

from attrs import frozen

# a key that is not a bare TOML key is quoted in a field path, as TOML writes it, so that an
# empty, dotted or spaced key still names one place: credit.tenants."Tenant A".hazard
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(path: str, key: str) -> str:
    """The field path of table ``key`` inside ``path``."""
    shown = key if _BARE_KEY.match(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{path}.{shown}" if path else shown


@frozen
class Problem:
    """One mistake in an input file, located by its field path (``tranches[1].coupon``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(Exception):
    """A user's input file is wrong; carries every problem found, not just the first."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.file}: {len(self.problems)} problem(s)"]
        lines += [f"  {self.file}: {p}" for p in self.problems]
        return "\n".join(lines)


def unwritable(
    target: str | Path, exc: OSError, option: str = "--out", expected: str = "a writable directory"
) -> InputError:
    """The user error for an output directory that cannot be written (or has no space left)."""
    return InputError(str(target), [Problem(option, f"expected {expected}, found {exc.strerror or exc}")])
