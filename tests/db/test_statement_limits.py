"""Bank statements that broke the import (issue 13, item 7): old-Mac line endings, amounts that
are not numbers, a statement too large to parse in reasonable time and memory; and `orders check`
seeing an amount that is not a finite number (stored before the limits migration)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.models import BankStatement, BankTransaction
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement

STATEMENT = (Path(__file__).resolve().parent.parent / "fixtures" / "statement.csv").read_bytes()
FINANCE = Actor("finance@example.org", "finance")
HEADER = b"Date;Montant;Devise;Donneur d'ordre;Communication\n"


def imported(engine, content: bytes):
    with unit_of_work(engine) as session:
        return import_statement(session, actor=FINANCE, filename="releve.csv", content=content)


def stored(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(BankStatement)).scalar(),
            conn.execute(select(func.count()).select_from(BankTransaction)).scalar(),
        )


def test_a_statement_with_old_mac_line_endings_reads_the_same_lines(engine):
    usual = imported(engine, STATEMENT)
    old_mac = imported(engine, STATEMENT.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert old_mac.errors == usual.errors
    assert old_mac.new + old_mac.duplicates == usual.new and old_mac.new == 0  # same lines, known already


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400", "99999999999"])
def test_an_amount_that_is_not_a_number_is_refused_with_its_line(engine, amount):
    content = HEADER + b"03/11/2026;240,00;EUR;ACME SAS;CMD 1000001\n" + f"04/11/2026;{amount};EUR;X;Y\n".encode()
    result = imported(engine, content)
    assert result.errors == [f"Line 3: the amount '{amount}' is not a number."]
    assert result.new == 1
    with engine.connect() as conn:
        assert conn.execute(select(BankTransaction.amount)).scalars().all() == [240]


def test_a_statement_above_the_size_limit_is_refused_and_nothing_is_stored(engine, monkeypatch):
    line = b"03/11/2026;240,00;EUR;ACME SAS;CMD 1000001 un libelle de virement assez long\n"
    huge = HEADER + line * (10_500_000 // len(line))
    with pytest.raises(InvalidInput) as refused:
        imported(engine, huge)
    assert refused.value.message == "The file has 10.5 MB; a statement may have at most 10 MB. Import it in parts."
    assert stored(engine) == (0, 0)
    monkeypatch.setenv("ORDERS_STATEMENT_MAX_MB", "0.0001")
    with pytest.raises(InvalidInput, match="at most 0.0001 MB"):
        imported(engine, STATEMENT)


def test_orders_check_sees_an_amount_that_is_not_a_finite_number(owner_engine):
    imported(owner_engine, STATEMENT)
    with owner_engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # as stored before migration 0015_limits
            conn.execute(text("ALTER TABLE bank_transactions DROP CONSTRAINT ck_bank_transactions_amount_limit"))
            conn.execute(text("UPDATE bank_transactions SET amount = 'NaN' WHERE line_number = 2"))
        else:
            conn.execute(text("PRAGMA ignore_check_constraints = ON"))
            conn.execute(text("UPDATE bank_transactions SET amount = 9e999 WHERE line_number = 2"))
            conn.execute(text("PRAGMA ignore_check_constraints = OFF"))
    with owner_engine.connect() as conn:
        found = check_database(conn, only=["amounts_finite"])
    assert [(v.invariant, v.order_number) for v in found] == [("amounts_finite", None)]
    assert found[0].message.endswith("statement line 2")
