"""Scenarios: the market a deal is run in, as data, separate from any deal.

A scenario file (or a preset shipped in ``waterfall/market/presets``) names the
factor models and their parameters; ``waterfall.market.generate`` turns it into
``Market`` arrays for a deal and a block of paths. Any deal runs under any
scenario: what a scenario says about "any tenant" applies to the tenants of
whatever deal it meets, and its rate models act on the deal's own index curves.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

from attrs import evolve, field, frozen

from waterfall.errors import InputError, Problem, key_path
from waterfall.market.factors import (
    BtcModel,
    CampusRentModel,
    CapRateModel,
    CreditMarket,
    DemandModel,
    LiquidationModel,
    ResidualCurve,
    TenantCredit,
)
from waterfall.market.obligors import (
    ObligorCredit,
    deal_problems,
    merged,
    scenario_problems,
    upstream_closure,
    with_forced_default,
)
from waterfall.spec.bounds import at_least, between
from waterfall.spec.checks import walk_bounds
from waterfall.spec.deal import Deal
from waterfall.spec.load import exists, read_toml, register_union, structure

PRESETS = ("base", "bust", "rates_high", "slow_build")
# a scenario's name names its results directory: a plain file name
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@frozen
class LaunchDate:
    """A new GPU generation's launch: rents of the generations it hits may jump down.

    ``jump_mean`` and ``jump_sd`` are of the log change; the drop is spread
    over ``spread_months``; ``generations`` empty means every generation.
    """

    date: dt.date
    jump_probability: float = field(metadata=between(0, 1))
    jump_mean: float = field(metadata=between(-5, 5))
    jump_sd: float = field(metadata=at_least(0))
    generations: tuple[str, ...] = ()
    spread_months: int = field(default=1, metadata=at_least(1))


@frozen
class RentScenario:
    """GPU market rent per GPU-hour: the reference generation's level at each
    deal's closing and its log dynamics (see ``waterfall.market.factors.rent``)."""

    start: float = field(metadata=at_least(0, strict=True))
    reference: str
    ratios: dict[str, float]
    drift: float = field(metadata=between(-5, 5))
    volatility: float = field(metadata=at_least(0))
    mean_reversion: float = field(metadata=at_least(0))
    cycle_volatility: float = field(metadata=at_least(0))
    floor: float = field(metadata=at_least(0))
    demand_loading: float = field(metadata=between(-1, 1))
    launches: tuple[LaunchDate, ...] = ()


@frozen
class ForwardRates:
    """The deal's own index curve shifted in parallel (deterministic)."""

    shock_bp: float = field(metadata=between(-10_000, 10_000))


@frozen
class HullWhiteRates:
    """Hull-White one-factor short rate around the deal's index curve (+ a parallel shock)."""

    mean_reversion: float = field(metadata=at_least(0))
    volatility: float = field(metadata=at_least(0))
    shock_bp: float = field(metadata=between(-10_000, 10_000))
    demand_loading: float = field(metadata=between(-1, 1))


RatesModel = ForwardRates | HullWhiteRates
RATES_TAGS = {ForwardRates: "forward", HullWhiteRates: "hull_white"}
register_union(RatesModel, RATES_TAGS)


@frozen
class Credit:
    """Tenant credit: ``any_tenant`` applies to every tenant not named in ``tenants``."""

    any_tenant: TenantCredit
    tenants: dict[str, TenantCredit] = field(factory=dict)
    # the obligor registry with contagion (waterfall.market.obligors); None: names drawn apart as before
    obligors: ObligorCredit | None = None

    def of(self, tenant: str) -> TenantCredit:
        return self.tenants.get(tenant, self.any_tenant)


@frozen
class Collateral:
    """GPU residual value by age and rent level, and how a foreclosure sale goes.

    ``benchmark_drift`` is the annual log rent trend the age curve was fitted
    under (the market's observed trend): a path whose rent runs below that trend
    has GPUs worth less than the curve says, one above it worth more.
    """

    residual: ResidualCurve
    liquidation: LiquidationModel
    benchmark_drift: float = field(metadata=between(-5, 5))


