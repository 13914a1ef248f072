"""Fixtures for driving the installed ``waterfall`` command as a user would.

Every test runs the console script in a subprocess, in a temporary working
directory, with output piped (so rich renders plain text, as in CI logs). Bad
deal files are the shipped examples with one textual edit.

Helpers are fixtures rather than importable functions so the tests work under
any pytest import mode.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

DEALS = Path(__file__).resolve().parents[2] / "deals"
SCRIPT = Path(sys.executable).parent / "waterfall"

# a user mistake exits with this status; a traceback exits with 1
USER_ERROR = 2

Result = subprocess.CompletedProcess[str]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    return env


def run_cli(*args: str | Path, cwd: Path) -> Result:
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    return subprocess.run(
        [str(SCRIPT), *(str(a) for a in args)],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def show(result: Result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def deal_text(base: str) -> str:
    return (DEALS / f"{base}.toml").read_text(encoding="utf-8")


def edit(text: str, pattern: str, new: str, occurrence: int | None = None) -> str:
    """Replace one match of the regex ``pattern`` (multiline) with the literal ``new``.

    Patterns anchor on keys, not values, so the example deals' economics may
    change without breaking the edits. With ``occurrence=None`` the pattern must
    match exactly once; otherwise the ``occurrence``-th match (from 0) is replaced.
    A pattern that no longer matches fails loudly: a changed example deal cannot
    silently turn a bad-input test into a test of a good deal.
    """
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    if occurrence is None:
        assert len(matches) == 1, f"expected one match of {pattern!r} in the example deal, found {len(matches)}"
        occurrence = 0
    assert len(matches) > occurrence, f"expected a match #{occurrence} of {pattern!r}, found {len(matches)} matches"
    match = matches[occurrence]
    return text[: match.start()] + new + text[match.end() :]


@pytest.fixture(scope="session")
def deals_dir() -> Path:
    return DEALS


@pytest.fixture(scope="session")
def run_waterfall() -> Callable[..., Result]:
    """``run_waterfall("run", deal, "--out", target, cwd=some_dir)``."""
    return run_cli


@pytest.fixture(scope="session")
def run_waterfall_all() -> Callable[[list[tuple[tuple[str | Path, ...], Path]]], list[Result]]:
    """Run many ``(args, cwd)`` commands concurrently (each is mostly interpreter start-up)."""

    def run_all(commands: list[tuple[tuple[str | Path, ...], Path]]) -> list[Result]:
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            return list(pool.map(lambda command: run_cli(*command[0], cwd=command[1]), commands))

    return run_all


@pytest.fixture(scope="session")
def deal_source() -> Callable[[str], str]:
    """The text of a shipped example deal: ``deal_source("campus_15y")``."""
    return deal_text


@pytest.fixture(scope="session")
def edit_text() -> Callable[..., str]:
    """``edit_text(text, pattern, new, occurrence=None)``: see ``edit``."""
    return edit


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """``cli("validate", "deal.toml")`` runs the command with ``tmp_path`` as cwd."""

    def run(*args: str | Path, cwd: Path | None = None) -> Result:
        return run_cli(*args, cwd=cwd or tmp_path)

    return run


@pytest.fixture
def write_deal(tmp_path: Path) -> Callable[..., Path]:
    """``write_deal("gpu_lease_spv", (pattern, new), name="x.toml")``: an edited copy in tmp_path.

    Each edit is ``(pattern, new)`` or ``(pattern, new, occurrence)``, as for ``edit``.
    """

    def write(base: str, *edits: tuple, name: str | None = None) -> Path:
        text = deal_text(base)
        for pattern, new, *occurrence in edits:
            text = edit(text, pattern, new, *occurrence)
        target = tmp_path / (name or f"{base}.toml")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    return write


@pytest.fixture(scope="session")
def assert_no_traceback() -> Callable[[Result], None]:
    def check(result: Result) -> None:
        assert "Traceback" not in result.stderr + result.stdout, show(result)

    return check


@pytest.fixture(scope="session")
def problem_lines() -> Callable[[Result, str, str], list[str]]:
    """The stderr lines reporting a problem in ``file`` at field ``path`` ('' for the file)."""

    def lines(result: Result, file: str, path: str) -> list[str]:
        prefix = f"{file}: {path}: " if path else f"{file}: "
        stripped = (line.strip() for line in result.stderr.splitlines())
        return [line for line in stripped if line.startswith(prefix)]

    return lines


@pytest.fixture(scope="session")
def user_error(
    assert_no_traceback: Callable[[Result], None],
    problem_lines: Callable[[Result, str, str], list[str]],
) -> Callable[..., list[str]]:
    """``user_error(result, file, path, *fragments, wording=True)`` asserts a reported mistake.

    Exit status 2, no traceback, and a ``file: path: ...`` line on stderr holding
    every fragment; with ``wording`` the line also reads ``expected ..., found ...``
    as the CLI documents. Returns the matching lines.
    """

    def check(result: Result, file: str, path: str, *fragments: str, wording: bool = True) -> list[str]:
        assert result.returncode == USER_ERROR, show(result)
        assert_no_traceback(result)
        prefix = f"{file}: {path}: " if path else f"{file}: "
        lines = problem_lines(result, file, path)
        assert lines, f"no stderr line starts with {prefix!r}\n{show(result)}"
        for fragment in fragments:
            assert any(fragment in line for line in lines), f"no {prefix!r} line contains {fragment!r}\n{show(result)}"
        if wording:
            assert any(re.search(r"\bexpected\b.*\bfound\b", line) for line in lines), (
                f"the {prefix!r} problem is not worded 'expected ..., found ...'\n{show(result)}"
            )
        return lines

    return check
