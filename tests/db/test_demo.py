"""The demo data: reproducible from its seed, refused on a non-empty database without a
reset, rich enough for the dashboards, and consistent with every invariant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.demo import DemoRefused, load_demo
from orders_core.models import Attendee, DiscountCode, Event, FieldValue, Order, OrderHistory, Payment, User
from orders_core.payment_state import PaymentState
from orders_core.status import PaymentMode, Status
from queries.sql import money_sum

TODAY = datetime(2026, 11, 21, tzinfo=UTC)
SIZE = 2500


@pytest.fixture
def engine(owner_engine):
    """The demo loader connects as the owner, as `orders demo` does (it resets sequences and
    empties the append-only tables on --reset)."""
    return owner_engine


def _fingerprint(engine) -> dict:
    """What "the same data" means: per-currency totals, counts per status and payment mode,
    and the number of rows of every generated table."""
    with engine.connect() as conn:
        totals = {
            currency: (orders, total_ht, total_ttc, paid)
            for currency, orders, total_ht, total_ttc, paid in conn.execute(
                select(
                    Order.currency,
                    func.count(),
                    money_sum(Order.total_ht),
                    money_sum(Order.total_ttc),
                    money_sum(Order.amount_paid),
                ).group_by(Order.currency)
            )
        }
        statuses = dict(conn.execute(select(Order.status, func.count()).group_by(Order.status)).all())
        modes = dict(conn.execute(select(Order.payment_mode, func.count()).group_by(Order.payment_mode)).all())
        rows = {
            name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()
            for name in (
                "orders",
                "order_lines",
                "order_items",
                "attendees",
                "payments",
                "order_history",
                "field_values",
            )
        }
    return {"totals": totals, "statuses": statuses, "modes": modes, "rows": rows}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(engine):
    load_demo(engine, orders=SIZE, seed=5, today=TODAY)
    first = _fingerprint(engine)
    load_demo(engine, orders=SIZE, seed=5, today=TODAY, reset_first=True)
    assert _fingerprint(engine) == first
    load_demo(engine, orders=SIZE, seed=6, today=TODAY, reset_first=True)
    other = _fingerprint(engine)
    assert other["rows"]["orders"] == first["rows"]["orders"] == SIZE
    assert other["totals"] != first["totals"]
    assert other["statuses"] != first["statuses"]


def test_a_database_with_data_is_refused_without_reset_and_replaced_with_it(engine):
    load_demo(engine, orders=200, seed=1, today=TODAY)
    with unit_of_work(engine) as session:
        session.add(
            User(
                email="keeper@example.org",
                role="admin",
                password_hash="$argon2id$not-a-real-hash",
                full_name="Keeper",
                active=True,
                created_at=TODAY,
            )
        )
    with pytest.raises(DemoRefused, match="--reset"):
        load_demo(engine, orders=50, seed=2, today=TODAY)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order)).scalar() == 200

    load_demo(engine, orders=50, seed=2, today=TODAY, reset_first=True)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order)).scalar() == 50
        assert conn.execute(select(func.count()).select_from(Event)).scalar() == 4
        assert conn.execute(select(User.email)).scalars().all() == ["keeper@example.org"]
        numbers = conn.execute(select(func.min(Order.number), func.max(Order.number))).one()
        assert check_database(conn) == []
    assert 1_000_000 <= numbers[0] <= numbers[1] <= 9_999_999


def test_an_empty_events_table_but_existing_orders_still_counts_as_data(engine):
    load_demo(engine, orders=0, seed=1, today=TODAY)  # the catalogue alone
    with pytest.raises(DemoRefused):
        load_demo(engine, orders=10, seed=1, today=TODAY)


@pytest.fixture
def demo(engine):
    load_demo(engine, orders=3000, seed=11, today=TODAY)
    return engine


def test_the_demo_covers_what_the_dashboards_need(demo):
    with demo.connect() as conn:
        statuses = dict(conn.execute(select(Order.status, func.count()).group_by(Order.status)).all())
        modes = dict(conn.execute(select(Order.payment_mode, func.count()).group_by(Order.payment_mode)).all())
        currencies = conn.execute(select(func.count(func.distinct(Event.currency)))).scalar()
        events = conn.execute(select(func.count()).select_from(Event)).scalar()
        full_code = conn.execute(select(DiscountCode.code).where(DiscountCode.percent_off == 100)).scalars().all()
        used_full = conn.execute(
            select(func.count()).select_from(Order).where(Order.discount_code.in_(full_code))
        ).scalar()
        organizer = conn.execute(select(func.count()).select_from(Order).where(Order.source == "organizer")).scalar()
        online = conn.execute(select(func.count()).select_from(Order).where(Order.source == "online")).scalar()
        online_utm = conn.execute(
            select(func.count()).select_from(Order).where(Order.source == "online", Order.utm_source.is_not(None))
        ).scalar()
        utm_sources = conn.execute(
            select(Order.utm_source, func.count()).where(Order.utm_source.is_not(None)).group_by(Order.utm_source)
        ).all()
        field_values = conn.execute(select(func.count()).select_from(FieldValue)).scalar()
        without_history = conn.execute(
            select(func.count())
            .select_from(Order)
            .where(~select(OrderHistory.id).where(OrderHistory.order_id == Order.id).exists())
        ).scalar()
        paid_unpaid = conn.execute(
            select(func.count())
            .select_from(Order)
            .where(
                Order.status == "paid",
                Order.total_ttc > 0,
                ~select(Payment.id).where(Payment.order_id == Order.id).exists(),
            )
        ).scalar()
        months = conn.execute(select(Order.created_at)).scalars().all()
        payment_states = set(conn.execute(select(Order.payment_state).distinct()).scalars())

    assert set(statuses) == {s.value for s in Status}
    assert payment_states == {s.value for s in PaymentState}  # every payment state, through the services
    assert set(modes) == {m.value for m in PaymentMode}
    assert statuses["paid"] > sum(statuses.values()) / 2  # plausible proportions: most orders are paid
    assert currencies >= 3 and events >= 3
    assert full_code and used_full > 0
    assert organizer > 0
    assert online_utm > online / 2
    counts = sorted(n for _, n in utm_sources)
    assert len(counts) >= 3 and counts[-1] >= 2 * counts[0]  # a realistic skew across sources
    assert field_values > 0
    assert without_history == 0
    assert paid_unpaid == 0
    assert len({(d.year, d.month) for d in months}) >= 3  # spread over months


def test_the_demo_has_partially_cancelled_orders_through_the_service(demo):
    with demo.connect() as conn:
        cancelled = conn.execute(
            select(OrderHistory.order_id, Order.status, Order.payment_state)
            .join(Order, Order.id == OrderHistory.order_id)
            .where(OrderHistory.action == "tickets_cancelled")
            .order_by(OrderHistory.id)
        ).all()
        marked = conn.execute(
            select(func.count())
            .select_from(Attendee)
            .where(Attendee.order_id.in_([c.order_id for c in cancelled]), Attendee.cancelled_at.is_not(None))
        ).scalar()
    assert [(c.status, c.payment_state) for c in cancelled] == [("paid", "paid"), ("paid", "overpaid")]
    assert marked == 2  # one cancelled ticket each: its attendee kept, marked cancelled


def test_the_demo_breaks_no_invariant(demo):
    with demo.connect() as conn:
        assert check_database(conn) == []


def test_a_sqlite_demo_load_keeps_its_summary_triggers_and_summaries_in_step(db_url, backend):
    """The loader drops SQLite's row triggers for speed and must put every one back."""
    if backend != "sqlite":
        pytest.skip("only SQLite suspends its triggers during the load")
    from sqlalchemy import text

    from orders_core.checks import check_database
    from orders_core.db import get_engine

    engine = get_engine(db_url)
    trigger_sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    with engine.connect() as conn:
        before = conn.execute(text(trigger_sql)).scalars().all()
    load_demo(engine, orders=300, seed=11)
    with engine.connect() as conn:
        assert conn.execute(text(trigger_sql)).scalars().all() == before
        assert check_database(conn) == []


