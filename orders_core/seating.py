"""Seats of seated events (issue 18, rule 17: a seat is sold once per event).

The plan's shape (labels, row ranges, the weights of "nearest first") is pure; the sale of seats
(`claim_seats`, `release_seats`, `reclaim_seats`) writes `seat_assignments` in the caller's
transaction, for the services that create, modify, cancel, delete and restore orders. The database
refuses a second sale of a seat (UNIQUE on the assignments); the check before the insert only
gives the usual case a clear message, the constraint decides the concurrent one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core.errors import ConflictError, InvalidInput
from orders_core.i18n import _
from orders_core.models import Event, Order, OrderItem, Seat, SeatAssignment
from orders_core.status import Status

MAX_SECTION, MAX_ROW, MAX_NUMBER = 20, 10, 9999
_NAME = re.compile(r"^[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ ]*$")


# "Nearest first" (the seed: add seats near those already in the order): a seat one row away
# counts as four seats along a row; another section is farther than anything in the same one.
ROW_WEIGHT, SECTION_WEIGHT = 4, 10**6


def seat_label(section: str, row: str, number: int) -> str:
    """The seat's name on tickets and in the wizard: section, row, number ("A-3-12")."""
    return f"{section}-{row}-{number}"


def clean_section(value: object) -> str:
    section = str(value or "").strip()
    if not section:
        raise InvalidInput(_("Name the section (e.g. A, Balcony)."))
    if len(section) > MAX_SECTION or not _NAME.match(section):
        raise InvalidInput(
            _("A section is named with letters, digits and spaces ({size} characters at most).").format(
                size=MAX_SECTION
            )
        )
    return section


def parse_rows(value: object) -> list[str]:
    """Rows from "1-10", "A-H" or "A, B, C" (a list of names, ranges allowed between commas)."""
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(_("Give the rows: a range such as 1-10 or A-H, or names separated by commas."))
    rows: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        bounds = [b.strip() for b in part.split("-")]
        if len(bounds) == 2 and bounds[0].isdecimal() and bounds[1].isdecimal() and bounds[0].isascii():
            first, last = int(bounds[0]), int(bounds[1])
            if first > last or last - first >= 500:
                raise InvalidInput(_("The rows {rows} are not a range of at most 500 rows.").format(rows=part[:30]))
            rows += [str(n) for n in range(first, last + 1)]
        elif len(bounds) == 2 and all(len(b) == 1 and b.isascii() and b.isalpha() for b in bounds):
            first_letter, last_letter = bounds[0].upper(), bounds[1].upper()
            if first_letter > last_letter:
                raise InvalidInput(_("The rows {rows} are not a range of at most 500 rows.").format(rows=part[:30]))
            rows += [chr(c) for c in range(ord(first_letter), ord(last_letter) + 1)]
        elif len(bounds) == 1 and bounds[0] and len(bounds[0]) <= MAX_ROW and _NAME.match(bounds[0]):
            rows.append(bounds[0])
        else:
            raise InvalidInput(
                _("'{rows}' is not a row, nor a range such as 1-10 or A-H.").format(rows=part[:30] or text[:30])
            )
    if len(rows) != len(set(rows)):
        raise InvalidInput(_("A row is given twice."))
    if len(rows) > 500:
        raise InvalidInput(_("The rows {rows} are not a range of at most 500 rows.").format(rows=text[:30]))
    return rows


def row_order(row: str) -> tuple[int, str]:
    """Rows sort as numbers when they are numbers (2 before 10), else alphabetically."""
    return (int(row), "") if row.isdecimal() and row.isascii() else (10**6, row)


# --- the sale of seats (in the caller's transaction) -------------------------------------------


def check_seat_choice(seats: Sequence[object]) -> list[str]:
    """A seated event's seats as chosen in a form: one per badge/ticket, all different (whether
    they are the plan's and free is `clean_seats`'s and `claim_seats`'s business)."""
    labels = [str(s or "").strip() for s in seats]
    if not all(labels):
        raise InvalidInput(_("This event is seated: choose a seat for each badge or ticket."))
    if len(set(labels)) != len(labels):
        raise InvalidInput(_("The same seat is chosen twice."))
    return labels


def clean_seats(session: Session, event: Event, seats: Sequence[object]) -> list[str | None]:
    """The seat of each badge/ticket unit: on a seated event each one a different seat of the
    event's plan (a free one is `claim_seats`'s business); on other events no seat at all."""
    if not event.seated:
        return [None] * len(seats)
    labels = check_seat_choice(seats)
    if not labels:
        return []
    plan = session.scalars(select(Seat.label).where(Seat.event_id == event.id, Seat.label.in_(labels))).all()
    unknown = sorted(set(labels) - set(plan))
    if unknown:
        if not session.scalar(select(Seat.id).where(Seat.event_id == event.id).limit(1)):
            raise InvalidInput(
                _("{event} has no seat plan yet: add its seats on the Events page first.").format(event=event.name)
            )
        raise InvalidInput(_("Seat {seat} is not in the seat plan of this event.").format(seat=unknown[0][:40]))
    return list(labels)


