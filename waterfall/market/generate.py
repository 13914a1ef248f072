"""Scenario x deal x block of paths -> ``Market`` arrays.

Random streams belong to paths, not to runs: paths come in fixed blocks of
``BLOCK``, each block drawing from its own ``SeedSequence`` child of the run's
seed, and every factor from its own named stream within the block. So path
``i`` of a run sees the same market whatever the chunk size, the worker count,
or how many paths the run has.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from waterfall.compiled import serving
from waterfall.errors import InputError, Problem, key_path
from waterfall.market.conditioning import UNCONDITIONAL, Given
from waterfall.market.curves import Market, rent_curve
from waterfall.market.factors import (
    Construction,
    HullWhite,
    Launch,
    RentModel,
    btc_paths,
    campus_rent_paths,
    cap_rate_shift_paths,
    completion_months,
    demand_shocks,
    demand_state,
    demand_state_variance,
    forward_curve,
    haircut,
    named_streams,
    non_renewals,
    option_renewals,
    overruns,
    rent_paths,
    residual_values,
    short_rate_paths,
    spread_paths,
    tenant_defaults,
    tenant_renewals,
    window_paths,
)
from waterfall.market.factors.contagion import contagion_defaults
from waterfall.market.factors.strategic import tenant_gaps
from waterfall.market.obligors import merged, registry_credits
from waterfall.market.scenario import HullWhiteRates, Scenario, check_against
from waterfall.spec.bounds import MAX_MAGNITUDE
from waterfall.spec.deal import Deal
from waterfall.spec.market import IndexCurve, RatePoint
from waterfall.spec.terminal import IncomeApproach

BLOCK = 1024
STREAMS = (
    "demand",
    "rent",
    "rates",
    "tenant_defaults",
    "tenant_renewals",
    "crypto",
    "construction",
    "campus_rent",
    "renewal_options",
    "credit_market",
    "cap_rate",
)


def block_generator(seed: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


def rent_model(scenario: Scenario, deal: Deal) -> RentModel:
    """The scenario's rent model on the deal's clock: launches dated from its closing."""
    rent = scenario.rent
    launches = tuple(
        Launch(
            month=deal.calendar.month_of(launch.date),
            jump_probability=launch.jump_probability,
            jump_mean=launch.jump_mean,
            jump_sd=launch.jump_sd,
            generations=launch.generations,
            spread_months=launch.spread_months,
        )
        for launch in rent.launches
        # a launch before this deal closed is already in the rent at closing
        if deal.calendar.month_of(launch.date) >= 1
    )
    return RentModel(
        start=rent.start,
        reference=rent.reference,
        ratios=dict(rent.ratios),
        drift=rent.drift,
        volatility=rent.volatility,
        mean_reversion=rent.mean_reversion,
        cycle_volatility=rent.cycle_volatility,
        launches=launches,
        floor=rent.floor,
        demand_loading=rent.demand_loading,
    )


def _index(scenario: Scenario, deal: Deal, rng: np.random.Generator, common: np.ndarray) -> dict[str, np.ndarray]:
    months, paths = deal.calendar.horizon_months, common.shape[0]
    streams = named_streams(rng, sorted(deal.market.index))
    index = {}
    for name, curve in sorted(deal.market.index.items()):
        model = scenario.rates.get(name)
        if isinstance(model, HullWhiteRates):
            hull_white = HullWhite(
                curve=curve.points,
                mean_reversion=model.mean_reversion,
                volatility=model.volatility,
                shock_bp=model.shock_bp,
                demand_loading=model.demand_loading,
            )
            index[name] = short_rate_paths(hull_white, months, streams[name], common)
        else:
            shock = model.shock_bp if model is not None else 0.0
            index[name] = forward_curve(curve.points, months, shock, paths=paths)
    return index


def _benchmark(scenario: Scenario, months: int) -> np.ndarray:
    """Rent relative to closing along the trend the residual curve was observed under."""
    return np.exp(scenario.collateral.benchmark_drift * np.arange(months) / 12.0)


def _construction(scenario: Scenario, rng: np.random.Generator) -> tuple[np.ndarray | None, np.ndarray | None]:
    risk = scenario.construction
    if risk is None:
        return None, None
    model = Construction(
        expected_months=0,
        delay_mean_months=risk.delay_mean_months,
        delay_sd_months=risk.delay_sd_months,
        overrun_mean=risk.overrun_mean,
        overrun_sd=risk.overrun_sd,
    )
    streams = named_streams(rng, ["delay", "overrun"])
    return completion_months(model, streams["delay"], BLOCK), overruns(model, streams["overrun"], BLOCK)


def _prices(
    scenario: Scenario, deal: Deal, rng: np.random.Generator, common: np.ndarray, state: np.ndarray
) -> dict[str, np.ndarray]:
    """Crypto prices: the scenario's model where it has one (starting from the deal's own
    price at closing unless it states a start), else the deal's own curve."""
    months, paths = deal.calendar.horizon_months, common.shape[0]
    assets = sorted({c.asset for c in deal.crypto})
    streams = named_streams(rng, assets)
    prices = {}
    for asset in assets:
        model = scenario.crypto.get(asset)
        if model is not None:
            if model.start is None:
                model = attrs.evolve(model, start=deal.market.prices[asset].start)
            prices[asset] = btc_paths(model, months, streams[asset], common, state=state)
        else:
            prices[asset] = np.tile(rent_curve(deal.market.prices[asset], months), (paths, 1))
    return prices


