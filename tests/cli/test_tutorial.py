"""docs/tutorial.md runs as written: every block in order, in an empty folder, as a reader would.

``sh`` blocks: each line a command, exit status 0 unless the line ends ``# exits N``.
``toml`` blocks that start ``# file: NAME``: written to NAME, later ones added to its end.
``python`` blocks: one session, as in a notebook (assertions in them check the prose's figures).
``text`` blocks: output shown; each of its lines must be in what the ``sh`` block before it printed.
Every ``out/...`` path the prose names must exist at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", flags=re.MULTILINE | re.DOTALL)
FILE = re.compile(r"\A# file: (\S+)\n")
EXITS = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")
OUTPUT = re.compile(r"`(out/[^`\s]+)`")
LANGUAGES = {"sh", "toml", "python", "text"}


def blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def prose(text: str) -> str:
    return FENCE.sub("", text)


def commands(block: str) -> list[tuple[str, int]]:
    """Each command of a ``sh`` block (backslash continuations joined) with the exit status it must end with."""
    joined = block.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expected = EXITS.search(line)
        found.append((line, int(expected.group(1)) if expected else 0))
    return found


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS")}
    return {**env, "NO_COLOR": "1", "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}


def test_the_tutorial_s_blocks_are_of_the_kinds_the_runner_knows() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    found = blocks(text)
    assert {kind for kind, _ in found} <= LANGUAGES, "a block of an unknown kind would be silently skipped"
    assert text.count("```") == 2 * len(found), "an unbalanced fence would hide blocks from the runner"
    for kind, body in found:
        if kind == "toml":
            assert FILE.match(body), f"a toml block without '# file: NAME' is never written:\n{body[:200]}"
    kinds = [kind for kind, _ in found]
    assert kinds.count("sh") >= 6 and kinds.count("python") >= 5 and kinds.count("toml") >= 10


def test_the_tutorial_runs_from_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    session: dict[str, object] = {"__name__": "__tutorial__"}
    printed = ""  # what the last sh block's commands printed
    for number, (kind, body) in enumerate(blocks(text)):
        where = f"{TUTORIAL.name} block {number} ({kind})"
        if kind == "sh":
            printed = ""
            for command, status in commands(body):
                done = subprocess.run(
                    ["bash", "-c", command],
                    cwd=tmp_path,
                    env=environment(),
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                assert done.returncode == status, f"{where}: {command!r} exited {done.returncode}\n{done.stderr}"
                assert "Traceback" not in done.stderr, f"{where}: {command!r}\n{done.stderr}"
                printed += done.stdout + done.stderr
        elif kind == "text":
            shown = [line.strip() for line in body.splitlines() if line.strip()]
            lines = {line.strip() for line in printed.splitlines()}
            assert all(line in lines for line in shown), f"{where}: shown output not printed:\n{body}\n---\n{printed}"
        elif kind == "toml":
            name = FILE.match(body).group(1)
            with (tmp_path / name).open("a", encoding="utf-8") as handle:
                handle.write(body + "\n")
        elif kind == "python":
            exec(compile(body, where, "exec"), session)  # one session for every block, as a notebook
    named = sorted(set(OUTPUT.findall(prose(text))))
    assert named, "the prose names no outputs"
    missing = [path for path in named if not (tmp_path / path).exists()]
    assert not missing, f"outputs the tutorial names that the run did not write: {missing}"
