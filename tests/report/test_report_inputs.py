"""Reading a results directory (what is missing is named, file by file) and a deal file's sourced terms."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from waterfall.errors import InputError
from waterfall.report.directory import read_results
from waterfall.report.terms import deal_terms


def problems(directory: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_results(directory)
    assert caught.value.file == str(directory)
    return [str(problem) for problem in caught.value.problems]


def test_missing_directory(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == ["RESULTS_DIR: expected a results directory, found nothing at this path"]


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("x", encoding="utf-8")
    assert problems(tmp_path / "report.html") == ["RESULTS_DIR: expected a results directory, found a file"]


def test_empty_directory_names_what_a_results_directory_holds(tmp_path: Path) -> None:
    (found,) = problems(tmp_path)
    assert "expected the results of `waterfall run` (cashflows.parquet" in found
    assert "or of `waterfall mc` (summary.parquet, period_stats.parquet, tranches.parquet, deal.toml)" in found
    assert found.endswith("found an empty directory")


def test_unrelated_files_are_listed(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (found,) = problems(tmp_path)
    assert found.endswith("found notes.txt")


def test_run_directory_with_some_files_names_the_rest(run_dir: Path, tmp_path: Path) -> None:
    for name in ("cashflows.parquet", "periods.parquet"):
        shutil.copy(run_dir / name, tmp_path / name)
    (found,) = problems(tmp_path)
    assert found == (
        "ledger.parquet, tranches.parquet, deal.toml: expected the files `waterfall run` writes, "
        "found ledger.parquet, tranches.parquet, deal.toml missing"
    )


def test_mc_subdirectory_with_a_missing_table(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(run_dir, target)
    (target / "mc_base" / "summary.parquet").unlink()
    (found,) = problems(target)
    assert found.startswith("mc_base/summary.parquet: expected the files `waterfall mc` writes")


def test_monte_carlo_directory_without_its_deal_file(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "mc_base"
    shutil.copytree(run_dir / "mc_base", target)
    (target / "deal.toml").unlink()
    assert problems(target) == ["deal.toml: expected the copy of the deal file the run writes, found none"]


def test_unreadable_table(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(run_dir, target)
    (target / "breakevens.parquet").write_bytes(b"not parquet")
    (found,) = problems(target)
    assert found.startswith("breakevens.parquet: expected a readable parquet table, found an unreadable file")


def test_complete_directories_read(run_dir: Path, full_dir: Path) -> None:
    run = read_results(run_dir)
    assert run.run is not None and [m.scenario for m in run.monte_carlo] == ["base"]
    assert run.breakevens is None and run.sensitivity is None
    assert run.deal.name == "gpu_lease_spv"
    full = read_results(full_dir)
    assert full.breakevens is not None and full.sensitivity is not None
    alone = read_results(run_dir / "mc_base")
    assert alone.run is None and alone.monte_carlo[0].scenario_text is not None


SNIPPET = """# A deal.
# Two lines of description.

name = "x"   # the name

# The fleet block.
[[fleets]]
count = 10            # S1 https://example.com/a#frag
label = "a # not a comment"

[[fleets]]
# above the key
count = 20

[waterfall]
normal = [
  { type = "pay_expenses" },   # costs first
  { type = "pay_equity" },
]
"""


def test_terms_keep_comments_as_sources() -> None:
    sections = deal_terms(SNIPPET)
    assert [s.name for s in sections] == ["", "fleets[0]", "fleets[1]", "waterfall"]
    assert sections[0].note == "A deal. Two lines of description."
    assert [(t.key, t.value, t.source) for t in sections[0].terms] == [("name", '"x"', "the name")]
    assert sections[1].note == "The fleet block."
    assert [(t.key, t.value, t.source) for t in sections[1].terms] == [
        ("count", "10", "S1 https://example.com/a#frag"),
        ("label", '"a # not a comment"', ""),
    ]
    assert sections[2].terms[0].source == "above the key"
    (steps,) = sections[3].terms
    assert steps.value == '[ { type = "pay_expenses" }, { type = "pay_equity" }, ]'
    assert steps.source == "costs first"


@pytest.mark.parametrize("deal", sorted(p.name for p in (Path(__file__).parents[2] / "deals").glob("*.toml")))
def test_every_shipped_deal_reads_into_terms(deal: str) -> None:
    text = (Path(__file__).parents[2] / "deals" / deal).read_text(encoding="utf-8")
    sections = deal_terms(text)
    keys = sum(len(s.terms) for s in sections)
    # every `key = value` line at the start of a line outside a multi-line value is a term
    assert keys >= text.count("\nname = ") + sum(1 for s in sections if s.name) and keys > 20
    assert sections[0].terms[0].key == "name"


def test_deal_copy_without_its_tape_files_is_read_for_its_terms(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(run_dir, target)
    with (target / "deal.toml").open("a", encoding="utf-8") as deal_file:
        deal_file.write('\n[[tapes]]\nname = "colocation_tape"\npath = "tapes/colocation.csv"\n')
    results = read_results(target)
    assert [tape.name for tape in results.deal.tapes] == ["colocation_tape"]


def test_a_broken_deal_copy_is_a_user_error(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "deal"
    shutil.copytree(run_dir, target)
    deal_file = target / "deal.toml"
    deal_file.write_text(deal_file.read_text(encoding="utf-8").replace("count = 16_384", 'count = "many"'), "utf-8")
    with pytest.raises(InputError) as caught:
        read_results(target)
    assert caught.value.file == str(deal_file)
    assert [p.path for p in caught.value.problems] == ["fleets[0].count"]
