"""Issue 17: erasing a buyer on request, the rules both the preview (queries/audit.py) and the
service (orders_core/services/erasure.py) follow, and how an erased order's history reads.

- **Whose data**: the orders whose buyer email is the address asked for (case and surrounding
  spaces ignored), with their holders (order items, attendees) and their emails in the outbox;
  plus, in other buyers' orders, the holders (order items, attendees) who have that address.
- **Refused while money is owed**: an order awaiting payment (also pending an administrator's
  or the provider's confirmation) or partially paid, neither cancelled nor deleted, keeps its
  buyer: the whole erasure is refused, naming those orders.
- **The pseudonym**: random, never derived from the address (so nobody can check whether an
  address was erased by hashing it): "Erased 3f2a9c1b", email `erased-3f2a9c1b@invalid`.
- **History**: `order_history` is append-only (a trigger, and on PostgreSQL the app's
  privileges, refuse UPDATE), so entries written before the erasure still hold the old values.
  They are never shown as written: `redact_history` replaces, in every entry of an erased order
  older than its erasure entry, each text under a personal key (buyer and holder names, emails,
  phone, company, address, recipients, notes) and each text holding an `@`, with the pseudonym.
  Amounts, statuses, methods, dates and reasons typed by the team stay as written.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_

from orders_core.errors import NotAllowed
from orders_core.i18n import _
from orders_core.models import Order
from orders_core.payment_state import PaymentState
from orders_core.permissions import Actor, require
from orders_core.scope import PERSONAL_COLUMNS
from orders_core.status import Status

HISTORY_ACTION = "personal_data_erased"
ERASED_FIRST_NAME = "Erased"
ERASED_BODY = "[erased at the recipient's request]"
# Awaiting money: the buyer must stay reachable until it is paid or cancelled.
OWING_STATUSES = (Status.AWAITING_PAYMENT, Status.PENDING_ADMIN, Status.PENDING_ONLINE)
# Keys of history details whose texts are about a person (see the module's docstring).
PERSONAL_KEYS = PERSONAL_COLUMNS | frozenset(
    {
        "buyer",
        "holder",
        "holders",
        "name",
        "phone",
        "recipient",
        "recipient_name",
        "to",
        "note",
        "notes",
        "tickets_cancelled",
    }
)


def normalized_email(email: str) -> str:
    return (email or "").strip().lower()


def new_token() -> str:
    return secrets.token_hex(4)


def pseudonym(token: str) -> str:
    """What an erased person is called from now on: 'Erased 3f2a9c1b'."""
    return f"{ERASED_FIRST_NAME} {token}"


def pseudonym_email(token: str) -> str:
    return f"erased-{token}@invalid"


def buyer_condition(email: str) -> ColumnElement[bool]:
    """The orders of this buyer, case-insensitively."""
    return func.lower(func.trim(Order.buyer_email)) == normalized_email(email)


def owing_condition() -> ColumnElement[bool]:
    """Orders that still await money (see the module's docstring)."""
    return and_(
        Order.deleted_at.is_(None),
        Order.status != Status.CANCELLED,
        or_(Order.status.in_(OWING_STATUSES), Order.payment_state == PaymentState.PARTIALLY_PAID),
    )


def _redacted(value: Any, name: str, personal: bool) -> Any:
    if isinstance(value, str):
        return name if value and (personal or "@" in value) else value
    if isinstance(value, Mapping):
        return {k: _redacted(v, name, personal or str(k) in PERSONAL_KEYS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, name, personal) for v in value]
    return value


def redacted_details(details: Any, name: str) -> Any:
    """The details of a history entry written before the erasure, as shown after it."""
    return _redacted(details, name, False) if isinstance(details, Mapping) else details


def erasure_of(rows: Sequence[Mapping[str, Any]]) -> tuple[Any, str] | None:
    """(when, pseudonym) of the newest erasure among an order's history rows, or None."""
    erasures = [row for row in rows if row.get("action") == HISTORY_ACTION]
    if not erasures:
        return None
    last = max(erasures, key=lambda row: (row["at"], row.get("history_id") or row.get("id") or 0))
    details = last.get("details")
    name = details.get("pseudonym") if isinstance(details, Mapping) else None
    return last["at"], str(name or ERASED_FIRST_NAME)


def redact_history(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An order's history rows (dicts with action, at, details) as they may be shown: unchanged
    for an order never erased; otherwise the entries before its erasure redacted."""
    erasure = erasure_of(rows)
    if erasure is None:
        return rows
    at, name = erasure
    return [
        {**row, "details": redacted_details(row.get("details"), name)}
        if row.get("action") != HISTORY_ACTION and row["at"] <= at
        else row
        for row in rows
    ]


def require_eraser(actor: Actor) -> None:
    """Administrators of every event only: an erasure reaches every event the address bought for
    (the preview on the Audit page and the service both ask here)."""
    require(actor, "personal.erase")
    if not actor.all_events:
        raise NotAllowed(_("Only an administrator of every event may erase personal data."))
