"""Checks of renewal options, re-letting and guarantees as written: each names its field path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import campus_deal, month
from waterfall.spec.checks import check_deal
from waterfall.spec.deal import Deal
from waterfall.spec.load import structure


def problems(raw: dict[str, Any]) -> dict[str, str]:
    deal = structure(raw, Deal, "<test>")
    return {p.path: p.message for p in check_deal(deal)}


def option(**terms: Any) -> dict[str, Any]:
    return {"term_months": 12, "basis": "fixed", "exercise": "always", **terms}


def test_options_in_sequence_pass() -> None:
    # term 12 from month 0: the first option starts at month 12, the second at 24
    raw = campus_deal({"renewals": [option(start=month(12)), option(start=month(24), term_months=6)]})
    assert problems(raw) == {}


@pytest.mark.parametrize(
    ("start", "words"),
    [(month(23), "overlaps the term before it"), (month(25), "leaves a gap after the term before it")],
)
def test_an_option_must_start_when_the_term_before_it_ends(start: str, words: str) -> None:
    raw = campus_deal({"renewals": [option(), option(start=start)]})
    found = problems(raw)
    assert list(found) == ["leases[0].renewals[1].start"]
    assert f"expected {month(24)}" in found["leases[0].renewals[1].start"]
    assert words in found["leases[0].renewals[1].start"]


def test_a_step_needs_the_escalated_basis() -> None:
    found = problems(campus_deal({"renewals": [option(step=0.1)]}))
    assert "expected 0 unless basis is 'escalated'" in found["leases[0].renewals[0].step"]
    assert problems(campus_deal({"renewals": [option(step=0.1, basis="escalated")]})) == {}


def test_re_letting_is_for_campus_and_fixed_rents_only() -> None:
    raw = campus_deal({"relet": {"downtime_months": 1, "term_months": 12}})
    raw["fleets"] = [
        {
            "name": "fleet",
            "generation": "H100",
            "count": 10,
            "cost_per_gpu": 1.0,
            "delivery": month(0),
            "useful_life_months": 60,
            "salvage_pct": 0.0,
        }
    ]
    raw["leases"][0]["rent"] = {"type": "per_gpu_hour", "fleet": "fleet", "gpus": 10, "rate": 2.0, "utilisation": 1.0}
    assert "found a per_gpu_hour lease" in problems(raw)["leases[0].relet"]


def _rvg(**terms: Any) -> dict[str, Any]:
    return {
        "type": "residual_value",
        "name": "rvg",
        "guarantor": "g",
        "lease": "lease",
        "cap": 1.0,
        "covers_months": 12,
        **terms,
    }


def test_an_rvg_has_one_threshold_and_pays_into_a_redemption_account_only() -> None:
    both = problems(
        {**campus_deal({}), "guarantees": [_rvg(floor=0.5, thresholds=[{"date": month(0), "amount": 1.0}])]}
    )
    assert "found both" in both["guarantees[0].floor"]
    neither = problems({**campus_deal({}), "guarantees": [_rvg()]})
    assert "found neither" in neither["guarantees[0].floor"]
    raw = {**campus_deal({}), "guarantees": [_rvg(floor=0.5, account="nowhere")]}
    assert "expected a redemption account" in problems(raw)["guarantees[0].account"]


def test_a_redeem_step_draws_on_a_redemption_account() -> None:
    raw = campus_deal({})
    raw["accounts"] = [{"type": "lock_up", "name": "trap"}]
    raw["waterfall"]["normal"].insert(1, {"type": "redeem", "account": "trap", "tranches": ["nobody"]})
    found = problems(raw)
    assert "expected a redemption account" in found["waterfall.normal[1].account"]
    assert "expected a tranche" in found["waterfall.normal[1].tranches[0]"]


def test_a_lease_has_one_backstop() -> None:
    backstop = {"type": "lease_backstop", "guarantor": "g", "cap": 1.0}
    raw = {
        **campus_deal({}),
        "guarantees": [{**backstop, "name": "a", "lease": "lease"}, {**backstop, "name": "b", "leases": ["lease"]}],
    }
    assert "no other backstop covers" in problems(raw)["guarantees[1].leases[0]"]
    raw["guarantees"] = [{**backstop, "name": "a"}]
    assert "found neither" in problems(raw)["guarantees[0].lease"]
