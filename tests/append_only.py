"""The ledger and the history refuse edits by trigger (migrations 0001, 0005, 0013), and on
PostgreSQL by privileges. Helpers: fill each append-only table, expect a statement to be refused,
and lift the trigger guard in a test's own database, as the owner, for a test that must change
them on purpose (to break an invariant, or to exercise a summary trigger on DELETE)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from orders_core import audit
from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_invoice
from orders_core.models import InvoiceFile
from orders_core.permissions import Actor
from orders_core.privileges import APPEND_ONLY_TABLES
from orders_core.services import catalogue
from orders_core.services.refunds import record_refund
from tests.factories import make_event, make_order, make_seller_settings, make_tariff


def write_each_append_only_table(engine: Engine) -> None:
    """At least one row in each append-only table, written by the app's services."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 1)], status="paid")
        record_refund(
            session,
            actor=Actor("fin@example.org", "finance"),
            order_id=order.id,
            amount="1.00",
            method="cheque",
            refunded_at=order.paid_at,
            reason="A refund, for the ledger to hold one",
        )
        catalogue.update_event(session, actor=Actor("admin@example.org", "admin"), event_id=event.id, name="Renamed")
        make_seller_settings(session)
        invoice = issue_invoice(session, actor=Actor("fin@example.org", "finance"), order_id=order.id)
        session.add(InvoiceFile(invoice_id=invoice.id, pdf=b"%PDF-1.7", rendered_at=datetime.now(UTC)))
        audit.record(session, actor=Actor("admin@example.org", "admin"), action=audit.EXPORT, details={"rows": 1})
    with engine.connect() as conn:
        for table in APPEND_ONLY_TABLES:
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() >= 1, table


def assert_refused(engine: Engine, statement: str, match: str) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        conn.execute(text(statement))


def lift_append_only(conn: Connection, table: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
    else:
        for operation in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only_{operation}"))
