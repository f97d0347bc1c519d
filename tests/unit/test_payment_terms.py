"""The payment terms' rules (issue 15), pure: the due date of an invoice order, what a change
does to it, how many days overdue, when an unpaid order expires, and the terms a user types."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orders_core.errors import InvalidInput
from orders_core.payment_terms import (
    Terms,
    check_terms,
    clean_terms,
    days_overdue,
    describe_terms,
    due_date_after,
    due_date_for,
    expires_on,
    has_expired,
)

EVENT = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)  # 09:00 in Paris on 20 March


def due(terms: Terms, ordered_at: datetime, timezone: str = "Europe/Paris") -> date | None:
    return due_date_for(terms, ordered_at=ordered_at, event_starts_at=EVENT, timezone=timezone)


def test_due_n_days_after_the_order():
    assert due(Terms(30), datetime(2027, 1, 10, 12, tzinfo=UTC)) == date(2027, 2, 9)


def test_the_last_day_before_the_event_wins_when_it_comes_first():
    assert due(Terms(30, 14), datetime(2027, 2, 20, 12, tzinfo=UTC)) == date(2027, 3, 6)
    assert due(Terms(30, 14), datetime(2027, 1, 2, 12, tzinfo=UTC)) == date(2027, 2, 1)


def test_an_order_placed_after_the_last_day_is_due_the_day_it_is_placed():
    assert due(Terms(None, 14), datetime(2027, 3, 15, 9, tzinfo=UTC)) == date(2027, 3, 15)


def test_no_terms_no_due_date():
    assert due(Terms(), datetime(2027, 1, 10, 12, tzinfo=UTC)) is None


def test_the_order_day_is_the_events_local_day():
    # 23:30 UTC on 10 January is already 11 January in Paris, still 10 January in Montréal.
    late_evening = datetime(2027, 1, 10, 23, 30, tzinfo=UTC)
    assert due(Terms(0), late_evening, "Europe/Paris") == date(2027, 1, 11)
    assert due(Terms(0), late_evening, "America/Montreal") == date(2027, 1, 10)


AT = datetime(2027, 1, 10, 12, tzinfo=UTC)
KW = dict(terms=Terms(30), at=AT, event_starts_at=EVENT, timezone="Europe/Paris")
INVOICE = ("awaiting_payment", "invoice")


def test_a_change_keeps_the_due_date_given_sets_it_when_the_order_becomes_an_invoice_and_clears_it_after():
    assert due_date_after(None, before=None, after=INVOICE, **KW) == date(2027, 2, 9)
    assert due_date_after(None, before=None, after=("paid", "invoice"), **KW) is None
    assert due_date_after(date(2027, 1, 31), before=INVOICE, after=INVOICE, **KW) == date(2027, 1, 31)
    assert due_date_after(None, before=INVOICE, after=INVOICE, **KW) == date(2027, 2, 9)  # terms set since
    assert due_date_after(None, before=("cart_incomplete", "undefined"), after=INVOICE, **KW) == date(2027, 2, 9)
    assert due_date_after(date(2027, 1, 31), before=INVOICE, after=("paid", "invoice"), **KW) == date(2027, 1, 31)
    assert due_date_after(date(2027, 1, 31), before=INVOICE, after=("cart_incomplete", "undefined"), **KW) is None


@pytest.mark.parametrize(
    "state,status,deleted,expected",
    [
        ("unpaid", "awaiting_payment", False, 5),
        ("partially_paid", "awaiting_payment", False, 5),
        ("paid", "paid", False, 0),
        ("overpaid", "paid", False, 0),
        ("unpaid", "cancelled", False, 0),
        ("unpaid", "awaiting_payment", True, 0),
    ],
)
def test_days_overdue_counts_only_what_still_owes(state, status, deleted, expected):
    assert days_overdue(
        date(2027, 1, 5), today=date(2027, 1, 10), payment_state=state, status=status, deleted=deleted
    ) == (expected)


def test_the_due_day_itself_is_not_overdue():
    kw = dict(payment_state="unpaid", status="awaiting_payment")
    assert days_overdue(date(2027, 1, 10), today=date(2027, 1, 10), **kw) == 0
    assert days_overdue(date(2027, 1, 10), today=date(2027, 1, 11), **kw) == 1
    assert days_overdue(None, today=date(2027, 1, 11), **kw) == 0


def expired(today: date, *, days: int | None = 7, received: bool = False, status: str = "awaiting_payment") -> bool:
    return has_expired(
        date(2027, 1, 10),
        days,
        today=today,
        status=status,
        payment_mode="invoice",
        deleted=False,
        money_received=received,
    )


def test_an_order_expires_the_day_after_its_grace_period_ends():
    assert expires_on(date(2027, 1, 10), 7) == date(2027, 1, 18)
    assert not expired(date(2027, 1, 17))
    assert expired(date(2027, 1, 18))


def test_an_order_that_received_money_expiry_off_or_not_awaiting_never_expires():
    assert not expired(date(2027, 6, 1), received=True)
    assert not expired(date(2027, 6, 1), days=None)
    assert not expired(date(2027, 6, 1), status="cancelled")


def test_terms_typed_by_a_user_are_whole_days_or_off():
    assert clean_terms(
        {"payment_terms_days": "30", "payment_due_days_before_event": "", "expire_after_days": None}
    ) == {
        "payment_terms_days": 30,
        "payment_due_days_before_event": None,
        "expire_after_days": None,
    }
    with pytest.raises(InvalidInput, match="Days after the order must be between 0 and 3650."):
        clean_terms({"payment_terms_days": -1})
    with pytest.raises(InvalidInput, match="Days before the event must be a whole number."):
        clean_terms({"payment_due_days_before_event": "two weeks"})
    with pytest.raises(InvalidInput, match="needs a due date"):
        check_terms(Terms(None, None, 10))


def test_terms_are_described_in_a_few_words():
    assert describe_terms(Terms()) == ""
    assert describe_terms(Terms(30, 7, 14)) == (
        "30 days after the order or 7 days before the event, whichever comes first; "
        "unpaid orders cancelled 14 days past due"
    )
