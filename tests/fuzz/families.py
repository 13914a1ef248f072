"""The fuzzed families (deal, scenario and grid files): what a case is and how it is tried.

A family pairs a strategy of cases (a mutation of one of its seeds, plus what the
mutated file is run with) with the harness function that judges one case. The
suite's fast tests and the ``make fuzz`` campaign share these definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from attrs import frozen
from hypothesis import strategies as st

from tests.fuzz import harness, seeds
from tests.fuzz.mutations import Mutation, mutations
from waterfall.market.scenario import Scenario, load_scenario
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal


@cache
def library() -> tuple[Deal, ...]:
    return tuple(load_deal(p) for p in sorted((seeds.ROOT / "deals").glob("*.toml")))


@cache
def stress() -> Scenario:
    return load_scenario("bust")


@frozen
class Case:
    seed: str
    mutation: Mutation
    partner: str = ""  # the deal a damaged scenario is run with


@frozen
class Family:
    name: str
    cases: Callable[[], st.SearchStrategy[Case]]
    attempt: Callable[[Case, Path], harness.Verdict]
    prepare: Callable[[Path], Any] = lambda where: where


def _mutated(pool: list[seeds.Seed]) -> st.SearchStrategy[tuple[str, Mutation]]:
    return st.sampled_from(pool).flatmap(lambda s: mutations(s.raw, s.text).map(lambda m: (s.name, m)))


def deal_cases() -> st.SearchStrategy[Case]:
    return _mutated(seeds.deal_seeds()).map(lambda pair: Case(*pair))


def scenario_cases() -> st.SearchStrategy[Case]:
    names = [d.name for d in library()]
    return st.tuples(_mutated(seeds.scenario_seeds()), st.sampled_from(names)).map(
        lambda pair: Case(*pair[0], partner=pair[1])
    )


def grid_cases() -> st.SearchStrategy[Case]:
    return _mutated(seeds.grid_seeds()).map(lambda pair: Case(*pair))


def _deal(case: Case, where: Path) -> harness.Verdict:
    return harness.try_deal(case.mutation, where, stress())


def _scenario(case: Case, where: Path) -> harness.Verdict:
    deal = next(d for d in library() if d.name == case.partner)
    return harness.try_scenario(case.mutation, where, deal)


def _grid(case: Case, where: Path) -> harness.Verdict:
    return harness.try_grid(case.mutation, where)


FAMILIES = {
    "deals": Family("deals", deal_cases, _deal),
    "scenarios": Family("scenarios", scenario_cases, _scenario),
    "grids": Family("grids", grid_cases, _grid, seeds.grid_sandbox),
}
