"""Importing a 50,000-line bank statement (issue 16: 14 s on SQLite and 31 s on PostgreSQL
before, and a 70,000-line one failed on PostgreSQL at the driver's parameter limit).

A synthetic French CSV (semicolons, decimal commas, accents, one line in ten outgoing, a bank id
per line, 4 MB) goes through `import_statement` as the page calls it: read, checked against the
stored lines in batches, stored in batches. Each run rolls back, so every run imports 50,000 new
lines into the cached database; `import_50k_lines_twice` imports it again in the same transaction
(every line found a duplicate, nothing written)."""

from __future__ import annotations

import os

from sqlalchemy import Engine

from orders_core.db import session_factory
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement

DATABASES = {"postgresql", "sqlite"}
LINES = 50_000
FINANCE = Actor("bench@example.org", "finance")
_CONTENT = b""


def statement(lines: int) -> bytes:
    rows = ["Date opération;Montant;Devise;Donneur d'ordre;Libellé;Référence banque"]
    for i in range(lines):
        sign = "-" if i % 10 == 0 else ""
        rows.append(
            f"{i % 28 + 1:02d}/11/2026;{sign}{i % 900 + 10},{i % 100:02d};EUR;Bénédicte Payeur {i};"
            f"Règlement commande {1_000_000 + i} merci;BENCH-{i}"
        )
    return ("\n".join(rows) + "\n").encode()


def SETUP(engine: Engine) -> None:
    global _CONTENT
    os.environ["ORDERS_STATEMENT_MAX_MB"] = "20"
    _CONTENT = statement(LINES)


def _import(engine: Engine, times: int) -> None:
    session = session_factory(engine)()
    try:
        for time in range(times):
            result = import_statement(session, actor=FINANCE, filename="bench.csv", content=_CONTENT, file_format="csv")
            assert (result.new, result.duplicates, result.errors) == ((LINES, 0, []) if time == 0 else (0, LINES, []))
    finally:
        session.rollback()  # leave the cached database as it was
        session.close()


def import_50k(engine: Engine) -> None:
    _import(engine, 1)


def import_50k_twice(engine: Engine) -> None:
    """The statement, then the same again in the same transaction: the second finds its 50,000
    lines already stored, in batches, and writes none (the difference with import_50k_lines)."""
    _import(engine, 2)


BENCHMARKS = [
    ("statement_import.import_50k_lines", import_50k),
    ("statement_import.import_50k_lines_twice", import_50k_twice),
]
