"""Grids: deals x scenarios x parameter sweeps x paths x seed, as data, and the cells they make.

A grid file names deal files (or globs, relative to the grid file), scenarios
(presets or files), and sweeps of scenario parameters (``waterfall.market.parameters``).
Every combination of deal, scenario and swept values is one cell, run for the
grid's paths with the grid's seed. Everything is loaded and checked before any
cell runs, so a grid with a missing deal or an out-of-bounds value fails at once,
naming the grid file and the field.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import json
from pathlib import Path

from attrs import field, frozen

from waterfall import __version__
from waterfall.errors import InputError, Problem
from waterfall.market.parameters import ParameterError, apply, column_name
from waterfall.market.scenario import (
    NAME,
    PRESETS,
    Scenario,
    check_against,
    scenario_from,
    scenario_raw,
    scenario_source,
)
from waterfall.risk.montecarlo import DEFAULT_CHUNK
from waterfall.spec.bounds import at_least
from waterfall.spec.checks import walk_bounds
from waterfall.spec.deal import Deal
from waterfall.spec.load import exists, load_deal, read_toml, structure


@frozen
class Sweep:
    """One scenario parameter and the values it takes across the grid."""

    parameter: str
    values: tuple[float, ...]


@frozen
class Grid:
    name: str
    deals: tuple[str, ...]
    scenarios: tuple[str, ...]
    paths: int = field(metadata=at_least(1))
    seed: int = field(metadata=at_least(0))
    sweep: tuple[Sweep, ...] = ()
    chunk_size: int = field(default=DEFAULT_CHUNK, metadata=at_least(1))
    description: str = ""


@frozen
class Cell:
    """One run of the grid: a deal under a scenario with some parameters set."""

    deal: Deal
    scenario: Scenario
    index: int  # position among the sweep's combinations
    parameters: dict[str, float]  # results column -> value
    fingerprint: str  # what the cell's results depend on: finished cells are reused only while it holds

    @property
    def key(self) -> str:
        return f"deal={self.deal.name}/scenario={self.scenario.name}/cell={self.label}"

    @property
    def label(self) -> str:
        return f"c{self.index:03d}"


@frozen
class LoadedGrid:
    grid: Grid
    file: Path
    sha256: str
    raw: dict
    cells: tuple[Cell, ...]
    deal_files: dict[str, tuple[Path, str]]  # deal name -> file, sha256
    scenario_sources: dict[str, tuple[str, str]]  # scenario name -> label, sha256 of its text


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_grid(path: str | Path) -> LoadedGrid:
    """Load, check and expand a grid file into cells; raises ``InputError`` before any work."""
    path = Path(path)
    return grid_from(read_toml(path), path, sha256_bytes(path.read_bytes()))


def grid_from(raw: dict, path: Path, sha256: str) -> LoadedGrid:
    """A grid from its table; deal files and scenario files are relative to ``path``'s folder."""
    label = str(path)
    grid = structure(raw, Grid, label)
    problems = list(walk_bounds(grid, ""))
    # a grid of no deal or no scenario has no cell: a batch of it would finish having run nothing
    for key in ("deals", "scenarios"):
        if not getattr(grid, key):
            problems.append(Problem(key, f"expected at least one entry, found {getattr(grid, key)!r}"))
    if not NAME.match(grid.name):
        problems.append(Problem("name", f"expected letters, digits, '_', '-' or '.', found {grid.name!r}"))
    deals = _deals(grid, path.parent, problems)
    scenarios = _scenarios(grid, path.parent, problems)
    combos = _combinations(grid, problems)
    _check_values(grid, scenarios, problems)
    if problems:
        raise InputError(label, problems)
    cells, deal_files, sources = [], {}, {}
    for (deal, deal_file, deal_sha), (base_raw, scenario_label, scenario_sha, s) in itertools.product(deals, scenarios):
        deal_files[deal.name] = (deal_file, deal_sha)
        for index, combo in enumerate(combos):
            scenario_table = base_raw
            for parameter, value in combo:
                scenario_table = apply(scenario_table, parameter, value)
            try:
                scenario = scenario_from(scenario_table, scenario_label)
                check_against(scenario, deal, scenario_label)
            except InputError as error:
                where = ", ".join(f"{p} = {v!r}" for p, v in combo) or "as written"
                problems.extend(
                    Problem(f"scenarios[{s}] ({where}): {p.path}", f"{p.message} (deal {deal.name!r})")
                    for p in error.problems
                )
                continue
            sources[scenario.name] = (scenario_label, scenario_sha)
            parameters = {column_name(p): float(v) for p, v in combo}
            fingerprint = _fingerprint(deal_sha, scenario_sha, parameters, grid)
            cells.append(Cell(deal, scenario, index, parameters, fingerprint))
    names = [c.key for c in cells]
    duplicates = sorted({k for k in names if names.count(k) > 1})
    if duplicates:
        problems.append(
            Problem("deals/scenarios", f"expected distinct deal and scenario names, found {duplicates[0]} twice")
        )
    if problems:
        raise InputError(label, problems)
    return LoadedGrid(grid, path, sha256, raw, tuple(cells), deal_files, sources)


