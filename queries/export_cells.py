"""The grid export's rows turned into cells a whole chunk at a time, one column after another
(a column is formatted by one comprehension, not a function call per cell): the CSV texts and
the XLSX typed values. The rules are those of each cell (queries.cells.safe_text for texts,
Decimal money to the cent, times in the export's zone), kept byte for byte.

A chunk is a list of rows as `queries.export` selects them: the COLUMNS in order, except that
`balance_due`'s place holds the sum of the order's refunds (the balance follows from it with
`orders_core.payment_state.balance_due`), then the order id and, when there are custom columns,
the order's custom values (custom_values.values_of_order)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from orders_core.i18n import _
from orders_core.payment_state import PAYMENT_STATE_LABELS, balance_due
from orders_core.permissions import Actor
from orders_core.status import PAYMENT_MODE_LABELS, SOURCE_LABELS, STATUS_LABELS
from queries.cells import safe_cell, safe_text
from queries.custom_values import CustomLayout

# (key, how it is shown) in the grid's (seed's) order; see queries.export.COLUMNS for the titles.
KINDS: list[tuple[str, str]] = [
    ("number", "number"),
    ("lines", "number"),
    ("buyer_first_name", "text"),
    ("buyer_last_name", "text"),
    ("buyer_email", "text"),
    ("discount_code", "few"),
    ("payment_mode", "mode"),
    ("status", "status"),
    ("paid_at", "moment"),
    ("created_at", "moment"),
    ("terms_accepted", "yes_no"),
    ("currency", "few"),
    ("total_ht", "money"),
    ("total_ttc", "money"),
    ("amount_paid", "money"),
    ("balance_due", "balance"),
    ("payment_state", "payment_state"),
    ("due_date", "day"),
    ("event_name", "few"),
    ("source", "source"),
    ("company_name", "text"),
    ("utm_source", "few"),
    ("utm_medium", "few"),
    ("utm_campaign", "few"),
    ("deleted_at", "moment"),
]
KEYS = [key for key, _kind in KINDS]
TOTAL_TTC, AMOUNT_PAID, REFUNDED = KEYS.index("total_ttc"), KEYS.index("amount_paid"), KEYS.index("balance_due")
ORDER_ID, CUSTOM = len(KEYS), len(KEYS) + 1
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
Column = Sequence[Any]


class _Texts:
    """Safe texts of a column with few distinct values (codes, events, UTM tags, labels),
    computed once per value and export."""

    def __init__(self, known: dict[Any, str] | None = None) -> None:
        self.known: dict[Any, Any] = {None: None, **{k: safe_text(v) for k, v in (known or {}).items()}}

    def __call__(self, column: Column) -> list[Any]:
        known = self.known
        return [known[v] if v in known else self._add(v) for v in column]

    def _add(self, value: Any) -> Any:
        if len(self.known) > 10_000:  # not so few after all: keep memory flat
            self.known = {None: None}
        shown = self.known[value] = safe_cell(value)
        return shown


class Cells:
    """What an export needs to turn chunks into cells: the translated labels (taken once, in the
    caller's language), the zone of its times, the custom layout and the principal (masking)."""

    def __init__(self, zone: str, layout: CustomLayout, principal: Actor) -> None:
        self.zone, self.layout, self.principal = ZoneInfo(zone), layout, principal
        self.yes_no = (_("Yes"), _("No"))
        self.yes, self.no = (safe_text(word) for word in self.yes_no)
        self.labels = labels = {
            "mode": {m.value: _(label) for m, label in PAYMENT_MODE_LABELS.items()},
            "status": {s.value: _(label) for s, label in STATUS_LABELS.items()},
            "payment_state": {s.value: _(label) for s, label in PAYMENT_STATE_LABELS.items()},
            "source": {s.value: _(label) for s, label in SOURCE_LABELS.items()},
        }
        self.texts = [_Texts(labels.get(kind)) if kind in labels or kind == "few" else None for _k, kind in KINDS]

    # --- the values every format shares ------------------------------------------------------------
    def balances(self, columns: list[Column]) -> list[Any]:
        """The balance due of each row: total less payments (amount paid + refunds), never < 0."""
        return [
            balance_due(total=total, paid=paid + (refunded or 0))
            for total, paid, refunded in zip(columns[TOTAL_TTC], columns[AMOUNT_PAID], columns[REFUNDED], strict=True)
        ]

    def local_times(self, column: Column) -> list[datetime | None]:
        """Times in the export's zone, naive (SQLite hands back naive UTC, rule 10)."""
        zone = self.zone
        return [
            None
            if v is None
            else (v if v.tzinfo is not None else v.replace(tzinfo=UTC)).astimezone(zone).replace(tzinfo=None)
            for v in column
        ]

    def custom(self, chunk: Sequence[Sequence[Any]]) -> list[list[str]]:
        """The custom cells of each row (rows, not columns), safe texts."""
        if not self.layout.columns:
            return [[] for _row in chunk]
        cells, principal = self.layout.cells, self.principal
        return [[safe_text(v) for v in cells(row[CUSTOM], principal)] for row in chunk]

    def _shared(self, index: int, kind: str, columns: list[Column]) -> list[Any] | Column:
        column = columns[index]
        if kind == "number":
            return column
        if kind == "text":
            return [None if v is None else safe_text(v) for v in column]
        if kind == "yes_no":
            yes, no = self.yes, self.no
            return [yes if v else no for v in column]
        if kind == "day":
            return [None if v is None else v.isoformat() for v in column]
        texts = self.texts[index]
        assert texts is not None, kind
        return texts(column)

    # --- CSV -------------------------------------------------------------------------------------
    def csv_rows(self, chunk: Sequence[Sequence[Any]], decimal_comma: bool) -> list[tuple[Any, ...]]:
        """The chunk's CSV rows (None is written as an empty cell)."""
        columns: list[Column] = list(zip(*chunk, strict=True)) if chunk else [[] for _k in range(ORDER_ID)]
        out: list[Any] = []
        for index, (_key, kind) in enumerate(KINDS):
            if kind in ("money", "balance"):
                amounts = columns[index] if kind == "money" else self.balances(columns)
                texts = [None if v is None else f"{v:.2f}" for v in amounts]
                out.append([None if v is None else v.replace(".", ",") for v in texts] if decimal_comma else texts)
            elif kind == "moment":
                zone = self.zone
                out.append(
                    [
                        None
                        if v is None
                        else (v if v.tzinfo is not None else v.replace(tzinfo=UTC))
                        .astimezone(zone)
                        .strftime(TIME_FORMAT)
                        for v in columns[index]
                    ]
                )
            else:
                out.append(self._shared(index, kind, columns))
        rows = list(zip(*out, strict=True))
        if self.layout.columns:
            return [row + tuple(custom) for row, custom in zip(rows, self.custom(chunk), strict=True)]
        return rows

    # --- XLSX ------------------------------------------------------------------------------------
    def xlsx_columns(self, chunk: Sequence[Sequence[Any]]) -> list[list[Any] | Column]:
        """The chunk's typed values, column by column: numbers, Decimal money, naive local
        datetimes and safe texts (None: no cell)."""
        columns: list[Column] = list(zip(*chunk, strict=True)) if chunk else [[] for _k in range(ORDER_ID)]
        out: list[list[Any] | Column] = []
        for index, (_key, kind) in enumerate(KINDS):
            if kind == "money":
                out.append(columns[index])
            elif kind == "balance":
                out.append(self.balances(columns))
            elif kind == "moment":
                out.append(self.local_times(columns[index]))
            else:
                out.append(self._shared(index, kind, columns))
        return out