def test_the_seated_event_has_a_seat_plan_and_no_seat_is_sold_twice(demo):
    """Issue 18: every ticket of a live order of the seated event holds a seat of its plan, each
    seat at most once (the database's key), and `orders check` finds no seat sold twice."""
    with demo.connect() as conn:
        seated = conn.execute(select(Event.id).where(Event.seated.is_(True))).scalars().all()
        assert seated
        live_items = conn.execute(
            text(
                "SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id "
                "WHERE o.event_id = :e AND o.status <> 'cancelled' AND o.deleted_at IS NULL"
            ),
            {"e": seated[0]},
        ).scalar_one()
        seats = conn.execute(text("SELECT COUNT(*) FROM seats WHERE event_id = :e"), {"e": seated[0]}).scalar_one()
        sold = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT seat_id) FROM seat_assignments WHERE event_id = :e"),
            {"e": seated[0]},
        ).one()
        doubles = conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT i.seat FROM order_items i JOIN orders o ON o.id = i.order_id "
                "WHERE o.event_id = :e AND o.status <> 'cancelled' AND o.deleted_at IS NULL "
                "AND i.seat IS NOT NULL GROUP BY i.seat HAVING COUNT(*) > 1) d"
            ),
            {"e": seated[0]},
        ).scalar_one()
        assert check_database(conn, only=["seat_sold_once", "seat_assignment_matches_ticket"]) == []
    assert live_items > 100 and sold == (live_items, live_items) and seats >= live_items
    assert doubles == 0


