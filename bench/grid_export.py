"""The grid's exports through the download route's own generator (web.exports.orders_pieces:
the filters of the address, the zone, the separator; issue 19 targets on PostgreSQL 1M: CSV of
every order <= 15 s, XLSX of ~100k orders <= 20 s, flat memory). A module of its own so that the
harness's per-module child process reports the exports' own peak memory. The file goes to
/dev/null: what is measured is reading, formatting and writing the pieces. No audit entry is
written (the route's `audited` wrapper is left out: the benchmark databases are read-only)."""

from __future__ import annotations

import os
import sys

from sqlalchemy import Engine, func, select

from orders_core.models import Order
from orders_core.permissions import ADMIN, Actor
from web.export_audit import RowCount
from web.exports import orders_pieces

DATABASES = {"postgresql", "sqlite"}
BENCH = Actor("bench", ADMIN)
EVERY_ORDER = {"deleted": "1", "tz": "Europe/Paris"}
# ~100k orders: every order of the 100k database; on the 1M one the undefined payment mode
# (about a tenth of the demo's orders).
XLSX_PARAMS = dict(EVERY_ORDER)


def _download(engine: Engine, params: dict[str, str], *, xlsx: bool) -> int:
    rows = RowCount()
    pieces, _type, _name = orders_pieces(engine, params, xlsx=xlsx, principal=BENCH, rows=rows)
    with open(os.devnull, "wb") as sink:
        for piece in pieces:
            sink.write(piece)
    return rows.done


def SETUP(engine: Engine) -> None:
    with engine.connect() as conn:
        orders = conn.execute(select(func.count()).select_from(Order)).scalar_one()
    if orders > 200_000:
        XLSX_PARAMS["mode"] = "undefined"


def csv_all_rows(engine: Engine) -> None:
    _download(engine, EVERY_ORDER, xlsx=False)


def xlsx_100k_rows(engine: Engine) -> None:
    rows = _download(engine, XLSX_PARAMS, xlsx=True)
    print(f"    export.xlsx_100k_rows: {rows} rows", file=sys.stderr, flush=True)


BENCHMARKS = [("export.csv_all_rows", csv_all_rows), ("export.xlsx_100k_rows", xlsx_100k_rows)]
