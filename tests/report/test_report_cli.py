"""``waterfall report`` and ``waterfall export`` as a user runs them: good input, and mistakes that exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

SCRIPT = Path(sys.executable).parent / "waterfall"
USER_ERROR = 2


def waterfall(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")} | {"NO_COLOR": "1"}
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def user_error(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert result.returncode == USER_ERROR, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert line in [text.strip() for text in result.stderr.splitlines()], result.stderr


@pytest.fixture
def results(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "gpu_lease_spv"
    shutil.copytree(run_dir, target)
    return target


def test_report_writes_the_page_into_the_directory(results: Path) -> None:
    done = waterfall("report", results.name, cwd=results.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote gpu_lease_spv/report.html (base case, mc_base)"
    assert (results / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_quotes_yields_as_stated(results: Path) -> None:
    done = waterfall("report", results.name, "--day-count", "ACT/365F", "--frequency", "semiannual", cwd=results.parent)
    assert done.returncode == 0, done.stderr
    page = (results / "report.html").read_text(encoding="utf-8")
    assert "Yield and durations (quoted ACT/365F, compounded semiannual)" in page


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--day-count", "ACT/366", "expected one of 30/360, 30E/360, ACT/360, ACT/365F, ACT/ACT, found 'ACT/366'"),
        ("--frequency", "weekly", "expected one of annual, semiannual, quarterly, monthly, found 'weekly'"),
    ],
)
def test_report_refuses_an_unknown_quote(results: Path, option: str, value: str, expected: str) -> None:
    done = waterfall("report", results.name, option, value, cwd=results.parent)
    user_error(done, f"{results.name}: {option}: {expected}")
    assert not (results / "report.html").exists()


def test_report_of_a_monte_carlo_directory_to_a_chosen_file(results: Path) -> None:
    done = waterfall("report", results / "mc_base", "--out", "pages/base.html", cwd=results.parent)
    assert done.returncode == 0, done.stderr
    assert "(mc_base)" in done.stdout
    assert (results.parent / "pages" / "base.html").is_file()


def test_export_writes_a_workbook(results: Path) -> None:
    done = waterfall("export", results.name, "--xlsx", "book.xlsx", cwd=results.parent)
    assert done.returncode == 0, done.stderr
    assert "  mc_base tranches: mc_base/tranches.parquet, 900 rows" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == "wrote book.xlsx (7 sheets and contents)"
    assert openpyxl.load_workbook(results.parent / "book.xlsx").sheetnames[0] == "contents"


@pytest.mark.parametrize("command", [("report",), ("export", "--xlsx", "x.xlsx")])
def test_missing_directory(tmp_path: Path, command: tuple[str, ...]) -> None:
    done = waterfall(command[0], "nowhere", *command[1:], cwd=tmp_path)
    user_error(done, "nowhere: RESULTS_DIR: expected a results directory, found nothing at this path")


def test_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = waterfall("report", "empty", cwd=tmp_path)
    assert done.returncode == USER_ERROR
    assert "empty: RESULTS_DIR: expected the results of `waterfall run`" in done.stderr
    assert done.stderr.rstrip().endswith("found an empty directory")


def test_directory_with_only_some_files(results: Path) -> None:
    for name in ("ledger.parquet", "deal.toml"):
        (results / name).unlink()
    done = waterfall("export", results.name, "--xlsx", "x.xlsx", cwd=results.parent)
    user_error(
        done,
        "gpu_lease_spv: ledger.parquet, deal.toml: expected the files `waterfall run` writes, "
        "found ledger.parquet, deal.toml missing",
    )
    assert not (results.parent / "x.xlsx").exists()


def test_unwritable_output(results: Path) -> None:
    (results.parent / "blocker").write_text("a file, not a directory", encoding="utf-8")
    done = waterfall("report", results.name, "--out", "blocker/report.html", cwd=results.parent)
    assert done.returncode == USER_ERROR
    assert "blocker/report.html: --out: expected a writable directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_export_to_a_file_that_is_not_a_workbook(results: Path) -> None:
    done = waterfall("export", results.name, "--xlsx", "book.csv", cwd=results.parent)
    user_error(done, "book.csv: --xlsx: expected a file name ending in .xlsx, found 'book.csv'")