def _fleet_value(deal: Deal, scenario: Scenario, rents: dict[str, np.ndarray], closing: dict[str, float]) -> np.ndarray:
    """GPU fleets at rent-linked residual value, (paths, months); campuses the engine values itself."""
    paths, months = next(iter(rents.values())).shape
    value = np.zeros((paths, months))
    curve = scenario.collateral.residual
    # the rent path the age curve assumes: closing rent on the observed trend
    benchmark = _benchmark(scenario, months)
    for fleet in deal.fleets:
        delivery = deal.calendar.month_of(fleet.delivery)
        per_cost = residual_values(curve, delivery, rents[fleet.generation], closing[fleet.generation] * benchmark)
        value += np.where(np.arange(months) >= delivery, fleet.cost * per_cost, 0.0)
    return value


def _credit(
    scenario: Scenario, deal: Deal, rng: np.random.Generator, common: np.ndarray, state: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Spreads of the rating classes the deal refinances at, and the window: the scenario's
    models where it has them, else the deal's own spreads and a market always open."""
    months, paths = deal.calendar.horizon_months, common.shape[0]
    ratings = sorted({t.refinancing.rating for t in deal.tranches if t.refinancing is not None})
    if not ratings:
        return {}, None
    model = scenario.credit_market
    if model is None:
        return {r: np.full((paths, months), deal.market.credit_spread[r]) for r in ratings}, None
    streams = named_streams(rng, ["spreads", "window"])
    spreads = spread_paths(model.spreads, ratings, months, streams["spreads"], common)
    window = None if model.window is None else window_paths(model.window, state, streams["window"])
    return spreads, window


def _defaults(
    scenario: Scenario,
    deal: Deal,
    parties: dict,
    rng: np.random.Generator,
    state: np.ndarray,
    variance: np.ndarray,
    gaps: dict[str, np.ndarray],
    given_defaults: dict[str, int],
) -> dict[str, np.ndarray]:
    """Default months of the deal's parties: drawn apart, or with the registry's upstream
    obligors and contagion (which then also appear in the market, under their names)."""
    months = deal.calendar.horizon_months
    settings = scenario.credit.obligors
    if settings is None:
        return tenant_defaults(parties, months, rng, state, paths=BLOCK, state_variance=variance, gaps=gaps)
    registry = merged(settings)
    credit = scenario.credit
    credits, deps = registry_credits(settings, credit.tenants, credit.any_tenant, set(parties), registry)
    forced = {name: deal.calendar.month_of(date) for name, date in settings.forced.items() if name in credits}
    for name, month in given_defaults.items():  # conditioning events: contagion follows from them
        if name in credits:
            forced[name] = min(month, forced.get(name, month))
    jump = settings.contagion_jump
    return contagion_defaults(
        credits, deps, jump, months, rng, state, paths=BLOCK, state_variance=variance, forced=forced, gaps=gaps
    )


def generate_block(scenario: Scenario, deal: Deal, seed: int, block: int, given: Given = UNCONDITIONAL) -> Market:
    """The market of one block of ``BLOCK`` paths, conditioned on ``given`` (none: unconditional).

    Every draw is made before any event is applied, so a conditional run sees the same
    unconditional paths as the plain run with its seed."""
    months = deal.calendar.horizon_months
    streams = named_streams(block_generator(seed, block), STREAMS)
    common = demand_shocks(streams["demand"], BLOCK, months)
    state = demand_state(common, scenario.demand.persistence)
    variance = demand_state_variance(scenario.demand.persistence, months)
    model = rent_model(scenario, deal)
    # only the generations the deal's fleets are: the others' rents are never read
    generations = frozenset(fleet.generation for fleet in deal.fleets)
    rents = given.rents(deal, rent_paths(model, months, streams["rent"], common, generations=generations))
    closing = {name: model.start * ratio for name, ratio in model.generation_ratios().items()}
    parties = {name: scenario.credit.of(name) for name in deal.counterparties}
    tenants = {lease.tenant: parties[lease.tenant] for lease in deal.leases}
    draws = tenant_renewals(tenants, streams["tenant_renewals"], BLOCK)
    renews = {name: ~non_renewals(tenants[name], u) for name, u in draws.items()}
    # the options of a ``renewals`` list: one draw per option per path, from a stream per lease
    options = {lease.name: (parties[lease.tenant], len(lease.renewals)) for lease in deal.leases if lease.renewals}
    option_renews = option_renewals(options, streams["renewal_options"], BLOCK)
    factors = sorted(deal.campus_rent_factors)
    campus_streams = named_streams(streams["campus_rent"], factors)
    campus_rent = {
        name: campus_rent_paths(scenario.campus_rent[name], months, campus_streams[name], common) for name in factors
    }
    # before the gaps: an indexed escalator's contract rent follows the path's index
    index = _index(scenario, deal, streams["rates"], common)
    # strategic default: each tenant's hazard rises with how far its leases are under water
    gaps = tenant_gaps(deal, rents, campus_rent, BLOCK, index)
    defaults = _defaults(
        scenario, deal, parties, streams["tenant_defaults"], state, variance, gaps, given.default_months(deal)
    )
    prices = _prices(scenario, deal, streams["crypto"], common, state)
    delay, overrun = _construction(scenario, streams["construction"])
    spreads, window = _credit(scenario, deal, streams["credit_market"], common, state)
    # exit cap rates move only what a campus valued by its income is worth at the horizon
    terminal = deal.terminal_value
    cap_shift = None
    if scenario.cap_rate is not None and terminal is not None and isinstance(terminal.campus, IncomeApproach):
        cap_shift = cap_rate_shift_paths(scenario.cap_rate, months, streams["cap_rate"], common)
    liquidation = scenario.collateral.liquidation
    # a single deal sells its whole fleet at once (volume share 1); a GPU fleet sells
    # into a bust when its rent has fallen below the threshold share of the rent the
    # market expected (closing rent on the observed trend); a campus's buyers do not
    # price GPU rent
    cut = None
    if deal.fleets:
        generation = deal.fleets[0].generation
        expected = closing[generation] * _benchmark(scenario, months)
        cut = haircut(1.0, rents[generation] / expected, liquidation)
    market = Market(
        gpu_rent=rents,
        index=index,
        paths=BLOCK,
        tenant_default=defaults,
        tenant_renews=renews,
        collateral=_fleet_value(deal, scenario, rents, closing) if deal.fleets else None,
        sale_haircut=None if cut is None else np.broadcast_to(cut, (BLOCK, months)).copy(),
        sale_lag_months=liquidation.lag_months,
        prices=prices,
        construction_delay=delay,
        construction_overrun=overrun,
        campus_rent=campus_rent,
        option_renews=option_renews,
        credit_spread=spreads,
        refinancing_open=window,
        cap_rate_shift=cap_shift,
    )
    return given.market(deal, market) if given else market


def generate(
    scenario: Scenario, deal: Deal, seed: int, first_path: int, paths: int, given: Given = UNCONDITIONAL
) -> Market:
    """Paths ``first_path .. first_path + paths`` of the run with ``seed``; ``first_path`` starts a block."""
    check_against(scenario, deal, scenario.name)
    if first_path % BLOCK:
        raise ValueError(f"first_path: expected a multiple of {BLOCK}, found {first_path}")
    first = first_path // BLOCK
    # an extreme scenario (a huge volatility, a steep drift over a long horizon) can overflow;
    # that is caught below as the scenario's mistake, not left to warn and spread NaN
    # a run of a few paths generates whole blocks, but stays with numpy as it would for its paths
    with np.errstate(over="ignore", invalid="ignore"), serving(paths):
        blocks = [generate_block(scenario, deal, seed, b, given) for b in range(first, first + -(-paths // BLOCK))]
    # one block needs no copy into a chunk's arrays
    market = (blocks[0] if len(blocks) == 1 else Market.concat(blocks)).take(slice(0, paths))
    _check_finite(scenario, deal, market)
    return market


def _check_finite(scenario: Scenario, deal: Deal, market: Market) -> None:
    """Every generated price, rate and value finite and within the loader's ``MAX_MAGNITUDE``
    (a rent of a quadrillion dollars an hour is a runaway, and overflows in the waterfall),
    or an ``InputError`` naming the scenario's factor."""
    arrays = [(f"rent (generation {name})", "rent", a) for name, a in market.gpu_rent.items()]
    arrays += [(f"index {name}", key_path("rates", name), a) for name, a in market.index.items()]
    arrays += [(f"price of {name}", key_path("crypto", name), a) for name, a in market.prices.items()]
    if market.collateral is not None:
        arrays.append(("GPU collateral value", "collateral", market.collateral))
    problems: list[Problem] = []
    for what, path, array in arrays:
        if path == "collateral" and problems:
            break  # the fleet's value follows its rent: a runaway rent is the one mistake
        bad = ~(np.abs(array) <= MAX_MAGNITUDE)  # NaN fails the comparison too
        if bad.any():
            month = int(np.argwhere(bad)[0][1])
            found = f"{array[bad].flat[0]} in month {month} of {deal.calendar.horizon_months} (deal {deal.name!r})"
            expected = f"expected parameters that keep the {what} finite and within {MAX_MAGNITUDE:.0e}"
            problems.append(Problem(path, f"{expected}, found {found}"))
    if problems:
        raise InputError(scenario.name, problems)


def on_clock(deal: Deal, start: dt.date, months: int) -> Deal:
    """The deal seen on a longer clock that starts at ``start``: its dates stay, its index
    curves (stated in months from its own closing) move with it. Generating a market for
    this deal puts every deal of a portfolio on one clock, so a factor or a named party
    has one path shared by all of them."""
    offset = deal.calendar.month_of(start) * -1
    index = {
        name: IndexCurve(points=tuple(RatePoint(month=p.month + offset, rate=p.rate) for p in curve.points))
        for name, curve in deal.market.index.items()
    }
    calendar = attrs.evolve(deal.calendar, start=start, horizon_months=months)
    return attrs.evolve(deal, calendar=calendar, market=attrs.evolve(deal.market, index=index))
