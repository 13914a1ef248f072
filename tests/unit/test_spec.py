"""Reading deal files through the Python API: strict structuring, checks, frozen results.

``structure(raw, cls, file)`` turns parsed TOML into the frozen tree or raises
``InputError`` whose ``problems`` locate every mistake by field path;
``load_deal`` adds tapes and the cross-field checks.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from attrs.exceptions import FrozenInstanceError

import waterfall
from tests.builders import month, one_tranche_deal
from waterfall import Deal, InputError, Problem, load_deal
from waterfall.spec import (
    account,
    collection,
    construction,
    costs,
    covenant,
    guarantee,
    hedge,
    lease,
    reinvestment,
    steps,
    terminal,
    tranche,
)
from waterfall.spec.checks import check_deal
from waterfall.spec.load import TAGGED_UNIONS, structure

DEALS = Path(__file__).resolve().parents[2] / "deals"
GPU, CAMPUS = DEALS / "gpu_lease_spv.toml", DEALS / "campus_15y.toml"


def raw_deal(path: Path = GPU) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def problems_of(raw: dict[str, Any], cls: type = Deal) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        structure(raw, cls, "deal.toml")
    assert caught.value.file == "deal.toml"
    return caught.value.problems


def only_problem(raw: dict[str, Any]) -> Problem:
    problems = problems_of(raw)
    assert len(problems) == 1, problems
    return problems[0]


def load_text(tmp_path: Path, text: str, name: str = "deal.toml") -> Deal:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_deal(path)


def load_problems(tmp_path: Path, text: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_text(tmp_path, text)
    return caught.value.problems


def edited(text: str, pattern: str, new: str) -> str:
    """Replace the first match of ``pattern`` (a regex anchored on a key, not a value)."""
    changed, count = re.subn(pattern, lambda _: new, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} no longer matches the example deal"
    return changed


def tranche0(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["tranches"][0]


# --- the shipped deals ------------------------------------------------------


@pytest.mark.parametrize("path", [GPU, CAMPUS], ids=lambda p: p.stem)
def test_the_shipped_deals_load(path: Path) -> None:
    deal = load_deal(path)

    assert isinstance(deal, Deal)
    assert deal.name == path.stem
    year, month = raw_deal(path)["calendar"]["start"].split("-")
    assert deal.calendar.start == dt.date(int(year), int(month), 1)
    # load_deal accepts a str as well as a Path, and gives an equal deal
    assert load_deal(str(path)) == deal
    # structuring alone gives the same tree (these deals have no tapes)
    assert structure(raw_deal(path), Deal, path.name) == deal


def test_numbers_are_structured_as_floats_and_counts_as_ints() -> None:
    raw = raw_deal(GPU)
    deal = structure(raw, Deal, "deal.toml")

    assert deal.calendar.horizon_months == raw["calendar"]["horizon_months"]
    assert type(deal.calendar.horizon_months) is int
    assert deal.fleets[0].count == raw["fleets"][0]["count"]
    assert type(deal.fleets[0].count) is int
    assert deal.tranches[0].balance == raw["tranches"][0]["balance"]
    assert type(deal.tranches[0].balance) is float
    assert f"{deal.tranches[1].legal_maturity:%Y-%m}" == raw["tranches"][1]["legal_maturity"]
    assert deal.tranches[1].legal_maturity.day == 1
    assert deal.equity.holders == tuple(raw["equity"]["holders"])


def test_an_integer_is_accepted_where_a_number_is_expected() -> None:
    raw = raw_deal()
    tranche0(raw)["balance"] = 300_000_000

    deal = structure(raw, Deal, "deal.toml")

    assert deal.tranches[0].balance == 300_000_000.0
    assert type(deal.tranches[0].balance) is float


# --- strict kinds -----------------------------------------------------------


def set_in(*keys: str | int) -> Callable[[dict[str, Any], Any], None]:
    def setter(raw: dict[str, Any], value: Any) -> None:
        node = raw
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return setter


STRICT = [
    # (where, value, path, message)
    (set_in("tranches", 0, "balance"), True, "tranches[0].balance", "expected a number, found True"),
    (set_in("tranches", 0, "balance"), "300m", "tranches[0].balance", "expected a number, found '300m'"),
    (set_in("calendar", "horizon_months"), True, "calendar.horizon_months", "expected a whole number, found True"),
    (set_in("calendar", "horizon_months"), 84.0, "calendar.horizon_months", "expected a whole number, found 84.0"),
    (set_in("calendar", "horizon_months"), 12.5, "calendar.horizon_months", "expected a whole number, found 12.5"),
    (set_in("calendar", "horizon_months"), "84", "calendar.horizon_months", "expected a whole number, found '84'"),
    (set_in("tranches", 0, "name"), 5, "tranches[0].name", "expected text, found 5"),
    (set_in("leases", 0, "take_or_pay"), 1, "leases[0].take_or_pay", "expected true or false, found 1"),
    (set_in("leases", 0, "take_or_pay"), "yes", "leases[0].take_or_pay", "expected true or false, found 'yes'"),
    (set_in("calendar", "start"), "2026-13", "calendar.start", "expected a month \"YYYY-MM\", found '2026-13'"),
    (set_in("calendar", "start"), "2026-00", "calendar.start", "expected a month \"YYYY-MM\", found '2026-00'"),
    (set_in("calendar", "start"), "2026-1", "calendar.start", "expected a month \"YYYY-MM\", found '2026-1'"),
    (set_in("calendar", "start"), "Jan 2026", "calendar.start", "expected a month \"YYYY-MM\", found 'Jan 2026'"),
    (set_in("calendar", "start"), 202601, "calendar.start", 'expected a month "YYYY-MM", found 202601'),
    (
        set_in("calendar", "start"),
        dt.datetime(2026, 1, 15, 9, 30),
        "calendar.start",
        'expected a month "YYYY-MM", found datetime.datetime(2026, 1, 15, 9, 30)',
    ),
    (
        set_in("tranches", 1, "pik"),
        "sometimes",
        "tranches[1].pik",
        "expected one of 'none', 'always', 'toggle', 'construction', found 'sometimes'",
    ),
    (
        set_in("calendar", "day_count"),
        "act/360",
        "calendar.day_count",
        "expected one of '30/360', '30E/360', 'ACT/360', 'ACT/365F', 'ACT/ACT', found 'act/360'",
    ),
    (set_in("equity", "holders"), ["Sponsor Fund", 7], "equity.holders[1]", "expected text, found 7"),
    (
        set_in("sources_and_uses", "sources", "senior"),
        "300m",
        "sources_and_uses.sources.senior",
        "expected a number, found '300m'",
    ),
    (
        set_in("market", "gpu_rent", "H100", "start"),
        False,
        "market.gpu_rent.H100.start",
        "expected a number, found False",
    ),
    (
        set_in("covenants", 0, "lock_up"),
        True,
        "covenants[0].lock_up",
        "expected a number, found True",
    ),
]


@pytest.mark.parametrize(
    ("where", "value", "path", "message"), STRICT, ids=[f"{path}={value!r}" for _, value, path, _ in STRICT]
)
def test_a_value_of_the_wrong_kind_is_refused_at_its_path(where, value, path: str, message: str) -> None:
    raw = raw_deal()
    where(raw, value)

    assert only_problem(raw) == Problem(path, message)


def test_a_toml_date_is_a_month_and_its_day_ignored() -> None:
    raw = raw_deal()
    raw["calendar"]["start"] = dt.date(2026, 1, 15)

    deal = structure(raw, Deal, "deal.toml")

    assert deal.calendar.start == dt.date(2026, 1, 1)


def test_text_is_not_split_into_a_list_of_characters() -> None:
    # holders = "Sponsor Fund" (brackets forgotten) must not become ("S", "p", "o", ...)
    raw = raw_deal()
    raw["equity"]["holders"] = "Sponsor Fund"

    problem = only_problem(raw)

    assert problem.path == "equity.holders"
    assert "expected" in problem.message
    assert "found 'Sponsor Fund'" in problem.message


def test_a_balance_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    # TOML's nan is a float, but no term sheet has it, and it passes every range test
    text = edited(CAMPUS.read_text(encoding="utf-8"), r"^balance = .*$", "balance = nan")

    problems = load_problems(tmp_path, text)

    assert "tranches[0].balance" in [p.path for p in problems], problems


# --- unknown and missing keys -----------------------------------------------


def test_an_unknown_key_is_refused_and_named() -> None:
    raw = raw_deal()
    raw["tranches"][1]["coupn"] = raw["tranches"][1]["coupon"]

    problem = only_problem(raw)

    # located under the tranche, naming the key (the CLI tests pin the exact path)
    assert problem.path.startswith("tranches[1]")
    assert "coupn" in str(problem)


def test_an_unknown_key_inside_a_tagged_union_is_refused() -> None:
    raw = raw_deal()
    raw["tranches"][1]["coupon"] = {"type": "fixed", "rate": 0.05, "spread": 0.01}

    problem = only_problem(raw)

    assert problem.path.startswith("tranches[1].coupon")
    assert "spread" in problem.path + problem.message


@pytest.mark.parametrize(
    ("keys", "path"),
    [
        (("calendar", "day_count"), "calendar.day_count"),
        (("tranches", 0, "legal_maturity"), "tranches[0].legal_maturity"),
        (("enforcement",), "enforcement"),
        (("leases", 0, "rent", "gpus"), "leases[0].rent.gpus"),
    ],
)
def test_a_missing_required_term_is_reported_at_its_path(keys: tuple, path: str) -> None:
    raw = raw_deal()
    node = raw
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]

    # worded as docs/deal-file.md documents it
    assert only_problem(raw) == Problem(path, "required term missing")


def test_optional_terms_take_their_defaults() -> None:
    raw = raw_deal()
    for key in ("description", "market", "sources_and_uses", "covenants", "fees", "merchant"):
        raw.pop(key)
    raw["tranches"][0].pop("interest_only_months")
    raw["tranches"][1].pop("pik")
    raw["waterfall"] = {
        mode: [s for s in raw["waterfall"][mode] if s["type"] != "pay_fee"] for mode in raw["waterfall"]
    }

    deal = structure(raw, Deal, "deal.toml")

    assert deal.description == ""
    assert deal.market.gpu_rent == {}
    assert deal.sources_and_uses is None
    assert deal.covenants == ()
    assert deal.tranches[0].interest_only_months == 0
    assert deal.tranches[1].pik == "none"


# --- every problem at once --------------------------------------------------


def test_all_structuring_problems_are_reported_at_once() -> None:
    raw = raw_deal()
    raw["calendar"]["start"] = "2026-13"
    raw["calendar"]["horizon_months"] = 84.0
    del raw["calendar"]["day_count"]
    tranche0(raw)["balance"] = True
    raw["tranches"][1]["coupon"] = {"type": "fixd", "rate": 0.05}
    fee = next(j for j, s in enumerate(raw["waterfall"]["default"]) if s["type"] == "pay_fee")
    raw["waterfall"]["default"][fee]["fee"] = 3

    problems = problems_of(raw)

    assert sorted(p.path for p in problems) == sorted(
        [
            "calendar.start",
            "calendar.horizon_months",
            "calendar.day_count",
            "tranches[0].balance",
            "tranches[1].coupon",
            f"waterfall.default[{fee}].fee",
        ]
    )


def test_all_check_problems_are_reported_at_once(tmp_path: Path) -> None:
    raw = raw_deal(GPU)
    text = GPU.read_text(encoding="utf-8")
    for pattern, new in [
        (r"^legal_maturity = .*$", 'legal_maturity = "2025-12"'),
        (r'(?<=\{ type = "pay_fee", fee = )"[^"]*"', '"servicr"'),
        (r'(?<=\{ type = "trap", account = )"[^"]*"', '"cash_trapp"'),
        (r"^uses = \{.*\}", "uses = { everything = 1.0 }"),
        (r"^utilisation = [0-9.]+", "utilisation = 1.2"),
    ]:
        text = edited(text, pattern, new)

    problems = load_problems(tmp_path, text)

    fee = next(j for j, s in enumerate(raw["waterfall"]["normal"]) if s["type"] == "pay_fee")
    trap = next(j for j, s in enumerate(raw["waterfall"]["lock_up"]) if s["type"] == "trap")
    assert sorted(p.path for p in problems) == sorted(
        [
            "merchant[0].utilisation",
            "tranches[0].legal_maturity",
            f"waterfall.normal[{fee}].fee",
            f"waterfall.lock_up[{trap}].account",
            "sources_and_uses",
        ]
    )
    for problem in problems:
        assert re.search(r"\bexpected\b.*\bfound\b", problem.message), problem


def test_the_error_renders_every_problem_with_its_file() -> None:
    raw = raw_deal()
    raw["calendar"]["start"] = "2026-13"
    tranche0(raw)["balance"] = "abc"

    with pytest.raises(InputError) as caught:
        structure(raw, Deal, "deals/x.toml")

    error = caught.value
    assert all(isinstance(p, Problem) for p in error.problems)
    lines = str(error).splitlines()
    assert lines[0] == "deals/x.toml: 2 problem(s)"
    assert "  deals/x.toml: calendar.start: expected a month \"YYYY-MM\", found '2026-13'" in lines
    assert "  deals/x.toml: tranches[0].balance: expected a number, found 'abc'" in lines


def test_problem_text() -> None:
    assert str(Problem("tranches[0].balance", "expected a number, found 'x'")) == (
        "tranches[0].balance: expected a number, found 'x'"
    )
    assert str(Problem("", "file not found")) == "file not found"


def test_load_deal_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_deal(tmp_path / "nope.toml")

    assert caught.value.file == str(tmp_path / "nope.toml")
    assert len(caught.value.problems) == 1


def test_load_deal_reports_malformed_toml(tmp_path: Path) -> None:
    problems = load_problems(tmp_path, 'name = "unterminated\n')

    assert len(problems) == 1
    assert "TOML" in problems[0].message


# --- frozen -----------------------------------------------------------------


@pytest.fixture(scope="module")
def gpu_deal() -> Deal:
    return load_deal(GPU)


@pytest.mark.parametrize(
    ("get", "attribute", "value"),
    [
        (lambda d: d, "name", "other"),
        (lambda d: d.calendar, "horizon_months", 12),
        (lambda d: d.tranches[0], "balance", 1.0),
        (lambda d: d.tranches[0].coupon, "spread", 0.0),
        (lambda d: d.waterfall, "normal", ()),
        (lambda d: d.waterfall.normal[3], "tranches", ("mezz",)),
        (lambda d: d.accounts[0], "closing_balance", 0.0),
        (lambda d: d.equity, "amount", 0.0),
    ],
    ids=["deal", "calendar", "tranche", "coupon", "waterfall", "step", "account", "equity"],
)
def test_the_deal_is_frozen(gpu_deal: Deal, get, attribute: str, value: object) -> None:
    node = get(gpu_deal)
    before = getattr(node, attribute)

    with pytest.raises(FrozenInstanceError):
        setattr(node, attribute, value)
    with pytest.raises(FrozenInstanceError):
        delattr(node, attribute)

    assert getattr(node, attribute) == before


def test_the_deal_collections_are_tuples(gpu_deal: Deal) -> None:
    for name in ("tranches", "leases", "fleets", "fees", "accounts", "covenants", "merchant", "tapes"):
        assert isinstance(getattr(gpu_deal, name), tuple), name
    for mode in ("normal", "lock_up", "default"):
        assert isinstance(getattr(gpu_deal.waterfall, mode), tuple), mode
    assert isinstance(gpu_deal.market.index["SOFR"].points, tuple)


def test_evolve_gives_a_new_deal_and_leaves_the_original(gpu_deal: Deal) -> None:
    renamed = attrs.evolve(gpu_deal, name="other")

    assert renamed.name == "other"
    assert gpu_deal.name == "gpu_lease_spv"
    assert renamed.tranches is gpu_deal.tranches


# --- tagged unions ----------------------------------------------------------


TAG_CLASSES = {union: {tag: cls for cls, tag in tags.items()} for union, tags in TAGGED_UNIONS}


def assert_structured(value: object, table: dict[str, Any], union: Any) -> None:
    """``value`` is the class ``table["type"]`` names in ``union``, with the table's terms."""
    assert type(value) is TAG_CLASSES[union][table["type"]], (value, table)
    for key, given in table.items():
        if key != "type":
            assert_term(getattr(value, key), given)


