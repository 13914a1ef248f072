"""Scenario parameters by name: what a batch grid sweeps and a sensitivity grid varies.

A parameter is either one of the named factors in ``NAMED`` (the words analysts
use: ``rent_drift``, ``useful_life_years``, ``rate_shock_bp``...) or a dotted
path into a scenario file (``collateral.liquidation.base_haircut``), where
``*`` stands for every key of a table or every item of a list
(``rates.*.shock_bp`` shocks every index the scenario models). A value replaces
the scenario's own before the scenario is checked, so a swept value is held to
the same bounds as a value written in the file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from attrs import frozen

from waterfall.errors import InputError, Problem
from waterfall.market.scenario import Scenario, scenario_from, scenario_raw


@frozen
class Named:
    """A named factor: the scenario paths it acts on, and how.

    It sets every path to the value times ``scale`` (the unit conversion), or with
    ``multiplies`` it multiplies what the scenario has there by the value.
    """

    paths: tuple[str, ...]
    scale: float = 1.0
    description: str = ""
    multiplies: bool = False


NAMED = {
    "rent_drift": Named(("rent.drift",), 1.0, "annual log drift of GPU rent (e.g. -0.15)"),
    "rent_volatility": Named(("rent.volatility",), 1.0, "annual volatility of GPU rent"),
    "launch_jump": Named(("rent.launches.*.jump_mean",), 1.0, "mean log rent jump at every generation launch"),
    "useful_life_years": Named(
        ("collateral.residual.useful_life_months",), 12.0, "GPU useful life for residual values, in years"
    ),
    "haircut": Named(("collateral.liquidation.base_haircut",), 1.0, "forced-sale haircut of the collateral"),
    "rate_shock_bp": Named(("rates.*.shock_bp",), 1.0, "parallel shift of every modelled index, in bp"),
    "tenant_hazard": Named(("credit.any_tenant.annual_hazard",), 1.0, "annual default hazard of unnamed tenants"),
    "hazard_multiple": Named(
        ("credit.any_tenant.annual_hazard", "credit.tenants.*.annual_hazard"),
        1.0,
        "every tenant's annual default hazard, named or not, times this",
        multiplies=True,
    ),
    "non_renewal": Named(("credit.any_tenant.non_renewal_probability",), 1.0, "probability a tenant walks at expiry"),
    "campus_rent_level": Named(
        ("campus_rent.*.start",), 1.0, "every campus market rent factor at closing, a multiple of contract rent"
    ),
    "campus_rent_drift": Named(("campus_rent.*.drift",), 1.0, "annual log drift of every campus market rent factor"),
    "window_close": Named(
        ("credit_market.window.close_probability",), 1.0, "monthly chance the refinancing window shuts"
    ),
    "spread_multiple": Named(
        ("credit_market.spreads.classes.*.mean",),
        1.0,
        "every rating class's mean refinancing spread, times this",
        multiplies=True,
    ),
}


class ParameterError(ValueError):
    """A parameter that names nothing in the scenario, or a value of the wrong kind."""


def meaning(parameter: str) -> Named:
    """A named factor, or a dotted key path read as a factor that sets that path."""
    return NAMED.get(parameter) or Named((parameter,))


def column_name(parameter: str) -> str:
    """The results column that carries a parameter's value: a plain identifier."""
    return parameter.replace(".", "_").replace("*", "all")


def apply(raw: dict[str, Any], parameter: str, value: float) -> dict[str, Any]:
    """A copy of the scenario table ``raw`` with ``parameter`` set to ``value``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"expected a number, found {value!r}")
    named = meaning(parameter)
    result = copy.deepcopy(raw)
    hits = sum(_set(result, path.split("."), value * named.scale, named.multiplies) for path in named.paths)
    if not hits:
        known = ", ".join(NAMED)
        raise ParameterError(f"expected a named factor ({known}) or a key path of the scenario, found {parameter!r}")
    return result


def _set(node: Any, keys: list[str], value: float, multiplies: bool) -> int:
    key, rest = keys[0], keys[1:]
    if key == "*":
        children = (
            list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        )
    elif isinstance(node, dict) and key in node:
        children = [(key, node[key])]
    else:
        return 0
    hits = 0
    for name, child in children:
        if rest:
            hits += _set(child, rest, value, multiplies)
        elif isinstance(child, int | float) and not isinstance(child, bool):
            new = child * value if multiplies else value
            # a whole-number parameter (months) stays an integer when the new value is whole
            node[name] = round(new) if isinstance(child, int) and float(new).is_integer() else new
            hits += 1
    return hits


def with_parameters(name_or_path: str | Path, values: dict[str, float]) -> Scenario:
    """A preset or scenario file with ``values`` set; raises ``InputError`` (naming the scenario)
    when a parameter names nothing or a value breaks the scenario's bounds."""
    raw, label = scenario_raw(name_or_path)
    for parameter, value in values.items():
        try:
            raw = apply(raw, parameter, value)
        except ParameterError as exc:
            raise InputError(label, [Problem(parameter, str(exc))]) from None
    return scenario_from(raw, label)
