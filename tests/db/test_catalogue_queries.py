"""Catalogue read side (issue 7) on a hand-built set: sold / awaiting / remaining per tariff,
code uses and revenue given away (exact, per currency), sellable tariffs for the wizard, the log."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pandas as pd

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services import catalogue
from queries.catalogue import (
    catalogue_history,
    discount_codes_of_event,
    event_row,
    events_list,
    sellable_tariffs,
    tariffs_of_event,
)
from tests.factories import EVERYONE, NOW, make_code, make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")


def _build(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Lyon Conf", currency="EUR")
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"), capacity=20)
        lunch = make_tariff(
            session, event, kind="product", name="Lunch", unit_price_ht=Decimal("12.35"), tax_rate=Decimal("10")
        )
        ten = make_code(session, event, "TEN", percent_off=Decimal("10"))
        make_code(session, event, "UNUSED", percent_off=None, amount_off=Decimal("5.00"))
        make_order(session, event, [(badge, 2), (lunch, 3)], status="paid", code=ten)
        make_order(session, event, [(badge, 1)], status="paid", code=ten)
        make_order(session, event, [(badge, 4)], status="awaiting_payment", code=ten)
        make_order(session, event, [(badge, 1)], status="pending_admin")
        make_order(session, event, [(badge, 5)], status="cancelled", code=ten)
        make_order(session, event, [(badge, 6)], status="paid", code=ten, deleted_at=NOW)
        make_order(session, event, [(badge, 7)], status="cart_incomplete")
        archived = make_event(session, name="Old", archived_at=NOW)
        return event.id, badge.id, lunch.id, archived.id


def test_tariffs_show_sold_awaiting_and_remaining_units(engine):
    event_id, badge_id, lunch_id, _ = _build(engine)
    frame = tariffs_of_event(engine, event_id, principal=EVERYONE).set_index("id")
    assert frame.loc[badge_id, ["sold", "awaiting", "remaining", "capacity"]].tolist() == [3, 5, 12, 20]
    assert frame.loc[lunch_id, ["sold", "awaiting"]].tolist() == [3, 0]
    assert pd.isna(frame.loc[lunch_id, "remaining"]) and pd.isna(frame.loc[lunch_id, "capacity"])
    assert frame.loc[lunch_id, "unit_price_ht"] == Decimal("12.35")
    # every order line counts for deletion, even of cancelled, deleted or unfinished orders
    assert frame.loc[badge_id, "order_lines"] == 7


def test_codes_show_uses_paid_uses_and_exact_revenue_given_away(engine):
    event_id, *_ = _build(engine)
    frame = discount_codes_of_event(engine, event_id, principal=EVERYONE).set_index("code")
    # TEN: 2 paid + 1 awaiting count as uses; cancelled and deleted orders do not.
    assert frame.loc["TEN", ["uses", "paid_uses"]].tolist() == [3, 2]
    # 10 % of (200 + 37.05) and of 100: 20.00 + 3.71 (rounded per line) + 10.00
    assert frame.loc["TEN", "given_away"] == {"EUR": Decimal("33.71")}
    assert frame.loc["UNUSED", ["uses", "paid_uses", "given_away"]].tolist() == [0, 0, {}]
    assert frame.loc["UNUSED", "amount_off"] == Decimal("5.00")
    assert frame.loc["TEN", "tariff_ids"] == []


def test_sellable_tariffs_are_active_in_their_window_with_capacity_left(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        open_ = make_tariff(
            session, event, name="Open", sales_start=NOW - timedelta(days=1), sales_end=NOW + timedelta(days=1)
        )
        make_tariff(session, event, name="Inactive", active=False)
        make_tariff(session, event, name="Not yet", sales_start=NOW + timedelta(hours=1))
        make_tariff(session, event, name="Closed", sales_end=NOW)
        full = make_tariff(session, event, name="Full", capacity=2)
        make_order(session, event, [(full, 2)], status="paid")
        make_tariff(session, event, name="One left", capacity=3)
        event_id, open_id = event.id, open_.id
    frame = sellable_tariffs(engine, event_id, NOW, principal=EVERYONE)
    assert frame["name"].tolist() == ["Open", "One left"]
    assert frame["id"].iloc[0] == open_id


def test_events_list_hides_archived_events_unless_asked(engine):
    event_id, _, _, archived_id = _build(engine)
    listed = events_list(engine, principal=EVERYONE)
    assert listed["id"].tolist() == [event_id]
    assert listed.iloc[0][["tariffs", "orders"]].tolist() == [2, 6]
    assert set(events_list(engine, include_archived=True, principal=EVERYONE)["id"]) == {event_id, archived_id}
    assert event_row(engine, archived_id, principal=EVERYONE)["name"] == "Old"
    assert event_row(engine, 999_999, principal=EVERYONE) is None


def test_the_history_lists_changes_of_one_event_newest_first(engine):
    event_id, badge_id, *_ = _build(engine)
    other = _build(engine)[0]
    with unit_of_work(engine) as session:
        catalogue.update_tariff(session, actor=ADMIN, tariff_id=badge_id, unit_price_ht=Decimal("90"))
        catalogue.update_event(session, actor=ADMIN, event_id=event_id, name="Lyon Conf 2027")
        catalogue.update_event(session, actor=ADMIN, event_id=other, name="Elsewhere")
    log = catalogue_history(engine, event_id=event_id, principal=EVERYONE)
    assert log["entity"].tolist() == ["event", "tariff"]
    assert log.iloc[1]["details"] == {"unit_price_ht": {"old": "100.00", "new": "90.00"}}
    assert log.iloc[0]["actor"] == "admin@example.org"
    assert len(catalogue_history(engine, principal=EVERYONE)) == 3
