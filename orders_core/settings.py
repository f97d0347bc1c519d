"""Numbers read from the environment (`ORDERS_*` settings), with one rule for all of them: a
value that is unset, not a finite number, negative, or zero where zero means nothing, gives the
default - a typo in a deployment's settings never stops the app, it runs with the documented
default (the README lists every setting and its default)."""

from __future__ import annotations

import math
import os


def number_setting(name: str, default: float, *, zero_allowed: bool = False) -> float:
    """The number in the environment variable `name`, or `default` (see the module doc)."""
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed):
        return default
    return value
