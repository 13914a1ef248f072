"""The fast fuzz profile: damaged deal, scenario and grid files give a clean error or a clean run.

A few hundred damaged files in all, derandomized (the suite's ``ci`` profile), so
``make test`` sees the same files every time; ``make fuzz`` (``tests.fuzz.campaign``)
draws ten thousand per family at random. Every case is judged by
``tests.fuzz.harness``: a crash, an unclear message, a broken invariant or a hang
fails the test with the mutation and the detail.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import harness, seeds
from tests.fuzz.families import FAMILIES, Case, library
from tests.fuzz.mutations import KINDS, Mutation, mutations
from tests.fuzz.toml_text import dumps
from waterfall.errors import InputError, Problem

FAST = 110  # damaged files per family in the suite


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds.grid_sandbox(tmp_path_factory.mktemp("fuzz"))


def _judged(family: str, case: Case, where: Path) -> None:
    verdict = FAMILIES[family].attempt(case, where)
    mutation = case.mutation
    assert verdict.outcome in harness.GOOD, (
        f"{verdict.outcome}: {mutation.kind} at {mutation.path or '<file>'} of {case.seed}\n{verdict.detail}\n"
        f"file: {mutation.data[:2000]!r}"
    )


@settings(max_examples=FAST)
@given(FAMILIES["deals"].cases())
def test_damaged_deal_files(sandbox: Path, case: Case) -> None:
    _judged("deals", case, sandbox)


@settings(max_examples=FAST)
@given(FAMILIES["scenarios"].cases())
def test_damaged_scenario_files(sandbox: Path, case: Case) -> None:
    _judged("scenarios", case, sandbox)


@settings(max_examples=FAST)
@given(FAMILIES["grids"].cases())
def test_damaged_grid_files(sandbox: Path, case: Case) -> None:
    _judged("grids", case, sandbox)


# -- the fuzzers themselves ----------------------------------------------------------------------


def test_every_seed_runs_clean_as_shipped(sandbox: Path) -> None:
    """Undamaged, every seed file is a clean run: a damaged one's error is the damage's.
    (The shipped deals themselves are run under every preset by the deal-library tests.)"""
    small = FAMILIES["deals"]
    for seed in seeds.deal_seeds()[:2]:
        case = Case(seed.name, Mutation("none", "", seed.text))
        assert small.attempt(case, sandbox).outcome == harness.RAN_CLEAN, seed.name
    partner = min(library(), key=lambda d: d.calendar.horizon_months).name
    for seed in seeds.scenario_seeds():
        case = Case(seed.name, Mutation("none", "", seed.text), partner=partner)
        assert FAMILIES["scenarios"].attempt(case, sandbox).outcome == harness.RAN_CLEAN, seed.name
    for seed in seeds.grid_seeds():
        verdict = FAMILIES["grids"].attempt(Case(seed.name, Mutation("none", "", seed.text)), sandbox)
        assert verdict.outcome == harness.RAN_CLEAN, (seed.name, verdict.detail)


def test_written_toml_reads_back_as_written() -> None:
    odd = {
        "": 1,
        "a b": {"c.d": [1, 2.5, '\x00\x1b\u202e"\\', True]},
        "x": [{"type": "k", "n": float("inf")}, {"n": -float("inf")}],
        "when": dt.date(2026, 1, 1),
        "big": 10**30,
    }
    back = tomllib.loads(dumps(odd | {"nan": float("nan")}))
    assert math.isnan(back.pop("nan"))
    assert back == odd


@settings(max_examples=60)
@given(st.data())
def test_mutations_change_the_file(data: st.DataObject) -> None:
    """Every kind of mutation yields a file other than the seed (damage that does nothing tests nothing)."""
    seed = data.draw(st.sampled_from(seeds.deal_seeds()))
    kind = data.draw(st.sampled_from(KINDS))
    mutation = data.draw(mutations(seed.raw, seed.text, (kind,)))
    assert mutation.data != dumps(seed.raw).encode() or mutation.kind in ("byte_damage", "truncation", "list_damage")
    assert mutation.data != seed.text or mutation.kind == "list_damage"


def test_harness_catches_what_it_must(sandbox: Path) -> None:
    """The judge is not a rubber stamp: a leaked exception text, an unlocated problem and a
    problem far from a located mutation are unclear; a broken invariant is a violation."""
    located = Mutation("wrong_type", "tranches[0].balance", b"", located=True)
    cases = {
        "leaked": InputError("f", [Problem("a", "expected a different kind of value (boom)")]),
        "no path": InputError("f", [Problem("", "expected a number, found 'x'")]),
        "unworded": InputError("f", [Problem("tranches[0].balance", "bad")]),
        "elsewhere": InputError("f", [Problem("calendar.start", "expected a month, found 1")]),
    }
    for name, error in cases.items():
        assert harness.judge_error(error, located).outcome == harness.UNCLEAR, name
    fine = InputError("f", [Problem("tranches[0].balance", "expected a number, found 'x'")])
    assert harness.judge_error(fine, located).outcome == harness.CLEAN_ERROR

    deal = library()[0]
    tape = harness.run(deal, harness.base_case(deal))
    tape.tranche["interest_paid"][3, 0, 0] += 1e6  # paid more than due, cash from nowhere
    with pytest.raises(AssertionError):
        harness.check_tape(deal, harness.base_case(deal), tape)
