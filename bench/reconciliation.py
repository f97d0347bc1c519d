"""Bank reconciliation at scale: 5,000 incoming transfers ranked against 100,000 open invoice
orders (target: under 10 s). The data is synthetic and in memory: this times the matcher, which
is where the work is; reading the open orders is one indexed query."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from orders_core.demo.catalogue_data import COMPANIES, FIRST_NAMES, LAST_NAMES
from orders_core.reconciliation.matching import Matcher, OpenOrder, Transfer

DATABASES = {"sqlite"}  # independent of the database: run it once
OPEN_ORDERS = 100_000
TRANSFERS = 5_000


def _data(seed: int = 3):
    rng = random.Random(seed)
    prices = [Decimal(p) for p in ("120.00", "240.00", "348.00", "96.00", "54.00", "828.00", "171.30")]
    orders = [
        OpenOrder(
            id=i,
            number=1_000_000 + i,
            currency=rng.choice(["EUR", "EUR", "CAD", "CHF"]),
            balance_due=rng.choice(prices) * rng.randint(1, 4),
            created_on=date(2026, 6, 1) + timedelta(days=rng.randint(0, 150)),
            buyer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            company_name=rng.choice(COMPANIES) if rng.random() < 0.3 else "",
        )
        for i in range(OPEN_ORDERS)
    ]
    transfers = []
    for i in range(TRANSFERS):
        order = rng.choice(orders)
        kind = rng.random()
        if kind < 0.5:
            reference = f"CMD {order.number}"
        elif kind < 0.7:
            digits = str(order.number)
            reference = f"cmd {digits[:3]} {digits[3:5]} {digits[5:]}"
        elif kind < 0.8:
            reference = f"Facture 000{order.number}"
        else:
            reference = ""
        transfers.append(
            Transfer(
                i,
                order.created_on + timedelta(days=rng.randint(1, 20)),
                order.balance_due,
                order.currency,
                order.company_name or order.buyer_name,
                reference,
            )
        )
    return orders, transfers


_ORDERS, _TRANSFERS = None, None


def SETUP(engine) -> None:
    global _ORDERS, _TRANSFERS
    _ORDERS, _TRANSFERS = _data()


def match_5000_transfers_against_100000_orders(engine) -> None:
    if _ORDERS is None:
        SETUP(engine)
    matcher = Matcher(_ORDERS)
    for transfer in _TRANSFERS:
        matcher.suggest(transfer)


BENCHMARKS = [("reconciliation.match_5k_transfers_100k_orders", match_5000_transfers_against_100000_orders)]
