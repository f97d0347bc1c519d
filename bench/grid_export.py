"""CSV export of every order (issue 4; target on PostgreSQL 1M: <= 60 s, <= 500 MB peak RSS).
A module of its own so that the harness's per-module child process reports the export's own
peak memory. The CSV goes to /dev/null: what is measured is reading and formatting."""

from __future__ import annotations

import os

from sqlalchemy import Engine

from orders_core.permissions import ADMIN, Actor
from queries.export import export_csv
from queries.grid import GridFilters

DATABASES = {"postgresql", "sqlite"}


def csv_all_rows(engine: Engine) -> None:
    with open(os.devnull, "wb") as sink:
        export_csv(
            engine, GridFilters(include_deleted=True, timezone="Europe/Paris"), sink, principal=Actor("bench", ADMIN)
        )


BENCHMARKS = [("export.csv_all_rows", csv_all_rows)]
