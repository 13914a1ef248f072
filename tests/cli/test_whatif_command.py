"""``waterfall whatif`` as a user runs it: the comparison table, its parquet, and bad --given."""

from __future__ import annotations

import polars as pl

WHATIF_COLUMNS = [
    "deal",
    "tranche",
    "kind",
    "loss_measure",
    "pd_unconditional",
    "pd_conditional",
    "pd_change",
    "el_pct_unconditional",
    "el_pct_conditional",
    "el_change",
]


def test_whatif_prints_and_writes_the_comparison(cli, deals_dir, tmp_path) -> None:
    args = ("whatif", deals_dir / "gpu_lease_spv.toml", "--scenario", "base", "--paths", "1024", "--seed", "3")
    result = cli(*args, "--given", "default:Nimbus AI@2027-06", "--out", tmp_path / "w")
    assert result.returncode == 0, result.stderr
    assert "given default:Nimbus AI@2027-06" in result.stdout
    table = pl.read_parquet(tmp_path / "w" / "whatif.parquet")
    assert table.columns == WHATIF_COLUMNS
    debt = table.filter(pl.col("kind") == "debt")
    assert (debt["pd_conditional"] >= debt["pd_unconditional"]).all()


BAD_GIVEN = [
    ("default:Nobody@2027-06", "default:Nobody@2027-06", "'Nobody'"),
    ("default:Nimbus AI@2019-01", "default:Nimbus AI@2019-01", "found 2019-01"),
    ("rent:B200<=0.8@2027-01", "rent:B200<=0.8@2027-01", "'B200'"),
    ("rent:H100<0.8@2027-01", "", "found 'rent:H100<0.8@2027-01'"),
]


def test_whatif_bad_given_exits_2(deals_dir, run_waterfall_all, tmp_path, user_error) -> None:
    args = ("whatif", deals_dir / "gpu_lease_spv.toml", "--scenario", "base", "--paths", "8", "--given")
    results = run_waterfall_all([((*args, given), tmp_path) for given, _, _ in BAD_GIVEN])
    for result, (_, path, fragment) in zip(results, BAD_GIVEN, strict=True):
        user_error(result, "--given", path, fragment)


def test_whatif_bad_given_file_names_the_file_and_field(cli, deals_dir, tmp_path, user_error) -> None:
    file = tmp_path / "given.toml"
    file.write_text('[[given]]\ntype = "default"\nname = "Oracle"\nmonth = "2027-06"\n', encoding="utf-8")
    args = ("whatif", deals_dir / "gpu_lease_spv.toml", "--scenario", "base", "--paths", "8")
    result = cli(*args, "--given-file", "given.toml")
    user_error(result, "given.toml", "default:Oracle@2027-06", "'Oracle'")
