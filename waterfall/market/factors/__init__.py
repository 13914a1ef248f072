"""Stochastic market-factor generators: arrays over (paths, months) from parameters and a numpy Generator.

Each module covers one factor and is made of pure functions: given the same
parameters and Generator state they return the same float64 arrays. The loops
run over months (for recursions) and never over paths. Factors are correlated
through the common AI-demand shocks (``demand``). Give each factor its own
stream with ``named_streams`` so that changing one factor's parameters does
not move another's draws.
"""

from waterfall.market.factors.cap_rate import ExitCapRate, cap_rate_paths
from waterfall.market.factors.construction import Construction, completion_months, overruns
from waterfall.market.factors.credit import (
    CreditMarket,
    CreditSpreads,
    RatingSpread,
    RefinancingWindow,
    spread_paths,
    window_paths,
)
from waterfall.market.factors.crypto import BtcModel, btc_paths
from waterfall.market.factors.demand import (
    DemandModel,
    demand_shocks,
    demand_state,
    demand_state_variance,
    load,
)
from waterfall.market.factors.rates import (
    HullWhite,
    forward_curve,
    hull_white_mean,
    hull_white_variance,
    short_rate_paths,
)
from waterfall.market.factors.rent import Launch, RentModel, rent_paths, rent_trend
from waterfall.market.factors.residual import (
    STRESS_CURVE,
    STRESS_LIQUIDATION,
    LiquidationModel,
    ResidualCurve,
    age_factor,
    haircut,
    residual_values,
    sale_price,
)
from waterfall.market.factors.streams import named_streams
from waterfall.market.factors.tenants import (
    NO_DEFAULT,
    TenantCredit,
    default_months,
    monthly_hazard,
    non_renewals,
    renewal_draws,
    tenant_defaults,
    tenant_renewals,
)

__all__ = [
    "NO_DEFAULT",
    "STRESS_CURVE",
    "STRESS_LIQUIDATION",
    "BtcModel",
    "Construction",
    "CreditMarket",
    "CreditSpreads",
    "DemandModel",
    "ExitCapRate",
    "HullWhite",
    "Launch",
    "LiquidationModel",
    "RatingSpread",
    "RefinancingWindow",
    "RentModel",
    "ResidualCurve",
    "TenantCredit",
    "age_factor",
    "btc_paths",
    "cap_rate_paths",
    "completion_months",
    "default_months",
    "demand_shocks",
    "demand_state",
    "demand_state_variance",
    "forward_curve",
    "haircut",
    "hull_white_mean",
    "hull_white_variance",
    "load",
    "monthly_hazard",
    "named_streams",
    "non_renewals",
    "overruns",
    "renewal_draws",
    "rent_paths",
    "rent_trend",
    "residual_values",
    "sale_price",
    "short_rate_paths",
    "spread_paths",
    "tenant_defaults",
    "tenant_renewals",
    "window_paths",
]