def _taken_message(label: str) -> str:
    return _("Seat {seat} is already sold for this event: choose another seat. Nothing was saved.").format(seat=label)


def refuse_sold(session: Session, event_id: int, labels: Sequence[str]) -> None:
    """The usual case's clear message: one of these seats is already sold."""
    taken = session.scalars(
        select(Seat.label)
        .join(SeatAssignment, SeatAssignment.seat_id == Seat.id)
        .where(SeatAssignment.event_id == event_id, Seat.label.in_(labels))
    ).all()
    if taken:
        raise InvalidInput(_taken_message(sorted(taken)[0]))


def claim_seats(session: Session, *, event_id: int, items: Sequence[OrderItem]) -> None:
    """Assign each item's seat (its label, from `clean_seats`) to it. A seat sold to another live
    order is refused, by this check or, when two sales race, by the database's unique key; the
    error makes the caller's unit of work roll back, so nothing is half-written."""
    wanted = {item.seat: item for item in items if item.seat}
    if not wanted:
        return
    seats = dict(
        session.execute(
            select(Seat.label, Seat.id).where(Seat.event_id == event_id, Seat.label.in_(list(wanted)))
        ).all()
    )
    refuse_sold(session, event_id, list(wanted))
    session.add_all(
        SeatAssignment(event_id=event_id, seat_id=seats[label], order_id=item.order_id, order_item_id=item.id)
        for label, item in wanted.items()
        if label in seats
    )
    try:
        session.flush()
    except IntegrityError:
        # Another transaction sold one of these seats since the check (PostgreSQL waited for it).
        raise ConflictError(_taken_message(", ".join(sorted(wanted)))) from None


def release_seats(session: Session, *, order_ids: Iterable[int] = (), item_ids: Iterable[int] = ()) -> list[str]:
    """Free the seats of these orders (cancelled or deleted) or items; returns their labels."""
    order_ids, item_ids = list(order_ids), list(item_ids)
    if not order_ids and not item_ids:
        return []
    where = SeatAssignment.order_id.in_(order_ids) if order_ids else SeatAssignment.order_item_id.in_(item_ids)
    labels = session.scalars(
        select(Seat.label).join(SeatAssignment, SeatAssignment.seat_id == Seat.id).where(where).order_by(Seat.label)
    ).all()
    session.execute(delete(SeatAssignment).where(where).execution_options(synchronize_session=False))
    return list(labels)


def reclaim_seats(session: Session, order: Order) -> None:
    """A restored order takes its seats back, unless one was sold again meanwhile (refused)."""
    if order.status == Status.CANCELLED:
        return
    items = session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id, OrderItem.seat.is_not(None)).order_by(OrderItem.id)
    ).all()
    claim_seats(session, event_id=order.event_id, items=items)


def event_has_sold_seats(session: Session, event_id: int) -> bool:
    """Whether any seat of the event's plan is sold (then it cannot stop being seated)."""
    return session.scalar(select(SeatAssignment.id).where(SeatAssignment.event_id == event_id).limit(1)) is not None


def adopt_legacy_seats(session: Session, event_id: int) -> int:
    """Assign the free-text seats sold before the plan existed whose text is a label of the plan,
    the earliest sale of each seat first; a later sale of the same seat stays unassigned (and
    reported by `orders check`). Returns how many were assigned."""
    seats = dict(session.execute(select(Seat.label, Seat.id).where(Seat.event_id == event_id)).all())
    taken = set(session.scalars(select(SeatAssignment.seat_id).where(SeatAssignment.event_id == event_id)))
    rows = session.execute(
        select(OrderItem.id, OrderItem.order_id, OrderItem.seat)
        .join(Order, Order.id == OrderItem.order_id)
        .outerjoin(SeatAssignment, SeatAssignment.order_item_id == OrderItem.id)
        .where(
            Order.event_id == event_id,
            Order.status != Status.CANCELLED,
            Order.deleted_at.is_(None),
            OrderItem.seat.is_not(None),
            SeatAssignment.id.is_(None),
        )
        .order_by(Order.created_at, OrderItem.id)
    ).all()
    adopted = []
    for item_id, order_id, label in rows:
        seat_id = seats.get(label or "")
        if seat_id is None or seat_id in taken:
            continue
        taken.add(seat_id)
        adopted.append(SeatAssignment(event_id=event_id, seat_id=seat_id, order_id=order_id, order_item_id=item_id))
    session.add_all(adopted)
    session.flush()
    return len(adopted)
