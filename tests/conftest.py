"""Shared test configuration: hypothesis profiles and paths to the deal library.

Profiles: ``ci`` (the default) is derandomized, so every run tests the same
examples; ``dev`` explores more, randomly. Choose with ``HYPOTHESIS_PROFILE=dev``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import waterfall
from waterfall.spec.deal import Deal
from waterfall.spec.load import load_deal

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Hypothesis mixes literal constants from the imported modules into what it generates,
# so a derandomized test would see other examples depending on which tests ran before
# it. Importing every module of the package up front gives every run the same pool.
for module in pkgutil.walk_packages(waterfall.__path__, "waterfall."):
    importlib.import_module(module.name)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def deals_dir() -> Path:
    """The deal library shipped with the project."""
    return ROOT / "deals"


@pytest.fixture(scope="session")
def example_deal(deals_dir: Path) -> Deal:
    """The GPU-lease SPV example: senior floating + PIK-toggle mezz, DSRA, lock-up, covenants."""
    return load_deal(deals_dir / "gpu_lease_spv.toml")
