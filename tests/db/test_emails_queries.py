"""The outbox read side on both databases: filters by status, kind, order number, recipient and
UTC days (inclusive), newest first; an order's emails; counts per status."""

from __future__ import annotations

from datetime import UTC, date, datetime

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from queries.emails import order_emails, outbox, outbox_counts
from tests.factories import EVERYONE, make_event, make_order, make_tariff


def test_the_outbox_filters_combine_and_list_newest_first(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        first = make_order(session, event, [(tariff, 1)], buyer_email="zoe@example.org")
        second = make_order(session, event, [(tariff, 1)], buyer_email="NOEL@example.org")
        a = queue_email(session, order=first, kind="payment_details", now=datetime(2026, 11, 1, 23, 59, tzinfo=UTC))
        b = queue_email(session, order=second, kind="order_confirmation", now=datetime(2026, 11, 2, 0, 0, tzinfo=UTC))
        c = queue_email(session, order=second, kind="tickets", now=datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
        c.status, c.last_error = "failed", "SMTP 550"
        ids = {"a": a.id, "b": b.id, "c": c.id}
        numbers = {"first": first.number, "second": second.number, "second_id": second.id}

    assert list(outbox(engine, principal=EVERYONE)["id"]) == [ids["c"], ids["b"], ids["a"]]
    assert list(outbox(engine, statuses=("failed",), principal=EVERYONE)["id"]) == [ids["c"]]
    assert list(outbox(engine, kinds=("payment_details", "tickets"), principal=EVERYONE)["id"]) == [ids["c"], ids["a"]]
    assert list(outbox(engine, order_number=numbers["second"], principal=EVERYONE)["id"]) == [ids["c"], ids["b"]]
    assert list(outbox(engine, recipient="noel@", principal=EVERYONE)["id"]) == [ids["c"], ids["b"]]
    assert list(
        outbox(engine, created_from=date(2026, 11, 2), created_to=date(2026, 11, 2), principal=EVERYONE)["id"]
    ) == [ids["b"]]
    assert list(outbox(engine, created_to=date(2026, 11, 1), principal=EVERYONE)["id"]) == [ids["a"]]
    assert outbox(engine, statuses=("sent",), principal=EVERYONE).empty
    frame = outbox(engine, statuses=("failed",), principal=EVERYONE)
    assert frame.loc[0, "order_number"] == numbers["second"] and frame.loc[0, "last_error"] == "SMTP 550"
    assert outbox_counts(engine, principal=EVERYONE) == {"queued": 2, "sending": 0, "sent": 0, "failed": 1}
    assert list(order_emails(engine, numbers["second_id"], principal=EVERYONE)["kind"]) == [
        "tickets",
        "order_confirmation",
    ]