def assert_term(got: object, given: object) -> None:
    if isinstance(given, list):
        assert isinstance(got, tuple)
        assert len(got) == len(given)
        for g, v in zip(got, given, strict=True):
            assert_term(g, v)
    elif isinstance(given, dict):
        for key, value in given.items():
            assert_term(getattr(got, key), value)
    elif isinstance(given, str) and isinstance(got, dt.date):
        assert f"{got:%Y-%m}" == given
    else:
        assert got == given
        assert type(got) is type(given) or (type(got) is float and type(given) is int)


@pytest.mark.parametrize("path", [GPU, CAMPUS], ids=lambda p: p.stem)
def test_tagged_unions_in_the_shipped_deals_structure_to_their_classes(path: Path) -> None:
    raw = raw_deal(path)
    deal = load_deal(path)

    for t, r in zip(deal.tranches, raw["tranches"], strict=True):
        assert_structured(t.coupon, r["coupon"], tranche.Coupon)
        assert_structured(t.amortisation, r["amortisation"], tranche.Amortisation)
    for x, r in zip(deal.leases, raw.get("leases", []), strict=True):
        assert_structured(x.rent, r["rent"], lease.Rent)
    for f, r in zip(deal.fees, raw.get("fees", []), strict=True):
        assert_structured(f.basis, r["basis"], costs.FeeBasis)
    for a, r in zip(deal.accounts, raw.get("accounts", []), strict=True):
        assert_structured(a, r, account.Account)
    for c, r in zip(deal.covenants, raw.get("covenants", []), strict=True):
        assert_structured(c, r, covenant.Covenant)
    for mode in ("normal", "lock_up", "default"):
        for s, r in zip(getattr(deal.waterfall, mode), raw["waterfall"][mode], strict=True):
            assert_structured(s, r, steps.Step)


