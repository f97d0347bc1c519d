"""Reproducible demo data (`orders demo`), one module per capability: the loader (`load_demo`,
`reset`), the catalogue it writes, the orders it draws, the emails it queues."""

from __future__ import annotations

from orders_core.demo.loader import (
    BATCH_SIZE,
    DEFAULT_ORDERS,
    DEMO_ACTOR,
    DEMO_TABLES,
    DemoRefused,
    database_is_empty,
    load_demo,
    reset,
)

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_ORDERS",
    "DEMO_ACTOR",
    "DEMO_TABLES",
    "DemoRefused",
    "database_is_empty",
    "load_demo",
    "reset",
]
