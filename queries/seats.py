"""Read side of seat plans (issue 18): an event's seats with who holds them, for the catalogue's
plan and the seat pickers of the wizard, modify and "add a ticket". Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.models import Seat, SeatAssignment
from orders_core.permissions import Actor
from orders_core.scope import event_condition
from orders_core.seating import ROW_WEIGHT, SECTION_WEIGHT, row_order

COLUMNS = ["label", "section", "row", "number", "row_index", "sold", "own"]
FREE_CHOICES = 300  # a picker lists the nearest free seats, not a 100,000-seat plan


def seat_plan(engine: Engine, event_id: int, order_id: int | None = None, *, principal: Actor) -> pd.DataFrame:
    """Every seat of the event's plan: label, section, row, number, the row's position in its
    section (0 = first), `sold` (held by a live order) and `own` (held by `order_id`). An event
    outside the principal's scope has no plan (as one that does not exist)."""
    query = (
        select(Seat.label, Seat.section, Seat.row, Seat.number, SeatAssignment.order_id)
        .outerjoin(SeatAssignment, SeatAssignment.seat_id == Seat.id)
        .where(Seat.event_id == event_id, event_condition(Seat.event_id, principal))
    )
    with engine.connect() as conn:
        # Plain tuples: pandas probes a Row's attributes one by one (2 s at 100,000 seats).
        records = [tuple(row) for row in conn.execute(query)]
    frame = pd.DataFrame.from_records(records, columns=["label", "section", "row", "number", "holder"])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["number"] = frame["number"].astype(int)
    rows = frame[["section", "row"]].drop_duplicates()
    order = sorted(rows.itertuples(index=False), key=lambda r: (r.section, row_order(str(r.row))))
    rows = pd.DataFrame(order, columns=["section", "row"])
    rows["row_index"] = rows.groupby("section").cumcount()
    frame = frame.merge(rows[["section", "row", "row_index"]], on=["section", "row"])
    frame["sold"] = frame["holder"].notna()
    frame["own"] = frame["holder"].eq(order_id) if order_id is not None else False
    return frame.sort_values(["section", "row_index", "number"])[COLUMNS].reset_index(drop=True)


def plan_summary(engine: Engine, event_id: int, *, principal: Actor) -> pd.DataFrame:
    """Per section: rows, seats and seats sold (the catalogue's view of the plan); none for an
    event outside the principal's scope."""
    query = (
        select(
            Seat.section,
            func.count(func.distinct(Seat.row)).label("rows"),
            func.count().label("seats"),
            func.count(SeatAssignment.id).label("sold"),
        )
        .outerjoin(SeatAssignment, SeatAssignment.seat_id == Seat.id)
        .where(Seat.event_id == event_id, event_condition(Seat.event_id, principal))
        .group_by(Seat.section)
        .order_by(Seat.section)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["section", "rows", "seats", "sold"])


def seat_choices(
    plan: pd.DataFrame, near: Sequence[str], keep: Sequence[str] = (), *, own_is_free: bool = True
) -> list[str]:
    """What a seat picker offers: the seats in `keep` (the holder's own), then the free seats, the
    nearest to `near` (the order's seats) first, at most FREE_CHOICES of them. The order's own
    seats count as free when it is being modified (`own_is_free`), not when tickets are added."""
    if plan.empty:
        return list(keep)
    kept = [label for label in keep if label in set(plan["label"])]
    free = ~plan["sold"] | (plan["own"] if own_is_free else False)
    candidates = plan[free & ~plan["label"].isin(kept)]
    anchors = plan[plan["label"].isin(list(near))]
    if not anchors.empty and not candidates.empty:
        sections = candidates["section"].to_numpy()
        rows = candidates["row_index"].to_numpy(dtype=np.int64)
        numbers = candidates["number"].to_numpy(dtype=np.int64)
        distance = np.min(
            [
                np.where(sections == section, 0, SECTION_WEIGHT)
                + ROW_WEIGHT * np.abs(rows - int(row))
                + np.abs(numbers - int(number))
                for section, row, number in zip(anchors["section"], anchors["row_index"], anchors["number"])
            ],
            axis=0,
        )
        # The plan is in place order: a stable sort keeps it between seats as near as each other.
        candidates = candidates.iloc[np.argsort(distance, kind="stable")]
    return kept + candidates["label"].head(FREE_CHOICES).tolist()
