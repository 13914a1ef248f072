"""Construction risk: how late the first rent comes, and how far the cost overruns.

Delay and overrun are each gamma distributed. A gamma has the stated mean and
sd, is never negative, and is right-skewed, as schedule slips and overruns are.
Shape k = mean^2 / sd^2 and scale = sd^2 / mean. An sd of 0 gives the mean
exactly, and a mean of 0 gives 0.

Completion is a whole deal month. The delay is rounded stochastically,
floor(delay + U) with U ~ U(0, 1), which keeps the mean delay exact and adds at
most 1/4 month^2 of variance. Plain rounding would bias short delays.

Draw order: ``completion_months`` takes the gamma draws and then one
uniform per path, and ``overruns`` takes the gamma draws. numpy's gamma
sampler uses rejection, so how much it takes from the Generator depends on the
shape. Delay and overrun are independent here. Use one Generator (or named
stream) for each.
"""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from waterfall.spec.bounds import at_least


@frozen
class Construction:
    """Completion delay and cost overrun of a build.

    - ``expected_months``: the scheduled months from closing to completion
      (months). This is deal-specific, so there is no default.
    - ``delay_mean_months``: the mean delay beyond schedule (months). Suggested
      about 0.34 x ``expected_months``, e.g. 8 for a 24-month build: "9 out of
      10 data centers have a delay and on average the delay is 34%" (Atif Ansar,
      Foresight Works, quoted by Fierce Network, 2025,
      https://fierce-network.com/cloud/optimism-could-kill-data-center-boom).
      Default 0.
    - ``delay_sd_months``: the sd of the delay (months). Suggested about equal
      to the mean, which is an exponential-like spread and an assumption.
      Default 0.
    - ``overrun_mean``: the mean cost overrun (fraction of budget; 0.10 is 10%
      over). Suggested 0.10, which is an assumption: the research notes have
      no overrun statistics. Default 0.
    - ``overrun_sd``: the sd of the overrun (fraction of budget). Suggested
      0.10, also an assumption. Default 0.
    """

    expected_months: int = field(metadata=at_least(0))
    delay_mean_months: float = field(default=0.0, metadata=at_least(0))
    delay_sd_months: float = field(default=0.0, metadata=at_least(0))
    overrun_mean: float = field(default=0.0, metadata=at_least(0))
    overrun_sd: float = field(default=0.0, metadata=at_least(0))


def gamma_draws(rng: np.random.Generator, mean: float, sd: float, paths: int) -> np.ndarray:
    """Nonnegative draws (paths,) with the given mean and sd (gamma). It draws nothing when the result is constant."""
    if mean < 0.0 or sd < 0.0:
        raise ValueError(f"expected a mean and sd >= 0, found {mean!r} and {sd!r}")
    # an sd below a billionth of the mean is no spread at all (and would overflow the shape)
    if mean == 0.0 or sd <= 1e-9 * mean:
        return np.full(paths, float(mean))
    shape = (mean / sd) ** 2
    return rng.standard_gamma(shape, paths) * (sd * sd / mean)


def completion_months(model: Construction, rng: np.random.Generator, paths: int) -> np.ndarray:
    """The deal month of completion on each path, >= ``expected_months``: (paths,) int64."""
    delay = gamma_draws(rng, model.delay_mean_months, model.delay_sd_months, paths)
    whole = np.floor(delay + rng.random(paths))
    return model.expected_months + whole.astype(np.int64)


def overruns(model: Construction, rng: np.random.Generator, paths: int) -> np.ndarray:
    """The cost overrun on each path as a fraction of budget, >= 0: (paths,) float64."""
    return gamma_draws(rng, model.overrun_mean, model.overrun_sd, paths)
