"""The overview's to-do list (issue 15) on SQLite and PostgreSQL: each count is exact, each role
sees only the items it acts on, and each item's grid link lists exactly the orders it counted
(the count and the grid are one filter: queries.grid.filter_conditions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from orders_core.db import unit_of_work
from orders_core.documents.seller import MANDATORY
from orders_core.emails.outbox import queue_email
from orders_core.models import BankStatement, BankTransaction, Order, OutboxEmail
from orders_core.permissions import Actor
from queries.due import today_in
from queries.export import export_chunks
from queries.grid import GridFilters, grid_count_and_totals, grid_page
from queries.overview import todo_keys, todo_list
from tests.factories import make_event, make_order, make_seller_settings, make_tariff
from ui.grid_state import GridView, view_from_params, view_to_params

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

TIMEZONE = "Pacific/Kiritimati"  # UTC+14: "today" there is not UTC's today half of the time


def _set(session, order, **values):
    session.execute(update(Order).where(Order.id == order.id).values(**values))


@pytest.fixture
def todo(engine):
    """Orders in and out of each item; returns {name: order number} and the open statement's id."""
    today = today_in(TIMEZONE)
    day = timedelta(days=1)
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        badge = make_tariff(session, event)

        def invoice(**overrides):
            return make_order(
                session, event, [(badge, 1)], status="awaiting_payment", payment_mode="invoice", **overrides
            )

        orders = {
            "overdue": invoice(due_date=today - 5 * day),
            "overdue_two_days": invoice(due_date=today - 2 * day),  # overdue in any timezone
            "due_today": invoice(due_date=today),
            "due_later": invoice(due_date=today + 5 * day),
            "no_due_date": invoice(),
            "overdue_deleted": invoice(due_date=today - 5 * day, deleted_at=datetime.now(UTC)),
            "overdue_cancelled": make_order(
                session, event, [(badge, 1)], status="cancelled", payment_mode="invoice", due_date=today - 5 * day
            ),
            "overdue_but_paid": make_order(
                session, event, [(badge, 1)], status="paid", payment_mode="invoice", due_date=today - 5 * day
            ),
            "balance_due": make_order(session, event, [(badge, 1)], status="paid", source="organizer"),
            "overpaid": make_order(session, event, [(badge, 1)], status="paid"),
            "part_paid_invoice": invoice(due_date=today - 40 * day),
            "pending_admin": make_order(session, event, [(badge, 1)], status="pending_admin"),
            "follow_up_today": invoice(follow_up_on=today, follow_up_note="call"),
            "follow_up_past": make_order(session, event, [(badge, 1)], status="paid", follow_up_on=today - 9 * day),
            "follow_up_later": invoice(follow_up_on=today + day),
        }
        # A paid organiser order after added tickets owes a balance; another was paid twice.
        _set(session, orders["balance_due"], total_ttc=Decimal("240.00"), total_ht=Decimal("200.00"))
        _set(session, orders["balance_due"], payment_state="partially_paid")
        _set(session, orders["overpaid"], amount_paid=Decimal("240.00"), payment_state="overpaid")
        _set(session, orders["part_paid_invoice"], amount_paid=Decimal("20.00"), payment_state="partially_paid")
        statement = BankStatement(
            filename="s.csv", file_format="csv", imported_at=datetime.now(UTC), imported_by="tests", errors=[]
        )
        session.add(statement)
        session.flush()
        # the last line is a zero-amount line: nothing to place, so not a line to reconcile
        for line, status in enumerate(("unmatched", "partial", "matched", "ignored", "unmatched", "unmatched")):
            session.add(
                BankTransaction(
                    statement_id=statement.id,
                    line_number=line + 2,
                    booked_on=today,
                    amount=Decimal("0.00") if line == 5 else Decimal("10.00"),
                    allocated=Decimal("10.00") if status == "matched" else Decimal("0.00"),
                    currency="EUR",
                    checksum=f"line-{line}",
                    status=status,
                    updated_at=datetime.now(UTC),
                )
            )
        emails = [
            queue_email(session, order=orders[name], kind="order_confirmation") for name in ("overdue", "due_later")
        ]
        session.flush()
        session.execute(update(OutboxEmail).where(OutboxEmail.id == emails[0].id).values(status="failed"))
        numbers = {name: order.number for name, order in orders.items()}
        statement_id = statement.id
    return numbers, statement_id