def test_the_shipped_deals_use_many_kinds() -> None:
    # the structuring test above covers what the examples use: keep it covering a lot
    deals = [load_deal(GPU), load_deal(CAMPUS)]
    coupons = {type(t.coupon) for d in deals for t in d.tranches}
    amortisations = {type(t.amortisation) for d in deals for t in d.tranches}
    rents = {type(x.rent) for d in deals for x in d.leases}
    kinds = {type(s) for d in deals for s in d.waterfall.normal + d.waterfall.lock_up}
    assert coupons == {tranche.FixedCoupon, tranche.FloatingCoupon}
    assert len(amortisations) >= 3
    assert rents >= {lease.PerGpuHourRent, lease.PerMwRent}
    assert len(kinds) >= 7


# one valid table per tag of every tagged union
EXAMPLES: dict[type, dict[str, Any]] = {
    lease.FixedRent: {"type": "fixed", "monthly": 1.0},
    lease.PerMwRent: {"type": "per_mw", "campus": "c", "mw": 1.0, "rate_per_mw_month": 2.0},
    lease.PerGpuHourRent: {"type": "per_gpu_hour", "fleet": "f", "gpus": 8, "rate": 2.0, "utilisation": 0.5},
    costs.FixedFee: {"type": "fixed", "annual": 1.0},
    costs.BpsFee: {"type": "bps", "bps": 10.0, "of": "collateral_value"},
    reinvestment.FixedReinvestment: {"type": "fixed", "rate": 0.04},
    collection.AtPaymentDate: {"type": "payment_date"},
    collection.AtMonthEnd: {"type": "month_end"},
    collection.OnDay: {"type": "day", "day": 10},
    reinvestment.IndexReinvestment: {"type": "index", "index": "SOFR", "spread": -0.0025},
    costs.OneOffFee: {"type": "one_off", "date": "2027-03", "amount": 5.0},
    costs.ScheduledFee: {"type": "schedule", "schedule": [{"date": "2027-03", "amount": 5.0}]},
    costs.RecurringFee: {"type": "recurring", "amount": 5.0, "frequency": "semiannual", "start": "2027-03"},
    account.DebtServiceReserve: {
        "type": "dsra",
        "name": "d",
        "tranches": ["a"],
        "target_months": 6.0,
        "closing_balance": 0.0,
    },
    account.MaintenanceReserve: {"type": "maintenance_reserve", "name": "m", "target": 1.0},
    account.LockUp: {"type": "lock_up", "name": "l"},
    account.Redemption: {"type": "redemption", "name": "x"},
    tranche.FixedCoupon: {"type": "fixed", "rate": 0.05},
    tranche.FloatingCoupon: {"type": "floating", "index": "SOFR", "spread": 0.02},
    tranche.Bullet: {"type": "bullet"},
    tranche.LevelAnnuity: {"type": "level_annuity", "term_months": 12},
    tranche.StraightLine: {"type": "straight_line", "term_months": 12},
    tranche.CustomSchedule: {"type": "custom", "schedule": [{"date": "2027-03", "amount": 5.0}]},
    tranche.Sculpted: {"type": "sculpted", "target_dscr": 1.3, "term_months": 12},
    covenant.DscrTest: {"type": "dscr", "trailing_months": 12, "lock_up": 1.2},
    covenant.LtvTest: {"type": "ltv", "sweep": 0.8},
    covenant.MinLiquidity: {"type": "min_liquidity", "default": 1.0},
    covenant.PaymentDefault: {"type": "payment", "tranches": ["a"]},
    steps.PayExpenses: {"type": "pay_expenses"},
    steps.PayFee: {"type": "pay_fee", "fee": "f"},
    steps.PayInterest: {"type": "pay_interest", "tranches": ["a"]},
    steps.PayPrincipal: {"type": "pay_principal", "tranches": ["a", "b"], "reserve": "r"},
    steps.FundReserve: {"type": "fund_reserve", "account": "r"},
    steps.Sweep: {"type": "sweep", "tranches": ["a"], "percent": 0.5},
    steps.Trap: {"type": "trap", "account": "t"},
    steps.Redeem: {"type": "redeem", "account": "x", "tranches": ["a"]},
    steps.PayEquity: {"type": "pay_equity"},
    guarantee.ResidualValueGuarantee: {
        "type": "residual_value",
        "name": "rvg",
        "guarantor": "g",
        "lease": "l",
        "floor": 0.5,
        "cap": 1.0,
        "covers_months": 12,
    },
    guarantee.LeaseBackstop: {"type": "lease_backstop", "name": "b", "guarantor": "g", "lease": "l", "cap": 1.0},
    steps.PayHedge: {"type": "pay_hedge", "hedge": "h"},
    construction.EquityFunds: {"type": "equity"},
    construction.SponsorFunds: {"type": "sponsor", "sponsor": "Meta"},
    construction.DebtFunds: {"type": "debt", "tranche": "a"},
    terminal.IncomeApproach: {"type": "income", "cap_rate": 0.07, "noi_months": 6},
    terminal.BookValue: {"type": "book"},
    steps.SellCrypto: {"type": "sell_crypto", "holding": "btc", "tranches": ["a"]},
    hedge.InterestRateSwap: {
        "type": "swap",
        "name": "h",
        "index": "SOFR",
        "notional": 1.0,
        "fixed_rate": 0.04,
        "start": "2026-01",
        "end": "2030-01",
    },
    hedge.InterestRateCap: {
        "type": "cap",
        "name": "c",
        "index": "SOFR",
        "notional": 1.0,
        "strike": 0.05,
        "start": "2026-01",
        "end": "2030-01",
        "amortise_with": "a",
    },
}

