"""The one writer of an output directory: an OS-level lock held while a batch or sensitivity writes it.

    OUT/.waterfall.lock        locked (``flock`` on Unix, through ``filelock``) while a run writes OUT
    OUT/.waterfall.lock.json   who holds it: what runs, process id, host and since when

A second run on the same directory is refused at once with a user error naming
the holder, before it touches any file (it would otherwise remove the first
run's partial files and rewrite its manifest). The operating system drops the
lock when the holding process ends, however it ends, so a run killed with
SIGKILL leaves a lock file that binds nobody: the next run takes the lock and
resumes. Both files stay in place on release: deleting a lock file that another
process may be opening at that moment would let two runs lock two different
files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from waterfall.errors import InputError, Problem, unwritable

LOCK = ".waterfall.lock"
HOLDER = ".waterfall.lock.json"


@contextlib.contextmanager
def writing(root: Path, what: str, option: str = "--out") -> Iterator[None]:
    """Hold ``root``'s lock for the block (creating ``root``); refuse if another run holds it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(root / LOCK, timeout=0)
        lock.acquire()
    except Timeout:
        raise InputError(
            str(root),
            [
                Problem(
                    option,
                    f"expected a directory no other run is writing, found it in use by {holder(root)}; "
                    f"wait for that run to finish (or stop it), or choose another {option}",
                )
            ],
        ) from None
    except OSError as exc:
        raise unwritable(root, exc, option) from None
    try:
        _record(root, what)
        yield
    finally:
        lock.release()


def holder(root: Path) -> str:
    """Who holds ``root``'s lock, as recorded; "another run" while the holder has yet to say."""
    try:
        record = json.loads((root / HOLDER).read_text(encoding="utf-8"))
        return f"{record['what']} (process {record['pid']} on {record['host']}, since {record['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another run"


def _record(root: Path, what: str) -> None:
    record = {
        "what": what,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    partial = root / f"{HOLDER}.partial"
    try:
        partial.write_text(json.dumps(record), encoding="utf-8")
        partial.replace(root / HOLDER)
    except OSError:
        # the lock itself is what excludes a second writer; only the refusal's wording loses the name
        partial.unlink(missing_ok=True)
