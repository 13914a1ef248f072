"""The obligor registry: hazards from ratings and CDS, contagion on each path, and its bad input."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from attrs import evolve

from waterfall.errors import InputError
from waterfall.market.factors.contagion import contagion_defaults, contagion_hazard
from waterfall.market.factors.tenants import TenantCredit, tenant_defaults
from waterfall.market.generate import generate, on_clock
from waterfall.market.obligors import (
    Cds,
    DefaultTable,
    Obligor,
    ObligorCredit,
    Rating,
    Registry,
    cds_hazard,
    hazard_of,
    registry_problems,
    shipped_registry,
    ultimate_parent,
    with_forced_default,
)
from waterfall.market.scenario import load_scenario, scenario_from, scenario_raw
from waterfall.spec.portfolio import load_portfolio

TABLE = DefaultTable(source="test", rates={"BBB": 0.0015, "B": 0.032})
MONTHS, PATHS = 120, 4000


def test_a_rating_hazard_is_the_intensity_of_its_one_year_default_rate() -> None:
    hazard, kind = hazard_of(Obligor(rating=Rating("S&P", "BBB")), TABLE)
    assert kind == "rating"
    assert hazard == pytest.approx(0.0015 + 0.0015**2 / 2 + 0.0015**3 / 3, rel=1e-9)  # -ln(1 - p) by its series
    assert 1 - math.exp(-hazard) == pytest.approx(0.0015)


def test_a_cds_hazard_is_spread_over_loss_given_default() -> None:
    assert cds_hazard(Cds(spread_bp=120.0, recovery=0.4)) == pytest.approx(0.02)  # 0.012 / 0.6
    # a CDS wins over a rating, a hand-set hazard over both
    both = Obligor(rating=Rating("S&P", "B"), cds=Cds(spread_bp=300.0, recovery=0.25))
    assert hazard_of(both, TABLE) == (pytest.approx(0.04), "cds")
    assert hazard_of(evolve(both, hazard=0.07), TABLE) == (0.07, "hand-set")


def test_an_upstream_obligor_that_never_defaults_changes_nothing() -> None:
    oracle = TenantCredit(annual_hazard=0.05, demand_sensitivity=0.5)
    state = np.random.default_rng(1).standard_normal((PATHS, MONTHS))
    alone = tenant_defaults({"Oracle": oracle}, MONTHS, np.random.default_rng(7), state, paths=PATHS)
    linked = contagion_defaults(
        {"Oracle": oracle, "OpenAI": TenantCredit(annual_hazard=0.0)},
        {"Oracle": {"OpenAI": 0.6}},
        2.0,
        MONTHS,
        np.random.default_rng(7),
        state,
        paths=PATHS,
    )
    assert (linked["OpenAI"] == -1).all()
    np.testing.assert_array_equal(linked["Oracle"], alone["Oracle"])


def test_an_upstream_default_raises_the_hazard_from_its_month_on_that_path_only() -> None:
    base = np.full(MONTHS, 0.01 / 12)
    upstream = np.array([-1, 30, 0, 119])
    hazard = contagion_hazard(base, {"OpenAI": (upstream, 0.5)}, 1.2, 4)
    step = 0.5 * 1.2 / 12
    np.testing.assert_allclose(hazard[0], base)
    np.testing.assert_allclose(hazard[1, :30], base[:30])
    np.testing.assert_allclose(hazard[1, 30:], base[30:] + step)
    np.testing.assert_allclose(hazard[2], base + step)
    np.testing.assert_allclose(hazard[3, 119], base[119] + step)


def test_a_forced_default_brings_dependents_forward_only_after_it() -> None:
    # OpenAI never defaults unless forced: the free run is the world without the event
    credits = {"Oracle": TenantCredit(annual_hazard=0.02), "OpenAI": TenantCredit(annual_hazard=0.0)}
    deps = {"Oracle": {"OpenAI": 0.6}}
    draw = lambda forced: contagion_defaults(  # noqa: E731
        credits, deps, 1.0, MONTHS, np.random.default_rng(3), paths=PATHS, forced=forced
    )
    free, forced = draw({}), draw({"OpenAI": 24})
    assert (forced["OpenAI"] == 24).all()
    before = (free["Oracle"] >= 0) & (free["Oracle"] < 24)
    np.testing.assert_array_equal(forced["Oracle"][before], free["Oracle"][before])
    late = np.where(free["Oracle"] < 0, MONTHS, free["Oracle"])
    now = np.where(forced["Oracle"] < 0, MONTHS, forced["Oracle"])
    assert (now <= late).all()
    assert (now < late).sum() > PATHS * 0.2  # 1 - exp(-0.6 * 8) of the survivors default by the horizon


def _chain_scenario(forced: dict[str, dt.date]) -> object:
    raw, label = scenario_raw("bust")
    # OpenAI never defaults unless forced: the free run is the world without the event
    raw["credit"]["obligors"] = {"hazard_multiple": 1.0, "obligors": {"OpenAI": {"hazard": 0.0}}}
    scenario = scenario_from(raw, label)
    settings = scenario.credit.obligors
    for name, month in forced.items():
        settings = with_forced_default(settings, name, month)
    return evolve(scenario, credit=evolve(scenario.credit, obligors=settings))


def test_in_a_portfolio_an_upstream_default_reaches_every_deal_on_the_same_paths(deals_dir) -> None:
    chain = load_portfolio(deals_dir / "portfolios" / "openai_chain.toml")
    abilene, frontier = (d for d in chain.deals if d.name in ("crusoe_abilene", "vantage_frontier"))
    start = min(abilene.calendar.start, frontier.calendar.start)
    event = dt.date(2027, 6, 1)
    seen: dict[tuple[str, bool], np.ndarray] = {}
    for forced in (False, True):
        scenario = _chain_scenario({"OpenAI": event} if forced else {})
        for deal in (abilene, frontier):
            market = generate(scenario, on_clock(deal, start, 400), 5, 0, 1024)
            assert "OpenAI" in market.tenant_default  # the upstream obligor is drawn with the deal
            seen[deal.name, forced] = market.tenant_default["Oracle"]
    m = (event.year - start.year) * 12 + event.month - start.month
    for name in ("crusoe_abilene", "vantage_frontier"):
        free, hit = seen[name, False], seen[name, True]
        before = (free >= 0) & (free < m)
        np.testing.assert_array_equal(hit[before], free[before])
        assert ((hit >= m) | before | (hit < 0)).all()
        assert ((hit >= 0) & ((free < 0) | (hit < free))).sum() > 100
    # one world: Oracle fails in the same month in both deals, path by path
    np.testing.assert_array_equal(seen["crusoe_abilene", True], seen["vantage_frontier", True])


def test_the_shipped_registry_is_clean_and_names_the_oracle_chain() -> None:
    registry = shipped_registry()
    assert registry_problems(registry) == []
    assert registry.obligors["Oracle"].dependencies["OpenAI"] > 0
    assert ultimate_parent("Google") == "Alphabet"
    assert ultimate_parent("Someone new") == "Someone new"


def _registry(**obligors: Obligor) -> Registry:
    return Registry(default_rates=TABLE, obligors=obligors)


@pytest.mark.parametrize(
    ("obligors", "path", "fragment"),
    [
        ({"A": Obligor(hazard=0.01, dependencies={"Ghost": 0.5})}, "obligors.A.dependencies.Ghost", "'Ghost'"),
        (
            {"A": Obligor(hazard=0.01, dependencies={"B": 0.5}), "B": Obligor(hazard=0.01, dependencies={"A": 0.1})},
            "obligors",
            "A -> B -> A",
        ),
        ({"A": Obligor(rating=Rating("S&P", "AA+"))}, "obligors.A.rating.grade", "found 'AA+'"),
        ({"A": Obligor(cds=Cds(spread_bp=100.0))}, "obligors.A.cds.recovery", "found none"),
        (
            {"A": Obligor(hazard=0.0), "B": Obligor(hazard=0.0, dependencies={"A": 1.5})},
            "obligors.B.dependencies.A",
            "found 1.5",
        ),
        ({"A": Obligor()}, "obligors.A", "found none"),
    ],
)
def test_bad_registries_name_the_field(obligors, path, fragment) -> None:
    problems = registry_problems(_registry(**obligors))
    assert any(p.path == path and fragment in p.message for p in problems), problems


def test_a_required_registry_refuses_a_tenant_it_does_not_know(deals_dir) -> None:
    from waterfall.spec.load import load_deal

    raw, label = scenario_raw("base")
    raw["credit"]["obligors"] = {"required": True}
    scenario = scenario_from(raw, label)
    deal = load_deal(deals_dir / "gpu_lease_spv.toml")
    generate(scenario, deal, 1, 0, 1024)  # Nimbus AI is in the registry
    named = evolve(deal, leases=tuple(evolve(lease, tenant="Unknown Co") for lease in deal.leases))
    with pytest.raises(InputError, match="Unknown Co"):
        generate(scenario, named, 1, 0, 1024)


def test_without_the_registry_a_preset_draws_as_before() -> None:
    assert load_scenario("base").credit.obligors is None
    assert ObligorCredit().hazard_multiple == 1.0


def test_adding_an_obligor_that_is_not_upstream_changes_no_other_draw() -> None:
    credits = {"Oracle": TenantCredit(annual_hazard=0.05), "OpenAI": TenantCredit(annual_hazard=0.05)}
    deps = {"Oracle": {"OpenAI": 0.6}}
    draw = lambda c: contagion_defaults(c, deps, 1.0, MONTHS, np.random.default_rng(11), paths=PATHS)  # noqa: E731
    before = draw(credits)
    after = draw({**credits, "Aardvark Co": TenantCredit(annual_hazard=0.5)})
    for name in credits:
        np.testing.assert_array_equal(after[name], before[name])
    assert (before["Oracle"] >= 0).sum() > 0


def test_conditioning_a_scenario_on_a_default_forces_it_and_refuses_a_stranger() -> None:
    from waterfall.market.scenario import with_obligor_default, with_registry

    base = load_scenario("base")
    assert with_registry(base).credit.obligors == ObligorCredit()
    event = with_obligor_default(base, "OpenAI", dt.date(2027, 6, 15))
    assert event.credit.obligors.forced == {"OpenAI": dt.date(2027, 6, 1)}
    with pytest.raises(InputError, match="Nobody Inc"):
        with_obligor_default(base, "Nobody Inc", dt.date(2027, 6, 1))
    raw, label = scenario_raw("base")
    raw["credit"]["obligors"] = {"forced": {"Nobody Inc": "2027-06"}}
    with pytest.raises(InputError, match=r"credit\.obligors\.forced"):
        scenario_from(raw, label)