UNION_TAGS = [(union, cls, tag) for union, tags in TAGGED_UNIONS for cls, tag in tags.items()]


def test_every_tag_has_an_example() -> None:
    assert {cls for _, cls, _ in UNION_TAGS} == set(EXAMPLES)


@pytest.mark.parametrize(("union", "cls", "tag"), UNION_TAGS, ids=[f"{c.__name__}" for _, c, _ in UNION_TAGS])
def test_each_tag_structures_to_its_class(union: Any, cls: type, tag: str) -> None:
    example = EXAMPLES[cls]
    assert example["type"] == tag

    value = structure(copy.deepcopy(example), union, "deal.toml")

    assert type(value) is cls
    assert_structured(value, example, union)


def test_a_custom_schedule_structures_its_entries() -> None:
    value = structure(EXAMPLES[tranche.CustomSchedule], tranche.Amortisation, "deal.toml")

    assert value == tranche.CustomSchedule(schedule=(tranche.ScheduleEntry(date=dt.date(2027, 3, 1), amount=5.0),))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"type": "flaoting", "index": "SOFR"}, "expected type one of 'fixed', 'floating', found 'flaoting'"),
        ({"rate": 0.05}, "expected a key 'type' (one of 'fixed', 'floating'), found none"),
        ("fixed", "expected a table with type = 'fixed', 'floating', found 'fixed'"),
    ],
    ids=["unknown_type", "no_type", "not_a_table"],
)
def test_a_bad_tag_is_refused_with_the_choices(table: object, message: str) -> None:
    raw = raw_deal()
    tranche0(raw)["coupon"] = table

    assert only_problem(raw) == Problem("tranches[0].coupon", message)


