"""Issue 17, the order-centric read side: the grid and its exports, the order page, the lookups,
the pending invoices, the overview, the attendees, seat plans, reminders and the ledger. Each
spec asks, for a principal whose only event is ours, for their event's data (by id, number,
filter or search) and expects no trace of it; the control (a principal of every event) reaches
it. Counts carry no marker: tests/db/test_scope_orders.py checks their values."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import EmailTemplate, Order
from orders_core.status import EmailKind
from queries import (
    attendees,
    attendees_export,
    export,
    grid,
    grid_count,
    grid_search,
    ledger,
    order_detail,
    order_lookup,
    overview,
    pending,
    preferences,
    reminders,
    seats,
)
from queries.attendees import AttendeeFilters
from queries.grid import GridFilters
from tests.factories import NOW, make_event, make_seat_plan
from tests.scope.harness import Context, read, unscoped
from tests.scope.world import WORLD_BUILDERS, World

SEATED = "orders.seated_event_id"  # a seated event of theirs (marked), with a plan
TEMPLATE = "orders.refund_template_id"  # a refund template of their event (marked)


def _build(session: Session, world: World) -> None:
    hall = make_event(session, name="Zürich ZSECRET hall", currency="CHF", timezone="Europe/Zurich")
    hall.seated = True
    session.flush()
    make_seat_plan(session, hall, section="ZSECRET", rows="1-2", per_row=3)
    template = EmailTemplate(
        event_id=world.theirs.event_id,
        kind=EmailKind.REFUND,
        language="en",
        name="ZSECRET refund note",
        subject="Refund",
        body="Refunded.",
        is_html=False,
        updated_at=NOW,
    )
    session.add(template)
    session.flush()
    world.theirs.extra[SEATED] = hall.id
    world.theirs.extra[TEMPLATE] = template.id


WORLD_BUILDERS.append(_build)


def _theirs_filters(c: Context) -> GridFilters:
    return GridFilters(event_ids=(c.world.theirs.event_id,), include_deleted=True)


# --- the grid ------------------------------------------------------------------------------------
read(
    grid.grid_page,
    lambda c: [
        grid.grid_page(c.engine, GridFilters(include_deleted=True), principal=c.principal, page_size=100),
        grid.grid_page(c.engine, _theirs_filters(c), principal=c.principal),
        grid.grid_page(c.engine, GridFilters(search=str(c.world.theirs.paid_number)), principal=c.principal),
        grid.grid_page(c.engine, GridFilters(search="ZSECRET"), principal=c.principal),
        grid.grid_page(c.engine, GridFilters(search="ZSECRET10"), principal=c.principal),
    ],
)
read(
    grid.grid_count_and_totals,
    lambda c: [
        grid.grid_count_and_totals(c.engine, GridFilters(), principal=c.principal),  # order_summary
        grid.grid_count_and_totals(  # order_summary's whole days and the partial ones directly
            c.engine,
            GridFilters(created_from=(NOW - timedelta(days=10)).date(), timezone="Europe/Zurich"),
            principal=c.principal,
        ),
        grid.grid_count_and_totals(c.engine, GridFilters(search="ZSECRET"), principal=c.principal),  # direct
    ],
)

read(
    grid_count.grid_count,
    lambda c: [  # issue 19: searches and payment dates counted up to a cap, by id or per order
        grid_count.grid_count(c.engine, GridFilters(search="ZSECRET"), principal=c.principal),
        grid_count.grid_count(c.engine, GridFilters(search="ZSECRET"), principal=c.principal, cap=1),
        grid_count.grid_count(
            c.engine, GridFilters(paid_from=(NOW - timedelta(days=3650)).date()), principal=c.principal
        ),
        grid_count.grid_count(c.engine, _theirs_filters(c), principal=c.principal),
    ],
)


def _search_conditions(c: Context) -> list[str]:
    """The orders each form of the search selects: by ids (limit 1000) and per order (limit 0)."""
    found = []
    with c.engine.connect() as conn:
        for limit in (1000, 0):
            scope = grid.filter_conditions(GridFilters(include_deleted=True), principal=c.principal)
            conditions, _ids = grid_search.search_conditions(conn, "ZSECRET", scope, principal=c.principal, limit=limit)
            rows = conn.execute(select(Order.number, Order.buyer_last_name).where(*conditions)).mappings()
            found += [repr(dict(row)) for row in rows]  # "{'number': …}", as a trace is read
    return found


read(grid_search.search_conditions, _search_conditions)


def _order_id_for_number(c: Context) -> str | None:
    found = grid.order_id_for_number(c.engine, c.world.theirs.paid_number, principal=c.principal)
    return None if found is None else f"number={c.world.theirs.paid_number}"


read(grid.order_id_for_number, _order_id_for_number)
read(grid.filter_choices, lambda c: grid.filter_choices(c.engine, principal=c.principal))

# --- the exports -----------------------------------------------------------------------------------
read(
    export.export_chunks,
    lambda c: [
        list(export.export_chunks(c.engine, GridFilters(include_deleted=True), principal=c.principal)),
        list(export.export_chunks(c.engine, _theirs_filters(c), principal=c.principal)),
    ],
)
read(
    export.csv_stream,
    lambda c: b"".join(export.csv_stream(c.engine, GridFilters(include_deleted=True), principal=c.principal)),
)
read(
    export.xlsx_stream,
    lambda c: b"".join(export.xlsx_stream(c.engine, GridFilters(include_deleted=True), principal=c.principal)),
)


def _export_csv(c: Context) -> bytes:
    out = io.BytesIO()
    export.export_csv(c.engine, _theirs_filters(c), out, principal=c.principal)
    return out.getvalue()


def _export_xlsx(c: Context) -> bytes:
    out = io.BytesIO()
    export.export_xlsx(c.engine, GridFilters(include_deleted=True), out, principal=c.principal)
    return out.getvalue()


read(export.export_csv, _export_csv)
read(export.export_xlsx, _export_xlsx)

# --- the overview and the pending invoices ---------------------------------------------------------
read(overview.orders_by_status, lambda c: overview.orders_by_status(c.engine, principal=c.principal))
read(
    overview.todo_list,
    lambda c: overview.todo_list(c.engine, c.principal.role, principal=c.principal),
    control=False,
    why="counts only (no marker): tests/db/test_scope_orders.py checks a scoped count leaves theirs out",
)
read(
    pending.pending_invoice_orders,
    lambda c: [
        pending.pending_invoice_orders(c.engine, principal=c.principal),
        pending.pending_invoice_orders(c.engine, c.world.theirs.event_id, principal=c.principal),
    ],
)
read(
    pending.pending_totals,
    lambda c: [
        pending.pending_totals(c.engine, principal=c.principal),
        pending.pending_totals(c.engine, c.world.theirs.event_id, principal=c.principal),
    ],
)
read(pending.pending_events, lambda c: pending.pending_events(c.engine, principal=c.principal))

# --- one order ---------------------------------------------------------------------------------------
read(
    order_detail.order_facts,
    lambda c: [
        order_detail.order_facts(c.engine, number=c.world.theirs.paid_number, principal=c.principal),
        order_detail.order_facts(c.engine, order_id=c.world.theirs.pending_id, principal=c.principal),
    ],
)
read(
    order_detail.order_detail,
    lambda c: order_detail.order_detail(c.engine, c.world.theirs.paid_number, principal=c.principal),
)
read(
    order_detail.attendee_record,
    lambda c: [
        order_detail.attendee_record(c.engine, attendee_id, principal=c.principal)
        for attendee_id in c.world.theirs.attendee_ids
    ],
)


def _lookups(c: Context) -> list[tuple[str | None, bool]]:
    """What each lookup found (`asked_number` only echoes the number typed, so it is left out)."""
    typed = (str(c.world.theirs.paid_number), "paid@zsecret.example", "ZSECRET10", "ZSECRETina")
    found = [order_lookup.lookup_order(c.engine, text_, principal=c.principal) for text_ in typed]
    return [(None if f.number is None else f"number={f.number}", f.several) for f in found]


read(order_lookup.lookup_order, _lookups)
read(ledger.order_ledger, lambda c: ledger.order_ledger(c.engine, c.world.theirs.paid_id, principal=c.principal))
read(
    ledger.order_buyers,
    lambda c: ledger.order_buyers(c.engine, tuple(c.world.theirs.order_ids), principal=c.principal),
)
read(
    ledger.refund_templates,
    lambda c: ledger.refund_templates(c.engine, c.world.theirs.event_id, principal=c.principal),
)
read(
    reminders.order_reminders,
    lambda c: reminders.order_reminders(c.engine, c.world.theirs.pending_id, principal=c.principal),
)
read(
    reminders.reminder_ladder,
    lambda c: reminders.reminder_ladder(c.engine, c.world.theirs.event_id, principal=c.principal),
    control=False,
    why="a ladder holds offsets only (no marker): the scoped one is the default, as for an unknown event",
)

# --- attendees and seats -------------------------------------------------------------------------------
read(
    attendees.attendee_page,
    lambda c: attendees.attendee_page(c.engine, AttendeeFilters(c.world.theirs.event_id), principal=c.principal),
)
read(
    attendees.attendee_count,
    lambda c: attendees.attendee_count(c.engine, AttendeeFilters(c.world.theirs.event_id), principal=c.principal),
    control=False,
    why="a count (no marker): tests/db/test_scope_orders.py checks it is 0 for their event",
)
read(
    attendees.attendee_chunks,
    lambda c: list(
        attendees.attendee_chunks(c.engine, AttendeeFilters(c.world.theirs.event_id), 100, principal=c.principal)
    ),
)
read(attendees.attendee_events, lambda c: attendees.attendee_events(c.engine, principal=c.principal))
read(
    attendees.attendee_tariffs,
    lambda c: attendees.attendee_tariffs(c.engine, c.world.theirs.event_id, principal=c.principal),
)
read(
    attendees_export.csv_stream,
    lambda c: b"".join(
        attendees_export.csv_stream(
            c.engine, AttendeeFilters(c.world.theirs.event_id), principal=c.principal, timezone="UTC"
        )
    ),
)
read(
    attendees_export.xlsx_stream,
    lambda c: b"".join(
        attendees_export.xlsx_stream(
            c.engine, AttendeeFilters(c.world.theirs.event_id), principal=c.principal, timezone="UTC"
        )
    ),
)
read(seats.seat_plan, lambda c: seats.seat_plan(c.engine, c.world.theirs.extra[SEATED], principal=c.principal))
read(seats.plan_summary, lambda c: seats.plan_summary(c.engine, c.world.theirs.extra[SEATED], principal=c.principal))

unscoped(preferences.user_timezone, "the signed-in person's own time zone, read by their own user id")