EXPECTED_ORDERS = {
    "overdue": {"overdue", "overdue_two_days", "part_paid_invoice"},
    "balance_due": {"balance_due"},
    "refund_due": {"overpaid"},
    "approvals": {"pending_admin"},
    "follow_ups": {"follow_up_today", "follow_up_past"},
}


def test_each_count_is_exact_and_each_link_lists_exactly_those_orders(engine, todo):
    numbers, statement_id = todo
    items = {item.key: item for item in todo_list(engine, "admin", TIMEZONE, principal=EVERY_EVENT)}
    assert list(items) == [
        "overdue",
        "balance_due",
        "refund_due",
        "approvals",
        "follow_ups",
        "statement_lines",
        "failed_emails",
        "seller_settings",
    ]
    for key, names in EXPECTED_ORDERS.items():
        item = items[key]
        wanted = {numbers[name] for name in names}
        # What the grid shows when the link is opened: the link's URL read back as the grid reads it.
        opened = view_from_params(view_to_params(GridView(filters=item.grid)), TIMEZONE).filters
        assert opened == item.grid, key
        assert item.count == len(wanted), key
        assert set(grid_page(engine, opened, page_size=100, principal=EVERY_EVENT)["number"]) == wanted, key
        assert grid_count_and_totals(engine, opened, principal=EVERY_EVENT)[0] == len(wanted), key
        assert {
            row["number"] for chunk in export_chunks(engine, opened, principal=EVERY_EVENT) for row in chunk
        } == wanted, key
    assert (items["statement_lines"].count, items["statement_lines"].page) == (3, "pages/reconciliation.py")
    assert dict(items["statement_lines"].params) == {"statement": str(statement_id)}
    assert (items["failed_emails"].count, dict(items["failed_emails"].params)) == (1, {"status": "failed"})


def test_the_link_parameters_are_the_grids_own(engine, todo):
    items = {item.key: item for item in todo_list(engine, "admin", TIMEZONE, principal=EVERY_EVENT)}
    params = {key: view_to_params(GridView(filters=items[key].grid)) for key in EXPECTED_ORDERS}
    assert params == {
        "overdue": {"overdue": "1"},
        "balance_due": {"status": "paid", "paystate": "partially_paid"},
        "refund_due": {"paystate": "overpaid"},
        "approvals": {"status": "pending_admin"},
        "follow_ups": {"followup": "due"},
    }


@pytest.mark.parametrize(
    "role, keys",
    [
        ("finance", ["overdue", "balance_due", "refund_due", "follow_ups", "statement_lines"]),
        ("event_manager", ["balance_due", "follow_ups"]),
        ("marketer", []),
    ],
)
def test_each_role_sees_only_the_items_it_can_act_on(engine, todo, role, keys):
    assert todo_keys(role) == keys
    assert [item.key for item in todo_list(engine, role, TIMEZONE, principal=EVERY_EVENT)] == keys


def test_an_empty_database_has_nothing_to_do_but_the_seller_settings(engine):
    items = todo_list(engine, "admin", "UTC", principal=EVERY_EVENT)
    # Every mandatory setting but the two number patterns, which have defaults.
    assert [item.count for item in items] == [0] * 7 + [len(MANDATORY) - 2]
    assert (items[-1].key, items[-1].page) == ("seller_settings", "pages/seller_settings.py")


def test_the_seller_settings_item_counts_the_missing_settings_and_goes_with_the_last_one(engine):
    with unit_of_work(engine) as session:
        make_seller_settings(session, iban="", bic="")
    assert [
        (i.key, i.count) for i in todo_list(engine, "admin", "UTC", principal=EVERY_EVENT) if i.key == "seller_settings"
    ] == [("seller_settings", 2)]
    with unit_of_work(engine) as session:
        make_seller_settings(session)
    assert todo_list(engine, "admin", "UTC", principal=EVERY_EVENT)[-1].count == 0


def test_the_follow_up_filter_counts_today_in_the_users_timezone(engine, todo):
    numbers, _statement = todo
    due = set(grid_page(engine, GridFilters(follow_up_due=True, timezone=TIMEZONE), principal=EVERY_EVENT)["number"])
    assert due == {numbers["follow_up_today"], numbers["follow_up_past"]}
    assert numbers["follow_up_later"] not in due
