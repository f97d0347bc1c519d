"""Seat plans of seated events (issue 18), edited in the catalogue: add a block of seats
("section A, rows 1-10, seats 1 to 20"), remove the unsold seats of a section or of some rows.

Like the other catalogue services: `catalogue.manage` checked, input validated before anything is
written, the event locked, one `catalogue_history` entry (entity `event`) in the caller's
transaction.

    with unit_of_work(engine) as session:
        add_seats(session, actor=admin, event_id=3, section="A", rows="1-10", seats_per_row=20)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_int
from orders_core.models import Event, Seat, SeatAssignment
from orders_core.permissions import Actor, require
from orders_core.seating import MAX_NUMBER, adopt_legacy_seats, clean_section, parse_rows, seat_label
from orders_core.services.catalogue_rules import CAPABILITY, get_event, log

MAX_SEATS_PER_ROW = 500
MAX_PLAN = 100_000


def _seated_event(session: Session, event_id: int, actor: Actor) -> Event:
    event = get_event(session, event_id, actor=actor, lock=True)
    if not event.seated:
        raise InvalidInput(
            _("{event} is not seated: tick “Reserved seating” in its settings first.").format(event=event.name)
        )
    return event


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if "\x00" in reason or len(reason) > 1000:
        raise InvalidInput(_("The reason is too long or holds invalid characters (1000 characters at most)."))
    return reason or None


def add_seats(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    section: str,
    rows: str,
    seats_per_row: int,
    first_number: int = 1,
    reason: str | None = None,
) -> int:
    """Add `seats_per_row` seats, numbered from `first_number`, to each of `rows` ("1-10", "A-H",
    "A, B") of `section`; returns how many. Seats already sold as free text before the plan
    existed, whose text is one of the new labels, are assigned to their orders (earliest first)."""
    require(actor, CAPABILITY)
    section = clean_section(section)
    row_names = parse_rows(rows)
    per_row = clean_int(seats_per_row, label=_("Seats per row"), minimum=1, maximum=MAX_SEATS_PER_ROW)
    first = clean_int(first_number, label=_("The first seat number"), minimum=1, maximum=MAX_NUMBER)
    if first + per_row - 1 > MAX_NUMBER:
        raise InvalidInput(_("Seat numbers go from 1 to {most}.").format(most=MAX_NUMBER))
    reason = _clean_reason(reason)
    event = _seated_event(session, event_id, actor)
    count = len(row_names) * per_row
    existing = session.scalar(select(func.count()).select_from(Seat).where(Seat.event_id == event.id)) or 0
    if existing + count > MAX_PLAN:
        raise InvalidInput(_("A seat plan holds {most} seats at most.").format(most=f"{MAX_PLAN:,}"))
    last = first + per_row - 1
    # Section and row names hold no dash, so a label names one (section, row, number) and back.
    clash = session.scalars(
        select(Seat.label)
        .where(
            Seat.event_id == event.id,
            Seat.section == section,
            Seat.row.in_(row_names),
            Seat.number.between(first, last),
        )
        .limit(1)
    ).first()
    if clash:
        raise InvalidInput(_("Seat {seat} is already in the plan: nothing was added.").format(seat=clash))
    session.execute(
        insert(Seat),
        [
            dict(event_id=event.id, section=section, row=row, number=number, label=seat_label(section, row, number))
            for row in row_names
            for number in range(first, last + 1)
        ],
    )
    adopted = adopt_legacy_seats(session, event.id)
    details: dict[str, Any] = {
        "section": section,
        "rows": ", ".join(row_names) if len(row_names) <= 3 else f"{row_names[0]} … {row_names[-1]}",
        "seats": f"{first}-{last}",
        "added": count,
    }
    if adopted:
        details["legacy_seats_assigned"] = adopted
    log(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        event_id=event.id,
        action="seats_added",
        details=details,
        reason=reason,
    )
    return count


def remove_seats(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    section: str,
    rows: str | None = None,
    reason: str | None = None,
) -> int:
    """Remove the seats of `section` (only those of `rows` when given); refused when one of them
    is sold, since a sold seat stays in the plan. Returns how many were removed."""
    require(actor, CAPABILITY)
    section = clean_section(section)
    row_names = parse_rows(rows) if (rows or "").strip() else None
    reason = _clean_reason(reason)
    event = _seated_event(session, event_id, actor)
    where = [Seat.event_id == event.id, Seat.section == section]
    if row_names is not None:
        where.append(Seat.row.in_(row_names))
    count = session.scalar(select(func.count()).select_from(Seat).where(*where)) or 0
    if not count:
        raise InvalidInput(_("No seat of section {section} matches: nothing was removed.").format(section=section))
    sold = session.scalars(
        select(Seat.label)
        .join(SeatAssignment, SeatAssignment.seat_id == Seat.id)
        .where(*where)
        .order_by(Seat.label)
        .limit(3)
    ).all()
    if sold:
        raise InvalidInput(
            _("Seats {seats} are sold: cancel or move those tickets first; nothing was removed.").format(
                seats=", ".join(sold)
            )
        )
    session.execute(delete(Seat).where(*where).execution_options(synchronize_session=False))
    log(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        event_id=event.id,
        action="seats_removed",
        details={"section": section, "rows": ", ".join(row_names) if row_names else "*", "removed": count},
        reason=reason,
    )
    return count
