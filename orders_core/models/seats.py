"""Seat plans (issue 18, rule 17): the seats of a seated event, and which order item holds each.

A seat is sold once per event: `seat_assignments` has one row per seat sold to an order that is
neither cancelled nor deleted, and its UNIQUE(seat_id) makes the database refuse a second sale,
on SQLite and PostgreSQL alike (two concurrent sales: the second waits for the first, then fails).
The services delete the row when the ticket, the order, is cancelled or deleted; deleting an order
item deletes its row (ON DELETE CASCADE). `order_items.seat` keeps the seat's label as text, for
tickets, emails and the history."""

from __future__ import annotations

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk


class Seat(Base):
    """One seat of an event's plan: section, row, number, and its label ("A-3-12")."""

    __tablename__ = "seats"
    __table_args__ = (
        UniqueConstraint("event_id", "label"),
        # The target of seat_assignments' (event_id, seat_id) foreign key: a sale names its event.
        UniqueConstraint("event_id", "id"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    section: Mapped[str] = mapped_column(String(20))
    row: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))


class SeatAssignment(Base):
    """A seat sold: at most one row per seat (rule 17, enforced by the database)."""

    __tablename__ = "seat_assignments"
    __table_args__ = (
        UniqueConstraint("event_id", "seat_id"),
        ForeignKeyConstraint(["event_id", "seat_id"], ["seats.event_id", "seats.id"]),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    seat_id: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id", ondelete="CASCADE"), unique=True)