def _deals(grid: Grid, root: Path, problems: list[Problem]) -> list[tuple[Deal, Path, str]]:
    loaded = []
    seen: dict[str, str] = {}
    for i, pattern in enumerate(grid.deals):
        matches = sorted(glob.glob(str(root / pattern))) if glob.has_magic(pattern) else [str(root / pattern)]
        if not matches:
            problems.append(Problem(f"deals[{i}]", f"expected deal files matching {pattern!r}, found none"))
        for match in matches:
            file = Path(match)
            if not exists(file):
                problems.append(Problem(f"deals[{i}]", f"expected a deal file, found no file {pattern!r}"))
                continue
            try:
                deal = load_deal(file)
            except InputError as error:
                first = "; ".join(f"{p.path}: {p.message}" for p in error.problems[:3])
                problems.append(Problem(f"deals[{i}]", f"expected a valid deal file, found {file.name}: {first}"))
                continue
            if deal.name in seen:
                problems.append(Problem(f"deals[{i}]", f"expected distinct deal names, found {deal.name!r} twice"))
                continue
            seen[deal.name] = match
            loaded.append((deal, file, sha256_bytes(file.read_bytes())))
    return loaded


def _scenarios(grid: Grid, root: Path, problems: list[Problem]) -> list[tuple[dict, str, str, int]]:
    loaded = []
    for i, name in enumerate(grid.scenarios):
        where = name if name in PRESETS else str(root / name)
        try:
            raw, label = scenario_raw(where)
            scenario_from(raw, label)  # the scenario as written must be valid too
        except InputError as error:
            first = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in error.problems[:3])
            problems.append(
                Problem(f"scenarios[{i}]", f"expected a preset or a valid scenario file, found {name!r}: {first}")
            )
            continue
        loaded.append((raw, label, sha256_bytes(scenario_source(where).encode()), i))
    return loaded


def _combinations(grid: Grid, problems: list[Problem]) -> list[tuple[tuple[str, float], ...]]:
    axes = []
    for i, sweep in enumerate(grid.sweep):
        if not sweep.values:
            problems.append(Problem(f"sweep[{i}].values", "expected at least one value, found none"))
        if sweep.parameter in [s.parameter for s in grid.sweep[:i]]:
            problems.append(
                Problem(f"sweep[{i}].parameter", f"expected each parameter once, found {sweep.parameter!r} again")
            )
        axes.append([(sweep.parameter, v) for v in sweep.values])
    return list(itertools.product(*axes))


def _check_values(grid: Grid, scenarios: list[tuple[dict, str, str, int]], problems: list[Problem]) -> None:
    """Each swept value, set alone in each scenario, must name something there and keep it valid."""
    for i, sweep in enumerate(grid.sweep):
        for raw, label, _, _ in scenarios:
            for k, value in enumerate(sweep.values):
                try:
                    scenario_from(apply(raw, sweep.parameter, value), label)
                except ParameterError as exc:
                    problems.append(Problem(f"sweep[{i}].parameter", f"{exc} (in {label})"))
                    break
                except InputError as error:
                    found = "; ".join(f"{p.path}: {p.message}" for p in error.problems[:3])
                    problems.append(
                        Problem(f"sweep[{i}].values[{k}]", f"expected a value {label} accepts, found {found}")
                    )


def _fingerprint(deal_sha: str, scenario_sha: str, parameters: dict[str, float], grid: Grid) -> str:
    # the chunk size and the executor are left out on purpose: results do not depend on them
    record = {
        "engine": __version__,
        "deal": deal_sha,
        "scenario": scenario_sha,
        "parameters": parameters,
        "paths": grid.paths,
        "seed": grid.seed,
    }
    return sha256_bytes(json.dumps(record, sort_keys=True).encode())
