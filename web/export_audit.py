"""Issue 17: a streamed download (web/exports.py, web/documents.py) is recorded in the audit
trail when it ends: sent whole, or cut off (the rows sent so far, `complete` false). The rows are
counted by the export's own progress callback (`RowCount`), or given when known beforehand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orders_core import db
from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.export_audit import record_export

# Query parameters that are not filters (the page's language, zone, separator, paging).
NOT_FILTERS = frozenset({"lang", "tz", "sep", "page"})


class RowCount:
    """An export's `progress(done, total)` callback that keeps how many rows were written (it
    shows no bar: the orders export then skips counting the total beforehand)."""

    needs_total = False

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done = done


def counting_lines(pieces: Iterator[bytes], count: RowCount) -> Iterator[bytes]:
    """The pieces of a CSV whose cells hold no line break (the sales journal), counting its rows
    (lines after the header) into `count`."""
    lines = 0
    for piece in pieces:
        lines += piece.count(b"\n")
        count.done = max(0, lines - 1)
        yield piece


def filters_of(params: Any) -> dict[str, Any]:
    """The filters of a download's address (multi-valued parameters as lists)."""
    out: dict[str, Any] = {}
    for key in params:
        if key in NOT_FILTERS:
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        out[key] = values[0] if len(values) == 1 else list(values)
    return out


def record_now(*, actor: Actor, what: str, filters: dict[str, Any], format: str, rows: int | None) -> None:
    """The audit entry of a download handed out whole at once (one document's PDF)."""
    with unit_of_work(db.get_engine(db.database_url())) as session:
        record_export(session, actor=actor, what=what, filters=filters, rows=rows, format=format, source="download")


def audited(
    pieces: Iterator[bytes],
    *,
    actor: Actor,
    what: str,
    filters: dict[str, Any],
    format: str,
    rows: int | RowCount | None,
) -> Iterator[bytes]:
    """The pieces, unchanged; once they end (or the download is cut), the audit entry."""
    complete = False
    try:
        yield from pieces
        complete = True
    finally:
        count = rows.done if isinstance(rows, RowCount) else rows
        with unit_of_work(db.get_engine(db.database_url())) as session:
            entry = record_export(
                session, actor=actor, what=what, filters=filters, rows=count, format=format, source="download"
            )
            if not complete:
                entry.details = {**entry.details, "complete": False}
