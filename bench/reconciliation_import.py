"""The issue 16 scale target end to end: a 50,000-line statement imported AND classified
(`import_statement` as the page calls it: read, checked for duplicates, stored, then every line
classified and its classification stored) against the 100,000 open orders of bench/reconciliation's
own dataset, on each database (target: within 60 s on PostgreSQL). `--small`: 5,000 lines
against 10,000 orders.

The statement is a French CSV made from the dataset's open orders (seeded): exact order numbers
in mangled references, look-alike numbers ("1OOOO42"), name + exact amount without a number,
partial payments, strangers, outgoing lines (refunds naming an order) and zero-amount lines.
Each run rolls back, so every run imports and classifies the same 50,000 new lines."""

from __future__ import annotations

import os
import random
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bench import reconciliation
from orders_core.db import session_factory
from orders_core.demo.catalogue_data import FIRST_NAMES
from orders_core.models import Order
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement

DATABASES = {"postgresql", "sqlite"}
FINANCE = Actor("bench@example.org", "finance")
own_dataset = reconciliation.own_dataset
_CONTENT: list[bytes] = [b""]
_LINES: list[int] = [0]


def _french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def statement(orders: list, lines: int, seed: int = 1616) -> bytes:
    """A CSV statement of `lines` lines about `orders` (number, first, last, company, currency,
    balance): the issue's mix of cases."""
    rng = random.Random(seed)
    rows = ["Date opération;Montant;Devise;Donneur d'ordre;Libellé;Référence banque"]
    for i in range(lines):
        number, first, last, company, currency, balance = orders[rng.randrange(len(orders))]
        name = f"{first} {last}"
        amount, payer, reference, sign = balance, name, "", ""
        roll = rng.random()
        if roll < 0.30:
            digits = str(number)
            reference = rng.choice([f"CMD {digits}", f"cmd {digits[:3]} {digits[3:5]} {digits[5:]}", f"Fact 0{digits}"])
        elif roll < 0.40:
            reference = f"Commande {reconciliation._look_alike(number, rng)}"
        elif roll < 0.65:
            payer = reconciliation._payer_variant(company or name, rng)
            reference = rng.choice(["", "Inscription", "Virement SEPA"])
        elif roll < 0.75:
            amount = (balance / 2).quantize(Decimal("0.01"))
            reference = f"Acompte {number}"
        elif roll < 0.85:  # a stranger
            payer = f"{rng.choice(FIRST_NAMES)} {''.join(rng.choice(reconciliation.SYLLABLES) for _ in range(4))}"
            amount = Decimal(rng.randint(100, 99_999)) / 100
            reference = rng.choice(["Loyer", "Remboursement", "Virement"])
        elif roll < 0.95:  # outgoing: a refund naming the order
            sign, reference = "-", f"Remboursement commande {number}"
            amount = (balance / 3).quantize(Decimal("0.01"))
        else:  # zero amount (bank fees notice)
            amount, reference = Decimal("0.00"), f"Frais {number}"
        rows.append(
            f"{rng.randint(1, 28):02d}/11/2026;{sign}{_french(amount)};{currency};{payer};{reference};RC16-{seed}-{i}"
        )
    return ("\n".join(rows) + "\n").encode()


def SETUP(engine: Engine) -> None:
    """The dataset (written once by bench/reconciliation) and the statement, built from its open
    orders (not timed)."""
    os.environ["ORDERS_STATEMENT_MAX_MB"] = "20"
    reconciliation.ensure_data(engine)
    lines = reconciliation.SIZES[reconciliation._SMALL[0]][1]
    with Session(engine) as session:
        orders = session.execute(
            select(
                Order.number,
                Order.buyer_first_name,
                Order.buyer_last_name,
                Order.company_name,
                Order.currency,
                Order.total_ttc - Order.amount_paid,
            )
            .where(Order.status == "awaiting_payment", Order.deleted_at.is_(None))
            .order_by(Order.id)
        ).all()
    orders = [(n, f, la, c or "", cur, Decimal(str(b)).quantize(Decimal("0.01"))) for n, f, la, c, cur, b in orders]
    _CONTENT[0], _LINES[0] = statement(orders, lines), lines


def import_and_classify(engine: Engine) -> None:
    session = session_factory(engine)()
    try:
        result = import_statement(session, actor=FINANCE, filename="bench-classify.csv", content=_CONTENT[0])
        assert (result.new, result.duplicates, result.errors) == (_LINES[0], 0, []), result
    finally:
        session.rollback()  # leave the dataset as it was
        session.close()


BENCHMARKS = [
    ("reconciliation_import.import_and_classify_50k_lines_100k_orders", import_and_classify),
]