def test_a_tag_does_not_borrow_another_tags_fields() -> None:
    # a fixed coupon with floating terms is refused, not silently re-typed
    raw = raw_deal()
    tranche0(raw)["coupon"] = {"type": "fixed", "index": "SOFR", "spread": 0.045}

    problems = problems_of(raw)

    assert {p.path.split(".")[0] for p in problems} == {"tranches[0]"}
    assert any("rate" in str(p) for p in problems)
    assert any("index" in str(p) for p in problems)


def test_the_package_exports_the_api() -> None:
    for name in ("load_deal", "simulate", "Deal", "InputError", "Problem"):
        assert hasattr(waterfall, name), name


def test_equity_hurdle_rate_is_optional_with_its_documented_default(tmp_path: Path) -> None:
    assert load_deal(GPU).equity.hurdle_rate == 0.08  # no hurdle_rate in the file
    text = GPU.read_text(encoding="utf-8").replace(
        'holders = ["Sponsor Fund"]', 'holders = ["Sponsor Fund"]\nhurdle_rate = 0.12'
    )
    assert load_text(tmp_path, text).equity.hurdle_rate == 0.12


@pytest.mark.parametrize("amount", [-100.0, float("nan"), float("inf")])
def test_a_tape_built_in_code_with_an_amount_no_tape_may_hold_is_refused(amount: float) -> None:
    raw = one_tranche_deal(
        {"balance": 1.0, "legal_maturity": month(11), "coupon": {"type": "fixed", "rate": 0.05},
         "amortisation": {"type": "bullet"}},
        horizon=12, monthly_rent=1.0,
    )  # fmt: skip
    deal = structure(raw, Deal, "<test>")
    deal = attrs.evolve(deal, tapes=(lease.Tape(name="colo", path="colo.csv", amounts=(5.0, amount, -1.0)),))
    problems = check_deal(deal)
    assert [p.path for p in problems] == ["tapes[0].amounts[1]"]
    assert "expected an amount >= 0" in problems[0].message


@pytest.mark.parametrize(
    ("calendar", "maturity", "first"),
    [
        ({"payment_frequency": "quarterly"}, "2026-02", "2026-03"),  # month grid: the first quarter's end
        ({"payment_frequency": "quarterly", "payment_day": 1, "closing_date": "2026-01-01"}, "2026-03", "2026-04"),
    ],
)
def test_a_maturity_before_the_first_payment_date_is_refused(calendar, maturity, first) -> None:
    raw = one_tranche_deal(
        {"balance": 1.0, "legal_maturity": maturity, "coupon": {"type": "fixed", "rate": 0.05},
         "amortisation": {"type": "bullet"}},
        horizon=12, monthly_rent=1.0,
    )  # fmt: skip
    raw["calendar"].update(calendar)
    if "closing_date" in calendar:
        raw["calendar"]["closing_date"] = dt.date.fromisoformat(calendar["closing_date"])
    problems = [p for p in check_deal(structure(raw, Deal, "<test>")) if p.path == "tranches[0].legal_maturity"]
    assert len(problems) == 1
    assert f"on or after the first payment's ({first})" in problems[0].message
    assert f"found {maturity}" in problems[0].message
