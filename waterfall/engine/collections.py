"""The collection account: collections received after a collection period's end wait in it
for the payment date that distributes them.

Only a deal whose collection periods end before their payment dates has one
(``calendar.collection_period_end``); every other deal collects straight into
the operating account, as it always has. Revenue is received into the account
(``destination``); on each payment date, before anything else that month reads
the operating account, the collections of the months up to the period's end
(``Schedule.collection_end``), with the interest the account earned, move to
operating. Released in full: on paths in default (after acceleration all cash
on hand goes to creditors, and the default releases the account at once), and
on the horizon's last payment date (the final distribution: nothing is left
behind).
"""

from __future__ import annotations

import numpy as np

from waterfall.engine.clock import Schedule
from waterfall.engine.columns import column_sums
from waterfall.engine.ledger import Ledger
from waterfall.engine.tape import DEFAULT
from waterfall.spec.account import COLLECTIONS, OPERATING


class CollectionAccount:
    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.holds = schedule.calendar.holds_collections
        self.destination = COLLECTIONS if self.holds else OPERATING
        self.accounts: tuple[str, ...] = (COLLECTIONS,) if self.holds else ()

    def release(self, month: int, ledger: Ledger, mode: np.ndarray, revenue: np.ndarray) -> None:
        """On a payment date: the collection period's cash to operating.

        ``revenue`` (months, paths) is what each month brought into the account (the tape's
        record): a release keeps back the months after the period's end, so whatever an
        acceleration or a final payment took out of the account before is never counted twice.
        """
        if not self.holds or not self.schedule.is_payment[month]:
            return
        held = ledger.balance[COLLECTIONS]
        end = self.schedule.collection_end[month]
        later = column_sums(revenue[end + 1 : month + 1]) if end < month else np.zeros_like(held)
        amount = np.where(mode == DEFAULT, held, np.maximum(held - later, 0.0))
        ledger.move(month, COLLECTIONS, OPERATING, np.maximum(amount, 0.0))
