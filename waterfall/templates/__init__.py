"""The deal-file skeletons ``waterfall new`` writes: one commented TOML file per deal shape.

Each skeleton is a complete deal that validates and runs as written, every key
annotated with its unit and where its value comes from; the files ship as
package data beside this module. The only thing ``skeleton`` changes is the
deal's ``name``, so a file written as ``my_deal.toml`` runs into ``out/my_deal/``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from waterfall.errors import InputError, Problem
from waterfall.spec.checks import DEAL_NAME

SHAPES = {
    "campus": "a data-centre campus SPV: one long triple-net lease, sculpted senior debt, DSRA, cash trap",
    "gpu_lease": "a GPU-lease SPV: a fleet on a take-or-pay lease, merchant rent, senior + PIK mezz, DSRA, LTV sweep",
    "gpu_facility": "a GPU-backed delayed-draw term loan: two GPU batches on contracts, a second draw, borrowing base",
    "cmbs": "a single-borrower data-centre CMBS: interest-only floating loan, sequential classes, SOFR cap, cash trap",
}
NAME_LINE = re.compile(r'^name = "[^"]*"', flags=re.MULTILINE)


def check_shape(shape: str) -> str:
    if shape not in SHAPES:
        expected = ", ".join(SHAPES)
        raise InputError("SHAPE", [Problem("", f"expected one of {expected}, found {shape!r}")])
    return shape


def deal_name(target: Path, shape: str) -> str:
    """The deal name for a skeleton written to ``target``: its file name's stem where that is a
    valid deal name (``my_deal.toml`` -> ``my_deal``), else the shape's own name."""
    return target.stem if DEAL_NAME.match(target.stem) else shape


def skeleton(shape: str, name: str | None = None) -> str:
    """The skeleton of ``shape``, its deal called ``name`` (default: the shape)."""
    text = resources.files(__package__).joinpath(f"{check_shape(shape)}.toml").read_text(encoding="utf-8")
    if name is None:
        return text
    if not DEAL_NAME.match(name):
        raise ValueError(f"name: expected a plain deal name, found {name!r}")
    # the template's first top-level `name = "..."` line is the deal's own name
    return NAME_LINE.sub(lambda _: f'name = "{name}"', text, count=1)
