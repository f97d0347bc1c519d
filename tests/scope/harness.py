"""Issue 17: the scope matrix. Every public function of `queries/`, `orders_core/services/` and
`orders_core/reconciliation/service.py` that reads or writes the database has a `Spec` here
(test_scope_matrix.py checks that none is missing):

- a **read** spec calls the function for a principal whose only event is ours, asking for
  theirs where the function takes an id or a filter; the result (whatever its shape) must hold
  no trace of their event (`THEIR_MARKERS`), or the call is refused (`OrderError`);
  `control=True` also calls it for a principal of every event and expects a trace of theirs,
  so the spec proves it reaches their data when that is allowed (the test can fail);
- a **write** spec calls the service on their objects for each role scoped to ours: it must be
  refused with an `OrderError` and change nothing (the session is rolled back either way);
  `control_role` names a role of every event for which the same call succeeds.

Specs live in `tests/scope/specs_*.py`, one module per area, each registering with `read(...)`
or `write(...)`. A function that touches no event data (the password policy, the seller's own
settings) is listed in `UNSCOPED` with the reason."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from orders_core.permissions import Actor
from tests.scope.world import THEIR_MARKERS, World


@dataclass(frozen=True)
class Context:
    """What a spec's call receives: the engine, a session (rolled back after the call), the
    principal under test and the world."""

    engine: Engine
    session: Session
    principal: Actor
    world: World


Call = Callable[[Context], Any]


@dataclass(frozen=True)
class Spec:
    name: str  # module.function
    kind: str  # "read" or "write"
    call: Call
    control: bool = True  # read: an all-events admin sees a trace of theirs
    control_role: str | None = None  # write: this role of every event succeeds
    why: str = ""


SPECS: dict[str, Spec] = {}
UNSCOPED: dict[str, str] = {}


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def read(fn: Callable[..., Any], call: Call, *, control: bool = True, why: str = "") -> None:
    if not control and not why:
        raise ValueError(f"{_name(fn)}: a read spec without control must say why")
    SPECS[_name(fn)] = Spec(_name(fn), "read", call, control=control, why=why)


def write(fn: Callable[..., Any], call: Call, *, control_role: str | None = None, why: str = "") -> None:
    SPECS[_name(fn)] = Spec(_name(fn), "write", call, control_role=control_role, why=why)


def unscoped(fn: Callable[..., Any], why: str) -> None:
    UNSCOPED[_name(fn)] = why


def as_text(value: Any) -> str:
    """Whatever a function returns, as text to search for markers: frames as CSV, XLSX and ZIP
    archives unpacked, PDFs and bytes decoded, everything else by repr."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.to_csv()
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "\n".join(as_text(archive.read(name)) for name in archive.namelist())
        return data.decode("utf-8", errors="replace") + data.decode("latin-1")
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(f"{as_text(k)}: {as_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return "\n".join(as_text(v) for v in value)
    if hasattr(value, "__iter__") and not hasattr(value, "__dataclass_fields__"):
        try:
            return "\n".join(as_text(v) for v in value)
        except TypeError:
            pass
    return repr(value)


def traces_of_theirs(value: Any, world: World) -> list[str]:
    text = as_text(value)
    found = [marker for marker in THEIR_MARKERS if marker in text]
    numbers = (world.theirs.paid_number, world.theirs.pending_number)
    found += [f"order {n}" for n in numbers if f"'number': {n}" in text or f"number={n}" in text]
    return found