@frozen
class ConstructionRisk:
    """Delay (months) to every asset still being built, and cost overrun (share of the
    construction budget), each drawn per path from a gamma with this mean and sd."""

    delay_mean_months: float = field(metadata=at_least(0))
    delay_sd_months: float = field(metadata=at_least(0))
    overrun_mean: float = field(metadata=at_least(0))
    overrun_sd: float = field(metadata=at_least(0))


@frozen
class Scenario:
    name: str
    as_of: dt.date
    rent: RentScenario
    credit: Credit
    collateral: Collateral
    demand: DemandModel
    rates: dict[str, RatesModel] = field(factory=dict)
    crypto: dict[str, BtcModel] = field(factory=dict)
    construction: ConstructionRisk | None = None
    credit_market: CreditMarket | None = None
    description: str = ""
    # campus market rent factors by name (waterfall.market.factors.campus)
    campus_rent: dict[str, CampusRentModel] = field(factory=dict)
    # the shift of campus exit cap rates from each deal's own (waterfall.market.factors.cap_rate)
    cap_rate: CapRateModel | None = None


def _check(scenario: Scenario) -> list[Problem]:
    problems = list(walk_bounds(scenario, ""))
    if not NAME.match(scenario.name):
        problems.append(
            Problem("name", f"expected letters, digits, '_', '-' or '.', starting with one, found {scenario.name!r}")
        )
    rent = scenario.rent
    if rent.ratios.get(rent.reference, 1.0) != 1.0:
        problems.append(
            Problem(
                key_path("rent.ratios", rent.reference),
                f"expected 1.0 for the reference generation, found {rent.ratios[rent.reference]!r}",
            )
        )
    generations = {rent.reference, *rent.ratios}
    for i, launch in enumerate(rent.launches):
        for k, name in enumerate(launch.generations):
            if name not in generations:
                problems.append(
                    Problem(
                        f"rent.launches[{i}].generations[{k}]", f"expected one of {sorted(generations)}, found {name!r}"
                    )
                )
    residual = scenario.collateral.residual
    if residual.method == "declining_balance" and residual.salvage <= 0:
        problems.append(
            Problem(
                "collateral.residual.salvage",
                f"expected a number > 0 for declining_balance, found {residual.salvage!r}",
            )
        )
    for i, launch in enumerate(scenario.rent.launches):
        if launch.date < scenario.as_of:
            problems.append(
                Problem(
                    f"rent.launches[{i}].date",
                    f"expected a launch on or after as_of {scenario.as_of:%Y-%m}, found {launch.date:%Y-%m}",
                )
            )
    if scenario.credit_market is not None and not scenario.credit_market.spreads.classes:
        problems.append(Problem("credit_market.spreads.classes", "expected at least one rating class, found none"))
    for name, ratio in scenario.rent.ratios.items():
        if ratio <= 0:
            problems.append(Problem(key_path("rent.ratios", name), f"expected a number > 0, found {ratio!r}"))
    if scenario.credit.obligors is not None:
        problems += scenario_problems(scenario.credit.obligors, scenario.credit.tenants)
    return problems


