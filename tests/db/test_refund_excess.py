"""The bulk "refund the excess" service behind the grid's action (issue 20), on SQLite and
PostgreSQL: the dry run needs no reason yet and says why each order is skipped; the refunds
carry the reference and reason; progress is reported; a refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import Order, Refund
from orders_core.permissions import Actor
from orders_core.services.refunds import refund_excess
from tests.db.test_ledger import FINANCE, TODAY, an_order, order_row, pay


@pytest.fixture
def selection(engine) -> dict[str, int]:
    overpaid = an_order(engine)
    pay(engine, overpaid, "250.00", allow_overpayment=True)  # 10.00 too much
    other = an_order(engine)
    pay(engine, other, "241.25", allow_overpayment=True)  # 1.25 too much
    exact = an_order(engine, status="paid")
    unpaid = an_order(engine)
    deleted = an_order(engine)
    pay(engine, deleted, "260.00", allow_overpayment=True)
    with unit_of_work(engine) as session:
        session.execute(update(Order).where(Order.id == deleted).values(deleted_at=Order.created_at))
    return dict(overpaid=overpaid, other=other, exact=exact, unpaid=unpaid, deleted=deleted)


def _number(engine, order_id) -> int:
    return order_row(engine, order_id).number


def _refunds(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Refund.order_id, Refund.amount, Refund.method, Refund.reference, Refund.reason).order_by(
                Refund.order_id
            )
        ).all()
    return [(r[0], Decimal(str(r[1])).quantize(Decimal("0.01")), *r[2:]) for r in rows]


def test_the_dry_run_needs_no_reason_and_says_why_each_order_is_skipped(engine, selection):
    with unit_of_work(engine) as session:
        dry = refund_excess(
            session,
            actor=FINANCE,
            order_ids=list(selection.values()),
            method="bank_transfer",
            refunded_at=TODAY,
            reason="",
            dry_run=True,
        )
    number = {key: _number(engine, order_id) for key, order_id in selection.items()}
    assert sorted(dry.refunded) == sorted(
        [(number["overpaid"], Decimal("10.00"), "EUR"), (number["other"], Decimal("1.25"), "EUR")]
    )
    assert dry.amounts == {"EUR": Decimal("11.25")}
    assert sorted(dry.skipped) == sorted([number["exact"], number["unpaid"], number["deleted"]])
    assert dry.why_skipped[number["deleted"]] == f"Order {number['deleted']} is deleted: restore it first."
    for key in ("exact", "unpaid"):
        assert dry.why_skipped[number[key]] == (
            f"Order {number[key]} is not overpaid: it holds nothing beyond its total."
        )
    assert _refunds(engine) == []


def test_refunding_records_reference_and_reason_reports_progress_and_settles_the_orders(engine, selection):
    seen: list[tuple[int, int]] = []
    with unit_of_work(engine) as session:
        done = refund_excess(
            session,
            actor=FINANCE,
            order_ids=list(selection.values()),
            method="cheque",
            refunded_at=TODAY,
            reason="Paid twice",
            reference="CHQ-R 12",
            on_progress=lambda n, total: seen.append((n, total)),
        )
    assert seen == [(1, 2), (2, 2)]
    assert done.amounts == {"EUR": Decimal("11.25")}
    assert _refunds(engine) == sorted(
        [
            (selection["overpaid"], Decimal("10.00"), "cheque", "CHQ-R 12", "Paid twice"),
            (selection["other"], Decimal("1.25"), "cheque", "CHQ-R 12", "Paid twice"),
        ]
    )
    for key in ("overpaid", "other"):
        row = order_row(engine, selection[key])
        assert (row.payment_state, Decimal(str(row.amount_paid)).quantize(Decimal("0.01"))) == (
            "paid",
            Decimal("240.00"),
        )
    assert order_row(engine, selection["deleted"]).payment_state == "overpaid"  # skipped: untouched


@pytest.mark.parametrize(
    ("actor", "changes", "error"),
    [
        (FINANCE, dict(reason=""), InvalidInput),  # the reason is required to record
        (FINANCE, dict(method="online"), InvalidInput),
        (Actor("m@example.org", "event_manager"), {}, NotAllowed),
    ],
)
def test_a_refused_bulk_refund_writes_nothing(engine, selection, actor, changes, error):
    args = dict(
        actor=actor,
        order_ids=list(selection.values()),
        method="bank_transfer",
        refunded_at=TODAY,
        reason="Paid twice",
    )
    args.update(changes)
    with pytest.raises(error), unit_of_work(engine) as session:
        refund_excess(session, **args)
    assert _refunds(engine) == []
