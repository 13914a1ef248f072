"""The shipped files the fuzzers start from, and a sandbox for damaged grids.

Deals are the deal library; scenarios the presets; grids the shipped grids with
their deal lists pointed at a sandbox holding two small deals of the library
(the library's glob would load every deal for every damaged grid).
"""

from __future__ import annotations

import shutil
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen

from tests.fuzz.toml_text import dumps
from waterfall.market.scenario import PRESETS

ROOT = Path(__file__).resolve().parents[2]
GRID_DEALS = ("gpu_lease_spv.toml", "miner_double_leverage.toml")


@frozen
class Seed:
    name: str
    raw: dict[str, Any]
    text: bytes


def _seed(name: str, text: str) -> Seed:
    return Seed(name, tomllib.loads(text), text.encode("utf-8"))


def deal_seeds() -> list[Seed]:
    return [_seed(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "deals").glob("*.toml"))]


def scenario_seeds() -> list[Seed]:
    presets = resources.files("waterfall.market").joinpath("presets")
    return [_seed(name, presets.joinpath(f"{name}.toml").read_text(encoding="utf-8")) for name in PRESETS]


def grid_seeds() -> list[Seed]:
    seeds = []
    for path in sorted((ROOT / "grids").glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        raw["deals"] = [f"../deals/{name}" for name in GRID_DEALS[: max(1, len(raw["deals"]))]]
        seeds.append(Seed(path.stem, raw, dumps(raw).encode("utf-8")))
    # one seed with a glob and a scenario file beside the grid
    glob = dict(seeds[0].raw, name="globbed", deals=["../deals/*.toml"], scenarios=["bust", "own.toml"])
    seeds.append(Seed("globbed", glob, dumps(glob).encode("utf-8")))
    return seeds


def grid_sandbox(where: Path) -> Path:
    """``where``/deals with the grid deals, ``where``/grids with a scenario file ``own.toml``."""
    (where / "deals").mkdir(parents=True, exist_ok=True)
    (where / "grids").mkdir(exist_ok=True)
    for name in GRID_DEALS:
        shutil.copy(ROOT / "deals" / name, where / "deals" / name)
    preset = resources.files("waterfall.market").joinpath("presets", "base.toml").read_text(encoding="utf-8")
    (where / "grids" / "own.toml").write_text(preset.replace('name = "base"', 'name = "own"'), encoding="utf-8")
    return where
