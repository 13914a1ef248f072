"""Every kind of user mistake: exit status 2, no traceback, ``file: path: expected ..., found ...``.

Each bad deal is a shipped example with one textual edit (a regex anchored on
keys, so the examples' numbers may change), written into a directory of its
own under a name of its own. The field path the message must name is worked
out from the example deal as parsed, where it depends on the deal's layout.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DEALS = Path(__file__).resolve().parents[2] / "deals"
GPU, CAMPUS = "gpu_lease_spv", "campus_15y"

Raw = dict[str, Any]


def raw_deal(base: str) -> Raw:
    return tomllib.loads((DEALS / f"{base}.toml").read_text(encoding="utf-8"))


def index_of(items: list[Raw], predicate: Callable[[Raw], bool]) -> int:
    return next(i for i, item in enumerate(items) if predicate(item))


def step(mode: str, kind: str, key: str = "") -> Callable[[Raw], str]:
    """The path of the first ``kind`` step in ``mode`` (then ``.key``)."""

    def path(raw: Raw) -> str:
        j = index_of(raw["waterfall"][mode], lambda s: s["type"] == kind)
        return f"waterfall.{mode}[{j}]" + (f".{key}" if key else "")

    return path


def tranche_with(coupon: str, key: str) -> Callable[[Raw], str]:
    """The path of ``key`` in the first tranche whose coupon is of type ``coupon``."""

    def path(raw: Raw) -> str:
        i = index_of(raw["tranches"], lambda t: t["coupon"]["type"] == coupon)
        return f"tranches[{i}].{key}"

    return path


def sources_total(raw: Raw) -> tuple[str, ...]:
    total = sum(raw["sources_and_uses"]["sources"].values())
    return ("expected sources to equal uses", f"sources {total:,.2f}", "uses 1.00")


def start_month(raw: Raw) -> tuple[str, ...]:
    return (f"{raw['calendar']['start']}", "found 2025-12")


@dataclass(frozen=True)
class Case:
    id: str
    base: str  # GPU or CAMPUS
    pattern: str  # regex (multiline) of the text replaced
    new: str
    path: str | Callable[[Raw], str]  # the field path the message must name
    fragments: tuple[str, ...] | Callable[[Raw], tuple[str, ...]] = ()
    occurrence: int | None = None  # None: the pattern matches once; n: replace the n-th match
    files: dict[str, str] = field(default_factory=dict)  # extra files beside the deal
    # worded "expected ..., found ..."; docs/deal-file.md words unknown keys and missing terms otherwise
    wording: bool = True

    def field_path(self) -> str:
        return self.path if isinstance(self.path, str) else self.path(raw_deal(self.base))

    def expected_fragments(self) -> tuple[str, ...]:
        fragments = self.fragments
        return fragments if isinstance(fragments, tuple) else fragments(raw_deal(self.base))


def tape(path: str) -> str:
    return f'[[tapes]]\nname = "colo_tape"\npath = "{path}"\n\n[[fees]]'


CASES = [
    # --- keys -------------------------------------------------------------
    Case(
        "unknown_top_level_key",
        GPU,
        r"^description(?= = )",
        "descripton",
        "descripton",
        ("descripton", "description"),
        wording=False,
    ),
    Case(
        "unknown_nested_key",
        GPU,
        r"^coupon(?= = )",
        "coupn",
        "tranches[1].coupn",
        ("coupn", "coupon"),
        occurrence=1,
        wording=False,
    ),
    Case(
        "unknown_key_in_inline_table",
        GPU,
        r"\bexercise(?= = )",
        "exercize",
        "leases[0].renewal.exercize",
        ("exercize", "exercise"),
        wording=False,
    ),
    Case(
        "missing_required_term",
        GPU,
        r"^day_count = .*\n",
        "",
        "calendar.day_count",
        ("required term missing",),
        wording=False,
    ),
    # --- dated calendars -------------------------------------------------
    Case(
        "first_payment_before_closing",
        GPU,
        r"^rounding = .*$",
        'rounding = "cents"\npayment_day = 15\nclosing_date = 2026-01-20\nfirst_payment_date = 2026-01-15',
        "calendar.first_payment_date",
        ("expected a date after closing 2026-01-20", "found 2026-01-15"),
    ),
    Case(
        "payment_day_31_without_end_of_month",
        GPU,
        r"^rounding = .*$",
        'rounding = "cents"\npayment_day = 31',
        "calendar.payment_day",
        ("end_of_month = true", "found 31"),
    ),
    Case(
        "unknown_holiday_calendar",
        GPU,
        r"^rounding = .*$",
        'rounding = "cents"\npayment_day = 20\nholidays = "TARGET"',
        "calendar.holidays",
        ("'US-settlement'", "'SIFMA'", "'NYSE'", "found 'TARGET'"),
    ),
    Case(
        "stub_longer_than_two_periods",
        GPU,
        r"^rounding = .*$",
        'rounding = "cents"\npayment_day = 20\nfirst_payment_date = 2026-08-20',
        "calendar.first_payment_date",
        ("at most two quarterly periods", "2026-01-01 to 2026-08-20"),
    ),
    # --- kinds ------------------------------------------------------------
    Case(
        "text_for_a_number",
        GPU,
        r"^balance = .*$",
        'balance = "300m"',
        "tranches[0].balance",
        ("expected a number, found '300m'",),
        occurrence=0,
    ),
    Case(
        "fraction_for_a_whole_number",
        GPU,
        r"^horizon_months = \d+",
        "horizon_months = 12.5",
        "calendar.horizon_months",
        ("expected a whole number, found 12.5",),
    ),
    Case(
        "not_a_month",
        CAMPUS,
        r"^legal_maturity = .*$",
        'legal_maturity = "2040-13"',
        "tranches[0].legal_maturity",
        ("expected a month \"YYYY-MM\", found '2040-13'",),
    ),
    Case(
        "word_outside_a_choice",
        GPU,
        r'^day_count = "[^"]*"',
        'day_count = "ACT/361"',
        "calendar.day_count",
        ("'ACT/360'", "found 'ACT/361'"),
    ),
    Case(
        "number_for_a_table",
        GPU,
        r"^power = \{.*\}",
        "power = 25.0",
        "costs.power",
        ("found 25.0",),
    ),
    Case(
        # [tranches] for [[tranches]]: one table where an array of tables belongs
        "table_for_an_array_of_tables",
        CAMPUS,
        r"^\[\[tranches\]\]",
        "[tranches]",
        "tranches",
    ),
    Case(
        "step_tranches_given_as_text_not_a_list",
        GPU,
        r'(?<=\{ type = "pay_interest", tranches = )\["senior"\]',
        '"senior"',
        step("normal", "pay_interest", "tranches"),
        ("found 'senior'",),
        occurrence=0,
    ),
    # --- ranges -----------------------------------------------------------
    Case(
        "negative_balance",
        GPU,
        r"^balance = .*$",
        "balance = -5.0",
        "tranches[0].balance",
        ("tranches[0].balance: expected a number >= 0, found -5.0",),
        occurrence=0,
    ),
    Case(
        "rate_out_of_range",
        GPU,
        r'(?<=coupon = \{ type = "fixed", rate = )[0-9._]+',
        "1.5",
        tranche_with("fixed", "coupon.rate"),
        ("expected a number in [-0.05, 1], found 1.5",),
    ),
    Case(
        "share_out_of_range",
        GPU,
        r"^utilisation = [0-9.]+",
        "utilisation = 1.2",
        "merchant[0].utilisation",
        ("expected a number in [0, 1], found 1.2",),
    ),
    Case(
        "hurdle_out_of_range",
        GPU,
        r"^holders = \[\"Sponsor Fund\"\]$",
        'holders = ["Sponsor Fund"]\nhurdle_rate = 1.5',
        "equity.hurdle_rate",
        ("equity.hurdle_rate: expected a number in [0, 1], found 1.5",),
    ),
    # --- tagged unions ----------------------------------------------------
    Case(
        "unknown_coupon_type",
        GPU,
        r'(?<=coupon = \{ type = )"floating"',
        '"flaoting"',
        tranche_with("floating", "coupon"),
        ("'fixed', 'floating'", "found 'flaoting'"),
    ),
    Case(
        "unknown_step_type",
        GPU,
        r'\{ type = "pay_equity" \}',
        '{ type = "pay_equities" }',
        step("normal", "pay_equity"),
        ("'pay_equity'", "found 'pay_equities'"),
        occurrence=0,
    ),
    Case(
        "tagged_union_without_type",
        CAMPUS,
        r'(?<=coupon = \{ )type = "[a-z]+", ',
        "",
        "tranches[0].coupon",
        ("'type'", "'fixed', 'floating'"),
    ),
    # --- names the waterfall refers to ------------------------------------
    Case(
        "step_names_an_unknown_tranche",
        GPU,
        r'(?<=\{ type = "pay_interest", tranches = \[)"senior"',
        '"senoir"',
        step("normal", "pay_interest", "tranches[0]"),
        ("found 'senoir'", "'senior'"),
        occurrence=0,
    ),
    Case(
        "step_draws_an_unknown_reserve",
        GPU,
        r'(?<=\{ type = "pay_interest", tranches = \["senior"\], reserve = )"[^"]*"',
        '"debt_reserve"',
        step("normal", "pay_interest", "reserve"),
        ("found 'debt_reserve'",),
        occurrence=0,
    ),
    Case(
        "fund_reserve_names_an_unknown_account",
        GPU,
        r'(?<=\{ type = "fund_reserve", account = )"[^"]*"',
        '"dsra2"',
        step("normal", "fund_reserve", "account"),
        ("found 'dsra2'",),
        occurrence=0,
    ),
    Case(
        "fund_reserve_names_a_lock_up_account",
        GPU,
        r'(?<=\{ type = "fund_reserve", account = )"[^"]*"',
        '"cash_trap"',
        step("normal", "fund_reserve", "account"),
        ("dsra or maintenance_reserve", "found 'cash_trap'"),
        occurrence=0,
    ),
    Case(
        "trap_names_an_unknown_account",
        GPU,
        r'(?<=\{ type = "trap", account = )"[^"]*"',
        '"cash_trapp"',
        step("lock_up", "trap", "account"),
        ("found 'cash_trapp'",),
    ),
    Case(
        "pay_fee_names_an_unknown_fee",
        GPU,
        r'(?<=\{ type = "pay_fee", fee = )"[^"]*"',
        '"servicr"',
        step("normal", "pay_fee", "fee"),
        ("found 'servicr'", "'servicer'"),
        occurrence=0,
    ),
    # --- terms that must agree --------------------------------------------
    Case(
        "sources_and_uses_do_not_balance",
        GPU,
        r"^uses = \{.*\}",
        "uses = { everything = 1.0 }",
        "sources_and_uses",
        sources_total,
    ),
    Case(
        "legal_maturity_before_start",
        GPU,
        r"^legal_maturity = .*$",
        'legal_maturity = "2025-12"',
        "tranches[0].legal_maturity",
        start_month,
        occurrence=0,
    ),
    Case(
        "legal_maturity_beyond_horizon",
        CAMPUS,
        r"^legal_maturity = .*$",
        'legal_maturity = "2099-01"',
        "tranches[0].legal_maturity",
        ("horizon", "found 2099-01"),
    ),
    # --- floating-rate annuities and swaps ---------------------------------
    Case(
        "sizing_rate_of_the_wrong_kind",
        GPU,
        r"term_months = 54 \}",
        'term_months = 54, sizing_rate = "fixed" }',
        "tranches[0].amortisation.sizing_rate",
        ("'hedged'", "'closing'", "found 'fixed'"),
        occurrence=0,
    ),
    Case(
        "sizing_rate_hedged_without_a_swap",
        GPU,
        r"term_months = 54 \}",
        'term_months = 54, sizing_rate = "hedged" }',
        "tranches[0].amortisation.sizing_rate",
        ("swap on SOFR", "found none"),
        occurrence=0,
    ),
    Case(
        "sizing_rate_with_reamortise",
        GPU,
        r"term_months = 54 \}",
        "term_months = 54, sizing_rate = 0.07, reamortise = true }",
        "tranches[0].amortisation.sizing_rate",
        ("reamortise = true", "found 0.07"),
        occurrence=0,
    ),
    Case(
        "sizing_rate_out_of_range",
        GPU,
        r"term_months = 54 \}",
        "term_months = 54, sizing_rate = 7.5 }",
        "tranches[0].amortisation.sizing_rate",
        ("-0.05 to 1", "found 7.5"),
        occurrence=0,
    ),
    Case(
        "pay_hedge_part_unknown",
        "vantage_frontier",
        r'\{ type = "pay_hedge", hedge = "rate_swap" \}',
        '{ type = "pay_hedge", hedge = "rate_swap", part = "sometimes" }',
        step("normal", "pay_hedge", "part"),
        ("'periodic'", "found 'sometimes'"),
        occurrence=0,
    ),
    Case(
        "swap_termination_never_paid",
        "vantage_frontier",
        r'\{ type = "pay_hedge", hedge = "rate_swap" \}',
        '{ type = "pay_hedge", hedge = "rate_swap", part = "periodic" }',
        "waterfall.default",
        ("'rate_swap'", '"termination"', "found none"),
        occurrence=2,
    ),
    # --- renewal options, re-letting, guarantees ----------------------------
    Case(
        "renewal_options_that_overlap",
        CAMPUS,
        r"^take_or_pay = true$",
        "take_or_pay = true\nrenewals = ["
        '{ term_months = 60, basis = "fixed", exercise = "always", start = "2040-06" }]',
        "leases[0].renewals[0].start",
        ("expected 2041-01", "found 2040-06", "overlaps"),
    ),
    Case(
        "renewal_and_renewals_together",
        CAMPUS,
        r"^take_or_pay = true$",
        "take_or_pay = true\n"
        'renewal = { term_months = 60, basis = "fixed", exercise = "always" }\n'
        'renewals = [{ term_months = 60, basis = "fixed", exercise = "always" }]',
        "leases[0].renewals",
        ("either renewal", "found both"),
    ),
    Case(
        "rvg_schedule_out_of_date_order",
        CAMPUS,
        r"^\[enforcement\]",
        '[[guarantees]]\ntype = "residual_value"\nname = "rvg"\nguarantor = "Parent Co"\n'
        'lease = "hyperscaler_lease"\ncap = 1e9\ncovers_months = 120\n'
        'thresholds = [{ date = "2030-01", amount = 1.3e9 }, { date = "2028-01", amount = 1.2e9 }]\n\n'
        "[enforcement]",
        "guarantees[0].thresholds[1].date",
        ("after 2030-01", "found 2028-01"),
    ),
    Case(
        "backstop_naming_lease_and_leases",
        CAMPUS,
        r"^\[enforcement\]",
        '[[guarantees]]\ntype = "lease_backstop"\nname = "bs"\nguarantor = "Parent Co"\ncap = 1e9\n'
        'lease = "hyperscaler_lease"\nleases = ["hyperscaler_lease"]\n\n[enforcement]',
        "guarantees[0].lease",
        ("exactly one of lease or leases", "found both"),
    ),
    # --- fees ---------------------------------------------------------------
    Case(
        "fee_schedule_with_two_amounts_in_a_month",
        CAMPUS,
        r"^basis = \{ type = \"fixed\", annual = [0-9_.]+ \}",
        'basis = { type = "schedule", schedule = [{ date = "2027-03", amount = 5.0 }, '
        '{ date = "2027-03", amount = 7.0 }] }',
        "fees[0].basis.schedule[1].date",
        ("expected a month after 2027-03", "one amount a month", "found 2027-03"),
    ),
    Case(
        "one_off_fee_beyond_the_horizon",
        CAMPUS,
        r"^basis = \{ type = \"fixed\", annual = [0-9_.]+ \}",
        'basis = { type = "one_off", date = "2045-01", amount = 5.0 }',
        "fees[0].basis.date",
        ("expected a month from 2026-01 to 2040-12", "found 2045-01"),
    ),
    Case(
        "recurring_fee_ending_before_it_starts",
        CAMPUS,
        r"^basis = \{ type = \"fixed\", annual = [0-9_.]+ \}",
        'basis = { type = "recurring", amount = 5.0, frequency = "quarterly", start = "2030-01", end = "2029-12" }',
        "fees[0].basis.end",
        ("expected a month from start 2030-01", "found 2029-12"),
    ),
    Case(
        "fee_with_an_unknown_arrears_rule",
        CAMPUS,
        r"^basis = \{ type = \"fixed\", annual = [0-9_.]+ \}",
        'basis = { type = "fixed", annual = 5.0 }\narrears = "defer"',
        "fees[0].arrears",
        ("'carry', 'forgive'", "'defer'"),
    ),
    Case(
        "reinvestment_at_an_unknown_index",
        CAMPUS,
        r"^\[\[fees\]\]",
        '[reinvestment]\nrate = { type = "index", index = "EURIBOR", spread = -0.0025 }\n\n[[fees]]',
        "reinvestment.rate.index",
        ("expected an index of market.index", "found 'EURIBOR'"),
        occurrence=0,
    ),
    # --- tapes --------------------------------------------------------------
    Case(
        "tape_file_missing",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("no_such_tape.csv"),
        "tapes[0].path",
        ("no_such_tape.csv",),
        occurrence=0,
    ),
    Case(
        "tape_with_wrong_columns",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("tape.csv"),
        "tapes[0].path",
        ("tape.csv", "'date'", "'amount'"),
        occurrence=0,
        files={"tape.csv": "month,value\n2026-01-01,1000000\n"},
    ),
    Case(
        "tape_with_unparseable_amounts",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("tape.csv"),
        "tapes[0].path",
        ("tape.csv", "'amount'"),
        occurrence=0,
        files={"tape.csv": "date,amount\n2026-01-01,1000000\n2026-02-01,1.2m\n"},
    ),
    Case(
        "tape_with_unparseable_dates",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("tape.csv"),
        "tapes[0].path",
        ("tape.csv", "'date'"),
        occurrence=0,
        files={"tape.csv": "date,amount\n2026-01-01,1000000\nFeb 2026,1000000\n"},
    ),
    Case(
        "terminal_value_without_a_campus_valuation",
        CAMPUS,
        r'^campus = \{ type = "income", cap_rate = [0-9.]+ \}$',
        "",
        "terminal_value.campus",
        ("expected a campus valuation", "found none"),
    ),
    Case(
        "terminal_value_cap_rate_out_of_bounds",
        CAMPUS,
        r"cap_rate = [0-9.]+",
        "cap_rate = 0.9",
        "terminal_value.campus.cap_rate",
        ("0.9",),
    ),
    # --- rounding policy and interest on arrears ------------------------------
    Case(
        "unknown_accrual_rounding",
        GPU,
        r'^rounding = "cents"$',
        'rounding = "cents"\naccrual_rounding = "stochastic"',
        "calendar.accrual_rounding",
        ("'half_even'", "'stochastic'"),
    ),
    Case(
        "payment_rounded_up",
        GPU,
        r'^rounding = "cents"$',
        'rounding = "cents"\npayment_rounding = "half_up"',
        "calendar.payment_rounding",
        ("'floor'", "'half_up'"),
    ),
    Case(
        "rounding_applied_where_unknown",
        GPU,
        r'^rounding = "cents"$',
        'rounding = "cents"\nfee_rounding = "floor"',
        "calendar.fee_rounding",
        ("fee_rounding", "accrual_rounding"),
        wording=False,
    ),
    Case(
        "interest_on_arrears_not_a_flag",
        GPU,
        r"^coupon(?= = )",
        'interest_on_arrears = "yes"\ncoupon',
        "tranches[1].interest_on_arrears",
        ("'yes'",),
        occurrence=1,
    ),
    Case(
        "escalator_frequency_unknown",
        CAMPUS,
        r"^escalator = ",
        'escalator_frequency = "fortnightly"\nescalator = ',
        "leases[0].escalator_frequency",
        ("'monthly'", "'fortnightly'"),
    ),
    Case(
        "escalator_index_unknown",
        CAMPUS,
        r"^escalator = 0.025 .*$",
        'escalator = 0.0\nescalator_index = { index = "CPI", cap = 0.04 }',
        "leases[0].escalator_index.index",
        ("'CPI'", "market.index"),
    ),
    Case(
        "escalator_index_floor_above_cap",
        CAMPUS,
        r"^escalator = 0.025 .*$",
        'escalator = 0.0\nescalator_index = { index = "SOFR", floor = 0.05, cap = 0.04 }',
        "leases[0].escalator_index.floor",
        ("0.05", "0.04"),
    ),
    Case(
        "escalator_and_escalator_index",
        CAMPUS,
        r"^escalator = 0.025(?= )",
        'escalator_index = { index = "SOFR" }\nescalator = 0.025',
        "leases[0].escalator",
        ("0.025",),
    ),
    Case(
        "collection_day_on_the_month_grid",
        GPU,
        r'^rounding = "cents"$',
        'rounding = "cents"\ncollection_period_end = { type = "day", day = 10 }',
        "calendar.collection_period_end.type",
        ("'payment_date' or 'month_end'", "payment_day", "found 'day'"),
    ),
    Case(
        "first_collection_period_ending_before_closing",
        CAMPUS,
        r'^rounding = "cents"$',
        'rounding = "cents"\ncollection_period_end = { type = "month_end" }',
        "calendar.collection_period_end",
        ("expected the first collection period to end on or after closing 2026-01-01", "end of 2026-01"),
    ),
    Case(
        "terminal_value_of_unknown_treatment",
        CAMPUS,
        r'^treatment = "sale"$',
        'treatment = "hold"',
        "terminal_value.treatment",
        ("'sale'", "'hold'"),
    ),
    Case(
        "tape_with_a_negative_amount",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("tape.csv"),
        "tapes[0].path",
        ("tape.csv", "expected amounts >= 0", "'amount'", "found -100.0 on row 2", "2026-02-01"),
        occurrence=0,
        files={"tape.csv": "date,amount\n2026-01-01,1000000\n2026-02-01,-100\n2026-03-01,1000000\n"},
    ),
    Case(
        "tape_with_an_infinite_amount",
        CAMPUS,
        r"^\[\[fees\]\]",
        tape("tape.csv"),
        "tapes[0].path",
        ("tape.csv", "expected amounts >= 0", "found inf on row 1"),
        occurrence=0,
        files={"tape.csv": "date,amount\n2026-01-01,inf\n"},
    ),
]

RUN_TOO = (
    "negative_balance",
    "step_names_an_unknown_tranche",
    "tape_with_wrong_columns",
    "tape_with_a_negative_amount",
)


@pytest.fixture(scope="module")
def reported(tmp_path_factory, run_waterfall_all, edit_text, deal_source) -> dict:
    """Every case validated (and a few run) in one batch, each in a directory of its own.

    (command, case id) -> (completed process, working directory)
    """
    commands, keys = [], []
    for case in CASES:
        for command in ("validate", "run") if case.id in RUN_TOO else ("validate",):
            cwd = tmp_path_factory.mktemp(f"{command}_{case.id}")
            text = edit_text(deal_source(case.base), case.pattern, case.new, case.occurrence)
            (cwd / f"{case.id}.toml").write_text(text, encoding="utf-8")
            for name, content in case.files.items():
                (cwd / name).write_text(content, encoding="utf-8")
            commands.append(((command, f"{case.id}.toml"), cwd))
            keys.append((command, case.id))
    results = run_waterfall_all(commands)
    return {key: (result, cwd) for key, result, (_, cwd) in zip(keys, results, commands, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_bad_deal_is_reported_at_its_field(case: Case, reported, user_error) -> None:
    result, _ = reported["validate", case.id]

    user_error(result, f"{case.id}.toml", case.field_path(), *case.expected_fragments(), wording=case.wording)


@pytest.mark.parametrize("case", [c for c in CASES if c.id in RUN_TOO], ids=lambda c: c.id)
def test_run_reports_a_bad_deal_and_writes_nothing(case: Case, reported, user_error) -> None:
    result, cwd = reported["run", case.id]

    user_error(result, f"{case.id}.toml", case.field_path(), *case.expected_fragments(), wording=case.wording)
    assert not (cwd / "out").exists()
    assert result.stdout == ""


def test_several_mistakes_are_reported_together(cli, write_deal, user_error) -> None:
    deal = write_deal(
        GPU,
        (r'(?<=coupon = \{ type = "fixed", rate = )[0-9._]+', "1.5"),
        (r'(?<=\{ type = "pay_fee", fee = )"[^"]*"', '"servicr"', 0),
        (r'(?<=\{ type = "trap", account = )"[^"]*"', '"cash_trapp"'),
        name="three_mistakes.toml",
    )
    raw = raw_deal(GPU)

    result = cli("validate", deal.name)

    user_error(result, deal.name, tranche_with("fixed", "coupon.rate")(raw), "found 1.5")
    user_error(result, deal.name, step("normal", "pay_fee", "fee")(raw), "found 'servicr'")
    user_error(result, deal.name, step("lock_up", "trap", "account")(raw), "found 'cash_trapp'")
    assert "3 problem(s)" in result.stderr


# --- the deal file itself ---------------------------------------------------


def test_malformed_toml_names_the_file_and_line(cli, deal_source, user_error, tmp_path: Path) -> None:
    lines = deal_source(CAMPUS).splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith("name = "))
    lines[line - 1] = lines[line - 1].rstrip().rstrip('"') + "\n"  # unterminated string
    deal = tmp_path / "malformed.toml"
    deal.write_text("".join(lines), encoding="utf-8")

    result = cli("validate", deal.name)

    # a syntax error has no field path: the file and the line locate it
    user_error(result, deal.name, "", "TOML", f"line {line}", wording=False)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_deal_file(cli, user_error, tmp_path: Path, command: str) -> None:
    result = cli(command, "no_such_deal.toml")

    user_error(result, "no_such_deal.toml", "", "not found", wording=False)
    assert not (tmp_path / "out").exists()


def test_a_directory_given_as_the_deal_file(cli, user_error, tmp_path: Path) -> None:
    (tmp_path / "a_directory.toml").mkdir()

    result = cli("validate", "a_directory.toml")

    user_error(result, "a_directory.toml", "", wording=False)


def test_deal_file_not_in_utf8(cli, deal_source, user_error, tmp_path: Path) -> None:
    # a deal saved by a Windows editor: cp1252, with a euro sign in a comment
    deal = tmp_path / "cp1252.toml"
    deal.write_bytes(("# costs in €\n" + deal_source(CAMPUS)).encode("cp1252"))

    result = cli("validate", deal.name)

    user_error(result, deal.name, "", wording=False)


# --- the output directory ---------------------------------------------------


@pytest.mark.parametrize("out", ["blocker/results", "blocker"], ids=["under_a_file", "is_a_file"])
def test_unwritable_out_directory(cli, deal_source, user_error, tmp_path: Path, out: str) -> None:
    deal = tmp_path / "deal.toml"
    deal.write_text(deal_source(GPU), encoding="utf-8")
    (tmp_path / "blocker").write_text("a regular file, not a directory\n")

    result = cli("run", deal.name, "--out", out)

    user_error(result, out, "--out", "expected a writable directory")
    assert (tmp_path / "blocker").read_text() == "a regular file, not a directory\n"


# --- values printed back to the user ----------------------------------------


@pytest.mark.parametrize("fee", ["tr[bold]ustee", "[/b]"])
def test_values_are_echoed_verbatim_not_as_console_markup(cli, write_deal, user_error, fee: str) -> None:
    deal = write_deal(CAMPUS, (r'(?<=\{ type = "pay_fee", fee = )"[^"]*"', f'"{fee}"', 0), name="markup.toml")

    result = cli("validate", deal.name)

    user_error(result, deal.name, step("normal", "pay_fee", "fee")(raw_deal(CAMPUS)), f"found {fee!r}")


def test_file_names_are_echoed_verbatim(cli, deal_source, edit_text, user_error, tmp_path: Path) -> None:
    good = tmp_path / "deal[v2].toml"
    good.write_text(deal_source(CAMPUS), encoding="utf-8")
    bad = tmp_path / "deal[v3].toml"
    bad.write_text(edit_text(deal_source(CAMPUS), r"^balance = .*$", "balance = -5.0"), encoding="utf-8")

    ok = cli("validate", good.name)
    assert ok.returncode == 0
    assert ok.stdout.startswith("deal[v2].toml: ok"), ok.stdout

    user_error(cli("validate", bad.name), "deal[v3].toml", "tranches[0].balance", "found -5.0")


# --- mistakes that pass validation must not crash the run --------------------


def test_an_empty_rate_curve_is_a_user_error_not_a_crash(cli, write_deal, user_error) -> None:
    deal = write_deal(GPU, (r"^points = \[.*\]", "points = []"), name="empty_curve.toml")

    result = cli("run", deal.name)

    index = next(iter(raw_deal(GPU)["market"]["index"]))
    user_error(result, deal.name, f"market.index.{index}.points")
