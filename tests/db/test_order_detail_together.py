"""Issue 19: the order page's tabs are read together (psycopg's pipeline mode on PostgreSQL,
one after another on SQLite) and hold exactly what each tab's statement returns on its own,
result types included (SQLite and PostgreSQL)."""

from __future__ import annotations

from orders_core.db import rows_together, unit_of_work
from orders_core.permissions import Actor
from orders_core.status import DeliveryMode, PaymentMethod, TariffKind
from queries.order_detail import _tab_queries, order_detail
from tests.factories import make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")
MARKETER = Actor("marketer@example.org", "marketer")


def _paid_order(engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge")
        dinner = make_tariff(session, event, kind="ticket", name="Dinner")
        order = make_order(session, event, [(badge, 2), (dinner, 1)], status="paid")
        return order.id, order.number


def test_the_tabs_read_together_equal_each_statement_run_alone(engine):
    order_id, _number = _paid_order(engine)
    for principal in (ADMIN, MARKETER):
        statements = [query for query, _columns in _tab_queries(principal).values()]
        with engine.connect() as conn:
            together = rows_together(conn, statements, {"order_id": order_id})
            alone = [[tuple(row) for row in conn.execute(query, {"order_id": order_id})] for query in statements]
        assert together == alone
        assert [len(rows) for rows in together][:4] == [0, 3, 2, 1]  # fields, items, lines, payments


def test_the_order_page_reads_its_tabs_with_their_types(engine):
    _order_id, number = _paid_order(engine)
    detail = order_detail(engine, number, principal=ADMIN)
    assert detail is not None
    assert sorted(TariffKind(kind).value for kind in detail.items["kind"]) == ["badge", "badge", "ticket"]
    assert {DeliveryMode(mode) for mode in detail.items["delivery_mode"]} <= set(DeliveryMode)
    assert list(detail.lines["name"]) == ["Badge", "Dinner"]
    assert [PaymentMethod(method) for method in detail.payments["method"]] == [PaymentMethod.BANK_TRANSFER]
    assert detail.payments["amount"].iloc[0] == detail.order["total_ttc"]
