"""``make fuzz``: many damaged files per family, and a table of family x outcome.

    python -m tests.fuzz.campaign --examples 10000 [--family deals] [--seed 1] [--report fuzz.txt]

Each family's cases are drawn by hypothesis (randomly, from ``--seed``); every
case is judged by ``tests.fuzz.harness`` and counted. The first few cases of each
bad outcome are printed in full (seed file, mutation, path, detail) so a crash
can be reproduced; the exit status is 1 when any case was not a clean error or a
clean run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzz.families import FAMILIES, Family
from tests.fuzz.harness import GOOD, OUTCOMES, Verdict

SHOWN = 3  # cases printed per bad outcome and family
PROGRESS = 1000  # a line of counts every this many files


def campaign(family: Family, examples: int, random_seed: int, log: list[str]) -> tuple[dict[str, int], float]:
    counts = dict.fromkeys(OUTCOMES, 0)
    shown: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{family.name}-") as tmp:
        where = family.prepare(Path(tmp))

        @seed(random_seed)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(family.cases())
        def one(case) -> None:  # type: ignore[no-untyped-def]
            verdict: Verdict = family.attempt(case, where)
            counts[verdict.outcome] += 1
            done = sum(counts.values())
            if done % PROGRESS == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  {family.name}: {done:,} files, {rate:.1f}/s: {counts}", flush=True)
            if verdict.outcome not in GOOD and shown[verdict.outcome] < SHOWN:
                shown[verdict.outcome] += 1
                mutation = case.mutation
                partner = f", with {case.partner}" if case.partner else ""
                log.append(
                    f"--- {family.name}: {verdict.outcome} (seed {case.seed}{partner};"
                    f" {mutation.kind} at {mutation.path or '<file>'})\n{verdict.detail}\n"
                    f"file bytes: {mutation.data[:3000]!r}\n"
                )
                print(log[-1], file=sys.stderr, flush=True)

        one()
        return counts, time.perf_counter() - started


def table(results: dict[str, tuple[dict[str, int], float]]) -> str:
    width = max(len(o) for o in OUTCOMES)
    head = f"{'family':<10} " + " ".join(f"{o:>{width}}" for o in OUTCOMES) + f" {'total':>7} {'files/s':>8}"
    lines = [head, "-" * len(head)]
    for name, (counts, seconds) in results.items():
        total = sum(counts.values())
        cells = " ".join(f"{counts[o]:>{width},}" for o in OUTCOMES)
        lines.append(f"{name:<10} {cells} {total:>7,} {total / seconds:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="damaged files per family")
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES), help="default: every family")
    parser.add_argument("--seed", type=int, default=2026, help="hypothesis seed of the draws")
    parser.add_argument("--report", type=Path, help="also write the table and the shown cases here")
    args = parser.parse_args(argv)
    results, log = {}, []
    for name in args.family or list(FAMILIES):
        print(f"fuzzing {name}: {args.examples:,} files ...", flush=True)
        results[name] = campaign(FAMILIES[name], args.examples, args.seed, log)
        print(table({name: results[name]}), flush=True)
    text = table(results)
    print("\n" + text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n\n" + "\n".join(log), encoding="utf-8")
    bad = sum(counts[o] for counts, _ in results.values() for o in OUTCOMES if o not in GOOD)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
