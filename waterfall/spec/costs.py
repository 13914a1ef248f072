"""Operating costs and the senior fees of the structure."""

from __future__ import annotations

from attrs import field, frozen

from waterfall.spec.bounds import at_least, between


@frozen
class Power:
    """Electricity: IT load x PUE x hours x price."""

    it_mw: float = field(metadata=at_least(0))
    pue: float = field(metadata=at_least(1))
    price_per_mwh: float = field(metadata=at_least(0))


@frozen
class Costs:
    """Costs the SPV bears (zero where a triple-net tenant bears them).

    ``escalation`` is annual, stepped on each anniversary of closing.
    """

    fixed_opex_monthly: float = field(metadata=at_least(0))
    maintenance_capex_monthly: float = field(metadata=at_least(0))
    escalation: float = field(metadata=between(-0.5, 0.5))
    power: Power | None = None


@frozen
class FixedFee:
    """A fixed amount a year."""

    annual: float = field(metadata=at_least(0))


@frozen
class BpsFee:
    """Basis points a year of the outstanding debt balance."""

    bps: float = field(metadata=between(0, 10_000))


FeeBasis = FixedFee | BpsFee
FEE_TAGS = {FixedFee: "fixed", BpsFee: "bps"}


@frozen
class Fee:
    """A trustee, servicer or agent fee, paid by the ``pay_fee`` step."""

    name: str
    basis: FeeBasis