def check_against(scenario: Scenario, deal: Deal, label: str) -> None:
    """A scenario must price every GPU generation the deal holds, every campus rent factor
    its leases read, and every rating class its tranches refinance at when it models the
    credit market; raises ``InputError``."""
    generations = {scenario.rent.reference, *scenario.rent.ratios}
    problems = [
        Problem("rent.ratios", f"expected a ratio for {fleet.generation!r} (deal {deal.name!r}), found none")
        for fleet in deal.fleets
        if fleet.generation not in generations
    ]
    for i, lease in enumerate(deal.leases):
        if lease.reads_campus_rent and lease.market_rent not in scenario.campus_rent:
            problems.append(
                Problem(
                    "campus_rent",
                    f"expected a campus rent factor {lease.market_rent!r} (deal {deal.name!r}, "
                    f"leases[{i}].market_rent), found {sorted(scenario.campus_rent) or 'none'}",
                )
            )
    if scenario.credit.obligors is not None:
        problems += deal_problems(scenario.credit.obligors, scenario.credit.tenants, deal.counterparties, deal.name)
    if scenario.credit_market is not None:
        priced = scenario.credit_market.spreads.classes
        for t in deal.tranches:
            if t.refinancing is not None and t.refinancing.rating not in priced:
                problems.append(
                    Problem(
                        "credit_market.spreads.classes",
                        f"expected rating class {t.refinancing.rating!r} (deal {deal.name!r}, tranche {t.name!r}), "
                        f"found {sorted(priced)}",
                    )
                )
    if problems:
        raise InputError(label, problems)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A preset by name (``base``, ``bust``, ...) or a scenario TOML file."""
    raw, label = scenario_raw(name_or_path)
    return scenario_from(raw, label)


def scenario_raw(name_or_path: str | Path) -> tuple[dict, str]:
    """The unchecked table of a preset or scenario file, and the label its errors carry."""
    text = str(name_or_path)
    if text in PRESETS:
        source = resources.files("waterfall.market").joinpath("presets", f"{text}.toml")
        with resources.as_file(source) as path:
            return read_toml(Path(path)), f"preset {text}"
    path = Path(name_or_path)
    if not exists(path) and path.suffix != ".toml":
        expected = f"expected a preset ({', '.join(PRESETS)}) or a scenario file"
        raise InputError(text, [Problem("", f"{expected}, found neither")])
    return read_toml(path), str(path)


def scenario_from(raw: dict, label: str) -> Scenario:
    """A checked scenario from its table; raises ``InputError`` naming ``label``."""
    scenario = structure(raw, Scenario, label)
    problems = _check(scenario)
    if problems:
        raise InputError(label, problems)
    return scenario


def scenario_source(name_or_path: str | Path) -> str:
    """The TOML text of a preset or scenario file, kept beside results as their record."""
    text = str(name_or_path)
    if text in PRESETS:
        return resources.files("waterfall.market").joinpath("presets", f"{text}.toml").read_text(encoding="utf-8")
    return Path(name_or_path).read_text(encoding="utf-8")


def with_registry(scenario: Scenario) -> Scenario:
    """``scenario`` drawing its parties from the obligor registry (defaults of ``[credit.obligors]``) if it did not."""
    if scenario.credit.obligors is not None:
        return scenario
    return evolve(scenario, credit=evolve(scenario.credit, obligors=ObligorCredit()))


def with_obligor_default(scenario: Scenario, obligor: str, month: dt.date) -> Scenario:
    """``scenario`` conditioned on ``obligor`` defaulting in ``month`` on every path, contagion following.

    Turns the registry on if the scenario had it off (compare against
    ``with_registry(scenario)`` for the unconditional run). Raises ``InputError``
    for an obligor neither the registry nor ``credit.tenants`` knows.
    """
    scenario = with_registry(scenario)
    settings = scenario.credit.obligors
    assert settings is not None
    if obligor not in merged(settings).obligors and obligor not in scenario.credit.tenants:
        known = sorted(merged(settings).obligors)
        raise InputError(
            scenario.name, [Problem("credit.obligors.forced", f"expected one of {known}, found {obligor!r}")]
        )
    settings = with_forced_default(settings, obligor, month)
    return evolve(scenario, credit=evolve(scenario.credit, obligors=settings))


def run_obligors(scenario: Scenario, deals: list[Deal]) -> set[str]:
    """The obligors the deals' parties depend on through the scenario's registry (none without it):
    names a conditioning event may name although no deal has them as a party."""
    if scenario.credit.obligors is None:
        return set()
    parties = {name for deal in deals for name in deal.counterparties}
    return upstream_closure(parties, merged(scenario.credit.obligors)) - parties
