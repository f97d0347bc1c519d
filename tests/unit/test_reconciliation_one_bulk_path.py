"""Issue 16: one way to confirm matches in bulk. The page, the bad-input battery and the tests use
`decisions.confirm_decided` (dry run: `bulk_plan.plan_decided`, from the stored classifications);
the older path that re-ranked every line (`confirm_high_confidence` / `plan_high_confidence`) is
gone, so that the two can never disagree on what "decided" means."""

from __future__ import annotations

import pkgutil
from importlib import import_module

import orders_core.reconciliation as package


def test_the_only_bulk_confirmation_is_confirm_decided():
    found = {
        f"{info.name}.{name}"
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        for name in vars(import_module(info.name))
        if name.startswith(("confirm_", "plan_"))
        and callable(getattr(import_module(info.name), name))
        and getattr(getattr(import_module(info.name), name), "__module__", "") == info.name
    }
    assert found == {
        "orders_core.reconciliation.bulk_plan.plan_decided",
        "orders_core.reconciliation.decisions.confirm_decided",
        "orders_core.reconciliation.decisions.confirm_line",
        "orders_core.reconciliation.decisions.confirm_refund_line",
        "orders_core.reconciliation.service.confirm_match",
    }
