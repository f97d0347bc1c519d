"""The reminder ladder's pure rules (orders_core/reminders.py): which step is due on which day,
which one "send the next reminder now" picks, civil hours across timezones and DST, the pause,
who is still owed reminders, and the ladder's validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from orders_core.errors import InvalidInput
from orders_core.reminders import (
    Ladder,
    at_civil_hour,
    clean_ladder,
    due_step,
    is_business,
    is_paused,
    next_step,
    owed,
    reminder_values,
)

DUE = date(2026, 12, 10)
LADDER = Ladder.default()


@pytest.mark.parametrize(
    "days,sent,expected",
    [
        (-4, [], None),
        (-3, [], "due_soon"),
        (0, ["due_soon"], None),
        (1, ["due_soon"], "first"),
        (6, ["due_soon", "first"], None),
        (7, ["due_soon", "first"], "second"),
        (21, ["due_soon", "first", "second"], "final"),
        (40, ["due_soon", "first", "second", "final"], None),
        (30, [], "final"),  # missed steps: only the latest
        (8, ["due_soon"], "second"),
        (8, ["second"], None),  # a later step sent (by hand): earlier ones are never sent
    ],
)
def test_the_due_step_is_the_latest_come_past_the_furthest_sent(days, sent, expected):
    assert due_step(LADDER, due_date=DUE, today=DUE + timedelta(days=days), sent=sent) == expected


def test_the_next_step_now_follows_the_furthest_sent_and_skips_disabled_ones():
    ladder = clean_ladder({"due_soon": (False, -3), "first": (True, 1), "second": (False, 7), "final": (True, 21)})
    assert next_step(ladder, sent=[]) == "first"
    assert next_step(ladder, sent=["first"]) == "final"
    assert next_step(ladder, sent=["final"]) is None
    assert due_step(ladder, due_date=DUE, today=DUE + timedelta(days=10), sent=["first"]) is None


def test_sending_now_an_overdue_order_sends_the_step_its_day_has_reached_not_due_soon():
    assert next_step(LADDER, sent=[], due_date=DUE, today=DUE + timedelta(days=3)) == "first"
    assert next_step(LADDER, sent=[], due_date=DUE, today=DUE + timedelta(days=9)) == "second"
    assert next_step(LADDER, sent=["first"], due_date=DUE, today=DUE + timedelta(days=3)) == "second"  # ahead
    assert next_step(LADDER, sent=[], due_date=DUE, today=DUE - timedelta(days=10)) == "due_soon"  # ahead


@pytest.mark.parametrize(
    "moment,zone,civil",
    [
        (datetime(2026, 12, 11, 8, 0, tzinfo=UTC), "Europe/Paris", True),  # 09:00 CET
        (datetime(2026, 12, 11, 7, 59, tzinfo=UTC), "Europe/Paris", False),
        (datetime(2026, 12, 11, 17, 59, tzinfo=UTC), "Europe/Paris", True),  # 18:59
        (datetime(2026, 12, 11, 18, 0, tzinfo=UTC), "Europe/Paris", False),  # 19:00
        (datetime(2026, 7, 11, 7, 0, tzinfo=UTC), "Europe/Paris", True),  # 09:00 CEST (summer time)
        (datetime(2026, 7, 11, 6, 59, tzinfo=UTC), "Europe/Paris", False),
        (datetime(2026, 12, 11, 14, 0, tzinfo=UTC), "America/Montreal", True),
        (datetime(2026, 12, 11, 8, 0, tzinfo=UTC), "America/Montreal", False),  # 03:00
    ],
)
def test_civil_hours_are_the_events_own(moment, zone, civil):
    assert at_civil_hour(moment, zone) is civil


def test_a_pause_includes_its_last_day():
    assert is_paused(date(2026, 12, 15), date(2026, 12, 15))
    assert not is_paused(date(2026, 12, 15), date(2026, 12, 16))
    assert not is_paused(None, date(2026, 12, 16))


def test_only_orders_that_owe_money_get_reminders():
    assert owed(status="awaiting_payment", payment_state="unpaid", deleted=False)
    assert owed(status="awaiting_payment", payment_state="partially_paid", deleted=False)
    assert not owed(status="paid", payment_state="paid", deleted=False)
    assert not owed(status="paid", payment_state="overpaid", deleted=False)
    assert not owed(status="cancelled", payment_state="unpaid", deleted=False)
    assert not owed(status="awaiting_payment", payment_state="unpaid", deleted=True)


def test_a_business_buyer_is_a_company_or_a_vat_number_and_reads_the_legal_wording():
    assert is_business("Exemple SARL", "") and is_business("", "FR123") and not is_business("  ", None)
    values = reminder_values(step="first", due_date=DUE, today=DUE + timedelta(days=3), business=True, language="fr")
    assert "indemnité forfaitaire pour frais de recouvrement de 40 €" in values["late_payment_terms"]
    assert values["days_overdue"] == 3 and values["due_date_formatted"] == "10 déc. 2026"
    person = reminder_values(step="due_soon", due_date=DUE, today=DUE, business=False, language="en")
    assert person["late_payment_terms"] == "" and person["before_due"] and not person["final"]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"due_soon": (True, 1)}, "0 or less"),
        ({"second": (True, 0)}, "1 day or more"),
        ({"final": (True, "3.5")}, "whole number"),
        ({"final": (True, 400)}, "between -60 and 365"),
        ({"second": (True, 30)}, "must come after"),
    ],
)
def test_an_inconsistent_ladder_is_refused_with_the_reason(change, message):
    steps = {"due_soon": (True, -3), "first": (True, 1), "second": (True, 7), "final": (True, 21), **change}
    with pytest.raises(InvalidInput, match=message):
        clean_ladder(steps)


def test_a_disabled_step_does_not_constrain_the_order():
    ladder = clean_ladder({"due_soon": (True, -3), "first": (True, 1), "second": (False, 30), "final": (True, 21)})
    assert [s.step for s in ladder.enabled] == ["due_soon", "first", "final"]
