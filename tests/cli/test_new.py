"""``waterfall new``: every shape's skeleton validates, runs and runs a Monte Carlo as written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import polars as pl
import pytest

from waterfall.templates import SHAPES, skeleton

KEY_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
# where a value comes from: ours, the engine's, another key's, or a source tag of docs/assumptions.md
BASIS = re.compile(r"assumption|default|derived|convention|note|brief|\[[A-Z]\d+\]")
NUMBER = re.compile(r"=\s*-?\d")


def test_the_shapes_are_the_four_of_the_issue() -> None:
    assert set(SHAPES) == {"campus", "gpu_lease", "gpu_facility", "cmbs"}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_skeleton_validates_runs_and_runs_a_monte_carlo_as_written(shape: str, cli, tmp_path: Path) -> None:
    written = cli("new", shape)
    assert written.returncode == 0, written.stderr
    deal = tmp_path / f"{shape}.toml"
    assert deal.read_text(encoding="utf-8") == skeleton(shape)

    validated = cli("validate", deal)
    assert validated.returncode == 0, validated.stderr
    assert f"{deal.name}: ok — {shape}:" in validated.stdout

    ran = cli("run", deal)
    assert ran.returncode == 0, ran.stderr
    tranches = pl.read_parquet(tmp_path / "out" / shape / "tranches.parquet")
    assert tranches.height >= 2  # at least one tranche and equity

    mc = cli("mc", deal, "--scenario", "base", "--paths", "64", "--seed", "1")
    assert mc.returncode == 0, mc.stderr
    assert pl.read_parquet(tmp_path / "out" / shape / "mc_base" / "summary.parquet").height == tranches.height


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_key_of_a_skeleton_says_its_unit_and_basis(shape: str) -> None:
    lines = skeleton(shape).splitlines()
    unannotated, no_basis = [], []
    for i, line in enumerate(lines):
        if not KEY_LINE.match(line):
            continue
        comment = line.split("#", 1)[1] if "#" in line else ""
        # a long line carries its note on the comment lines just above it
        j = i - 1
        while "#" not in line and j >= 0 and lines[j].lstrip().startswith("#"):
            comment = lines[j] + comment
            j -= 1
        if not comment.strip():
            unannotated.append(line)
        elif NUMBER.search(line.split("#", 1)[0]) and not BASIS.search(comment):
            no_basis.append(line)
    assert not unannotated, f"keys without a note: {unannotated}"
    assert not no_basis, f"numbers without a basis (assumption, default, derived or a source): {no_basis}"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_skeleton_is_plain_toml_named_after_its_shape(shape: str) -> None:
    # unknown keys are caught by `waterfall validate` above; here, the shape's own name and the required sections
    raw = tomllib.loads(skeleton(shape))
    assert raw["name"] == shape
    assert {"calendar", "costs", "tranches", "equity", "enforcement", "waterfall"} <= set(raw)


def test_the_deal_is_named_after_the_file(cli, tmp_path: Path) -> None:
    assert cli("new", "campus", "deals/my_campus.toml").returncode == 0
    ran = cli("run", "deals/my_campus.toml")
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "out" / "my_campus" / "tranches.parquet").exists()
    # a stem that is no deal name (a space) leaves the shape's own name
    assert cli("new", "cmbs", "my cmbs.toml").returncode == 0
    assert 'name = "cmbs"' in (tmp_path / "my cmbs.toml").read_text(encoding="utf-8")


def test_an_existing_file_is_kept_unless_forced(cli, tmp_path: Path, user_error) -> None:
    target = tmp_path / "deal.toml"
    target.write_text("# my work\n", encoding="utf-8")

    refused = cli("new", "gpu_lease", "deal.toml")

    user_error(refused, "deal.toml", "DEAL_FILE", "expected a new file (or --force to overwrite)", "an existing file")
    assert target.read_text(encoding="utf-8") == "# my work\n"

    forced = cli("new", "gpu_lease", "deal.toml", "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == skeleton("gpu_lease", "deal")


def test_an_unknown_shape_is_a_clear_error_listing_the_shapes(cli, tmp_path: Path, user_error) -> None:
    result = cli("new", "gpu_leese")
    user_error(result, "SHAPE", "", "expected one of campus, gpu_lease, gpu_facility, cmbs, found 'gpu_leese'")
    assert not list(tmp_path.iterdir())


def test_a_directory_or_an_unwritable_place_is_a_clear_error(cli, tmp_path: Path, user_error) -> None:
    (tmp_path / "deals").mkdir()
    user_error(cli("new", "campus", "deals"), "deals", "DEAL_FILE", "expected a file name, found a directory")
    (tmp_path / "blocker").write_text("")
    result = cli("new", "campus", "blocker/deal.toml")
    user_error(result, "blocker/deal.toml", "DEAL_FILE", "expected a writable location")


def test_every_shape_is_documented() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "deal-file.md").read_text(encoding="utf-8")
    assert all(f"| `{shape}` |" in page for shape in SHAPES)
