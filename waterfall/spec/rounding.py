"""Rounding policy: how amounts are brought to the cent, and where.

``rounding = "cents"`` (the original key) means half-even on each accrual
(interest and scheduled principal) and floor on each payment (a ledger
movement); ``"none"`` rounds nothing. ``accrual_rounding`` and
``payment_rounding`` on the calendar override either place. A payment is never
rounded up (it could then exceed what is owed or held), so a payment rounds by
``"none"`` or ``"floor"`` only.
"""

from __future__ import annotations

from typing import Literal

Method = Literal["none", "half_even", "half_up", "floor"]
PaymentMethod = Literal["none", "floor"]

METHODS = ("none", "half_even", "half_up", "floor")

# what ``rounding`` alone has always meant, place by place
DEFAULT_ACCRUAL = {"none": "none", "cents": "half_even"}
DEFAULT_PAYMENT = {"none": "none", "cents": "floor"}
