"""The rent calibration's parts against hand computations: data reading, changes, the exact-data fit,
ratios, the presets' implied quantities, and the errors for data that cannot be fitted."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from waterfall.errors import InputError
from waterfall.market.calibration import _share, fit_ratios, fit_rent, point_fit, series_changes
from waterfall.market.calibration_table import preset_values
from waterfall.market.rent_data import (
    LAUNCHES_FILE,
    PRICES_FILE,
    LaunchEvent,
    RentData,
    load_rent_data,
    years_since_epoch,
)
from waterfall.market.scenario import load_scenario

HEADER = "Price date,Hardware model,Vendor,Location,Price per chip-hour (on-demand),Notes\n"
LAUNCH_HEADER = "generation,volume_month,hits,spread_months,source\n"


def observations(rows: list[tuple[dt.date, str, str, float]]) -> pl.DataFrame:
    """(date, generation, vendor, price) rows as ``RentData.observations`` (SXM, market vendors)."""
    records = [(d, years_since_epoch(d), g, "SXM", f"NVIDIA {g}", v, p, True) for d, g, v, p in rows]
    schema = ["date", "t", "generation", "form", "product", "vendor", "price", "market"]
    return pl.DataFrame(records, schema=schema, orient="row")


def write_data(directory: Path, prices: str, launches: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / PRICES_FILE).write_text(HEADER + prices, encoding="utf-8")
    (directory / LAUNCHES_FILE).write_text(LAUNCH_HEADER + launches, encoding="utf-8")
    return directory


def test_reading_keeps_on_demand_rents_and_marks_hyperscaler_lists(tmp_path: Path) -> None:
    prices = (
        "2024-01-10,NVIDIA H100 SXM5 80GB,Lambda Labs,,3.49,\n"
        "2024-01-10,NVIDIA H100 NVL,Microsoft Azure,,6.98,\n"
        "2024-01-10,NVIDIA A100 PCIe,Lambda Labs,,1.29,\n"
        "2024-02-01,NVIDIA H100 SXM5 80GB,,,,purchase price row: no rent\n"
        ",NVIDIA H100 SXM5 80GB,,,,\n"
    )
    data = load_rent_data(write_data(tmp_path / "d", prices, "H200,2024-04,H100,3,x\n"))
    frame = data.observations
    assert frame.height == 3
    assert frame.filter(pl.col("vendor") == "Microsoft Azure")["market"].to_list() == [False]
    assert sorted(zip(frame["generation"], frame["form"], strict=True)) == [
        ("A100", "PCIe"),
        ("H100", "PCIe"),  # NVL is a PCIe card
        ("H100", "SXM"),
    ]
    assert data.launches == (LaunchEvent("H200", dt.date(2024, 4, 1), ("H100",), 3),)


def test_a_model_naming_no_generation_is_an_error_at_the_line_an_editor_shows(tmp_path: Path) -> None:
    directory = write_data(tmp_path / "d", "# a comment\n2024-01-10,NVIDIA V100,Lambda Labs,,0.80,\n")
    text = (directory / PRICES_FILE).read_text(encoding="utf-8")
    (directory / PRICES_FILE).write_text("# provenance\n" + text, encoding="utf-8")  # before the header too
    with pytest.raises(InputError) as caught:
        load_rent_data(directory)
    assert caught.value.file.endswith(PRICES_FILE)
    assert [p.path for p in caught.value.problems] == ["Hardware model (line 4)"]


def test_a_spread_step_falls_in_equal_parts_into_the_months_it_covers() -> None:
    event = LaunchEvent("X", dt.date(2024, 4, 1), ("H100",), spread_months=3)
    t = years_since_epoch
    assert _share(event, t(dt.date(2024, 1, 1)), t(dt.date(2024, 12, 1))) == 1.0
    assert _share(event, t(dt.date(2024, 1, 1)), t(dt.date(2024, 5, 1))) == pytest.approx(2 / 3)
    assert _share(event, t(dt.date(2024, 5, 1)), t(dt.date(2024, 9, 1))) == pytest.approx(1 / 3)
    assert _share(event, t(dt.date(2024, 4, 1)), t(dt.date(2024, 9, 1))) == pytest.approx(2 / 3)  # (t0, t1]


def test_changes_are_within_one_vendors_series_and_skip_hyperscaler_lists() -> None:
    frame = observations(
        [
            (dt.date(2024, 1, 1), "H100", "a", 3.0),
            (dt.date(2024, 1, 1), "H100", "a", 3.0 * math.e**0.2),  # same date: averaged in logs
            (dt.date(2024, 7, 1), "H100", "a", 3.0 * math.e**0.3),
            (dt.date(2024, 7, 1), "H100", "b", 9.0),  # one price: no change
        ]
    ).with_columns(pl.lit(True).alias("market"))
    listed = frame.vstack(observations([(dt.date(2024, 9, 1), "H100", "a", 1.0)]).with_columns(market=False))
    changes = series_changes(listed)
    assert changes.height == 1
    assert changes["dy"][0] == pytest.approx(0.2)
    assert changes["dt"][0] == pytest.approx(
        years_since_epoch(dt.date(2024, 7, 1)) - years_since_epoch(dt.date(2024, 1, 1))
    )


def test_exact_data_give_the_drift_and_steps_exactly() -> None:
    """Noise-free prices on a -0.10/yr trend with a -0.20 step in A100 only: the fit finds both, and no noise."""
    launch = LaunchEvent("H100", dt.date(2022, 9, 1), ("A100",))
    markups = {"a": 0.0, "b": 0.3, "c": -0.2}
    rows = []
    for vendor, markup in markups.items():
        for month in range(0, 36, 2 + len(vendor)):
            date = dt.date(2021 + month // 12, month % 12 + 1, 1)
            t = years_since_epoch(date)
            for generation, ratio in (("H100", 1.0), ("A100", 0.5)):
                step = -0.20 if generation == "A100" and date >= launch.month else 0.0
                rows.append((date, generation, vendor, 3.0 * ratio * math.exp(markup - 0.10 * t + step)))
    data = RentData(observations(rows), (launch,), "prices.csv", "launches.csv")
    point = point_fit(data, 1.2)
    assert point.drift == pytest.approx(-0.10, abs=1e-9)
    assert point.steps == (pytest.approx(-0.20, abs=1e-9),)
    assert max(point.volatility, point.cycle_volatility, point.price_noise) < 1e-6
    ratios = fit_ratios(data.observations)
    assert ratios["A100"][0] == pytest.approx(
        0.5
        * math.exp(
            -0.20 * (sum(r[0] >= launch.month for r in rows if r[1] == "A100") / sum(r[1] == "A100" for r in rows))
        )
    )


def test_ratios_are_same_vendor_same_date_pairs() -> None:
    day = dt.date(2024, 3, 1)
    frame = observations(
        [
            (day, "H100", "a", 4.0),
            (day, "A100", "a", 2.0),
            (day, "H100", "b", 3.0),
            (day, "A100", "b", 1.2),
            (dt.date(2024, 4, 1), "A100", "b", 0.1),  # no H100 that day: not a pair
        ]
    )
    ratio, se, pairs = fit_ratios(frame)["A100"]
    logs = [math.log(0.5), math.log(0.4)]
    mean = sum(logs) / 2
    assert pairs == 2
    assert ratio == pytest.approx(math.exp(mean))
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs))  # ddof 1 with two pairs
    assert se == pytest.approx(math.exp(mean) * sd / math.sqrt(2))


def test_presets_imply_their_launch_step_moments() -> None:
    base = preset_values(load_scenario("base").rent)
    assert base["launch_step_mean"] == pytest.approx(0.8 * -0.12)
    assert base["launch_step_sd"] == pytest.approx(math.sqrt(0.8 * (0.08**2 + 0.12**2) - (0.8 * 0.12) ** 2))
    assert base["trend_with_yearly_launch"] == pytest.approx(-0.06 - 0.096)
    assert base["short_run_volatility"] == pytest.approx(math.hypot(0.10, 0.20))
    assert base["ratios.A100"] == 0.47


def test_too_few_changes_is_a_data_error_naming_the_file() -> None:
    rows = [(dt.date(2024, m, 1), "H100", "a", 3.0 - 0.1 * m) for m in (1, 3, 5)]
    with pytest.raises(InputError) as caught:
        point_fit(RentData(observations(rows), (), "prices.csv", "launches.csv"), 1.2)
    assert caught.value.file == "prices.csv"
    assert caught.value.problems[0].path == "Price per chip-hour (on-demand)"
    assert "found 2 changes" in caught.value.problems[0].message


def test_the_bootstrap_is_seeded() -> None:
    data = load_rent_data()
    first, again, other = (fit_rent(data, replicates=8, seed=s) for s in (1, 1, 2))
    assert first.estimates == again.estimates
    assert [e.se for e in first.estimates] != [e.se for e in other.estimates]
    assert [e.value for e in first.estimates] == [e.value for e in other.estimates]  # only the errors move


def test_launches_the_data_cannot_tell_apart_are_a_launch_file_error() -> None:
    rows = [
        (dt.date(2024, m, 1), "H100", v, 3.0 - 0.1 * m + 0.01 * i) for i, v in enumerate("ab") for m in range(1, 12)
    ]
    twins = (LaunchEvent("X", dt.date(2024, 5, 1), ("H100",)), LaunchEvent("Y", dt.date(2024, 5, 1), ("H100",)))
    with pytest.raises(InputError) as caught:
        point_fit(RentData(observations(rows), twins, "prices.csv", "launches.csv"), 1.2)
    assert caught.value.file == "launches.csv"
    assert caught.value.problems[0].path == "volume_month"
    assert "X 2024-05, Y 2024-05" in caught.value.problems[0].message
