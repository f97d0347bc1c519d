"""The demo's seat plans (issue 18): a seated event's plan grows one section (20 rows of 30
seats) at a time as its orders need seats, so any number of demo orders fits; each live order's
seats are side by side, sometimes with a seat left free before them. Cancelled orders hold none,
so no seat is sold twice (rule 17)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orders_core.seating import seat_label

SECTION_ROWS, ROW_SEATS = 20, 30
SECTION_SEATS = SECTION_ROWS * ROW_SEATS


def _section_name(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"S{index + 1}"


class SeatAllocator:
    """Hands out the next free seats of each seated event, writing the plan's rows as it grows."""

    def __init__(self) -> None:
        self.cursor: dict[int, int] = {}  # event id -> position of the next free seat
        self.sections: dict[int, int] = {}  # event id -> sections written so far
        self.seat_ids: dict[tuple[int, int], tuple[int, str]] = {}  # (event id, position) -> (id, label)

    def take(
        self, event_id: int, skip: int, rows: dict[str, list[dict[str, Any]]], next_id: Callable[[str], int]
    ) -> tuple[int, str]:
        """The next seat of the event (after leaving `skip` seats free): its id and label."""
        position = self.cursor.get(event_id, 0) + skip
        self.cursor[event_id] = position + 1
        while self.sections.get(event_id, 0) <= position // SECTION_SEATS:
            self._write_section(event_id, rows, next_id)
        return self.seat_ids[(event_id, position)]

    def _write_section(
        self, event_id: int, rows: dict[str, list[dict[str, Any]]], next_id: Callable[[str], int]
    ) -> None:
        index = self.sections.get(event_id, 0)
        self.sections[event_id] = index + 1
        section = _section_name(index)
        for offset in range(SECTION_SEATS):
            row, number = str(offset // ROW_SEATS + 1), offset % ROW_SEATS + 1
            seat_id, label = next_id("seats"), seat_label(section, row, number)
            rows["seats"].append(
                dict(id=seat_id, event_id=event_id, section=section, row=row, number=number, label=label)
            )
            self.seat_ids[(event_id, index * SECTION_SEATS + offset)] = (seat_id, label)
