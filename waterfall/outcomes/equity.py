"""The equity's outcomes over paths: capital in and out, IRR, MOIC, NPV at the hurdle rate.

Equity's cash flows are as the tape has them: ``equity.amount`` paid at closing,
then each month its distributions (everything paid to ``equity``, a terminal value
at the horizon included) less its contributions (overrun funding), at the month's
end. So terminal value counts in every measure here exactly as the waterfall paid it.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from waterfall.engine.columns import column_sums
from waterfall.engine.tape import Tape
from waterfall.outcomes.metrics import annual_irr

TERMINAL_VALUE = "terminal_value"  # the tape's record of the value realised or marked at the horizon


@frozen
class EquityOutcomes:
    """Each (paths,)."""

    invested: np.ndarray  # equity.amount + contributions
    distributed: np.ndarray
    unreturned: np.ndarray  # capital not returned, floored at 0
    irr: np.ndarray
    moic: np.ndarray  # distributed / invested; NaN when nothing was invested
    npv: np.ndarray  # at the hurdle rate, at closing
    terminal_value: np.ndarray  # 0 on a path, or a deal, without one


def hurdle_discount(months: int, hurdle_rate: float) -> np.ndarray:
    """(months, 1): the value at closing of 1 at the end of each month at the annual hurdle."""
    years = (np.arange(months) + 1.0) / 12.0
    # one curve shared by every path, so a path's NPV cannot depend on its company
    return ((1.0 + hurdle_rate) ** -years)[:, None]


def equity_outcomes(tape: Tape) -> EquityOutcomes:
    distributions = tape.period["equity_distribution"]
    contributions = tape.period["equity_contribution"]
    invested = tape.equity_amount + column_sums(contributions)
    distributed = column_sums(distributions)
    flows = np.empty((tape.months + 1, tape.paths))
    flows[0] = -tape.equity_amount
    net = np.subtract(distributions, contributions, out=flows[1:])
    npv = column_sums(net * hurdle_discount(tape.months, tape.hurdle_rate)) - tape.equity_amount
    terminal = tape.period[TERMINAL_VALUE]
    return EquityOutcomes(
        invested=invested,
        distributed=distributed,
        unreturned=np.maximum(invested - distributed, 0.0),
        irr=annual_irr(flows),
        moic=np.divide(distributed, invested, out=np.full(tape.paths, np.nan), where=invested > 0),
        npv=npv,
        terminal_value=column_sums(terminal),
    )