def test_a_fresh_demo_has_valid_seller_settings_and_issues_its_documents_through_the_hooks(demo):
    """Issue 21: the seller is a French SAS whose numbers pass their checks; every invoice order
    still billing and every paid order with something to pay holds a standing invoice; the order
    refunded and cancelled and the invoice orders cancelled by finance hold a full credit note,
    the partially cancelled orders a partial one."""
    from stdnum import bic, iban
    from stdnum.fr import siren, siret, tva

    from orders_core.documents.automatic import standing_invoice_ids
    from orders_core.documents.seller import missing_settings
    from orders_core.models import Invoice, SellerSettings

    with unit_of_work(demo) as session:
        seller = session.get_one(SellerSettings, 1)
        assert missing_settings(seller) == []
        assert siren.is_valid(seller.siren) and siret.is_valid(seller.siret) and tva.is_valid(seller.vat_number)
        assert iban.is_valid(seller.iban) and bic.is_valid(seller.bic) and seller.legal_form == "SAS"
        billing = session.scalars(
            select(Order.id).where(
                Order.deleted_at.is_(None),
                Order.total_ttc > 0,
                (Order.status == "paid") | ((Order.status == "awaiting_payment") & (Order.payment_mode == "invoice")),
            )
        ).all()
        standing = standing_invoice_ids(session, billing)
        assert billing and set(standing) == set(billing)
        notes = session.execute(
            select(Order.status, Invoice.total_ttc, Invoice.corrects_id)
            .join(Order, Order.id == Invoice.order_id)
            .where(Invoice.kind == "credit_note")
        ).all()
        corrected = {n.corrects_id: n for n in notes}
        totals = dict(session.execute(select(Invoice.id, Invoice.total_ttc).where(Invoice.id.in_(corrected))).all())
    full = [n for n in notes if n.total_ttc == -totals[n.corrects_id]]
    assert sorted(n.status for n in full) == ["cancelled"] * 3  # refunded and cancelled, two cancelled
    assert [n.status for n in notes if n not in full] == ["paid", "paid"]  # the partial cancellations


def test_every_demo_order_and_holder_can_be_found_by_the_search(demo):
    """The folded search text is written by triggers: a load must leave none of it empty (SQLite's
    loader once dropped those triggers with the summaries' and every search found nothing)."""
    from orders_core.permissions import Actor
    from queries.grid import GridFilters, grid_count_and_totals

    with demo.connect() as conn:
        unfolded = conn.execute(
            text("SELECT COUNT(*) FROM orders WHERE search_folded IS NULL OR search_folded = ''")
        ).scalar_one()
        unfolded_items = conn.execute(
            text("SELECT COUNT(*) FROM order_items WHERE search_folded IS NULL OR search_folded = ''")
        ).scalar_one()
        last_name = conn.execute(select(Order.buyer_last_name).order_by(Order.id).limit(1)).scalar_one()
        holding = conn.execute(
            select(func.count()).select_from(Order).where(func.lower(Order.buyer_last_name) == last_name.lower())
        ).scalar_one()
    assert (unfolded, unfolded_items) == (0, 0)
    found, _totals = grid_count_and_totals(
        demo, GridFilters(search=last_name), principal=Actor("admin@example.com", "admin")
    )
    assert found >= holding >= 1
