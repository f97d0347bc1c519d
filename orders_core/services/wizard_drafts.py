"""The order wizard's drafts (issue 18): what was typed survives a reload.

Each wizard run (a browser tab) has its own draft, named by a random token that the page keeps
in its address (`?draft=...`), so two tabs never overwrite each other. A draft belongs to the
user who typed it: another user's token opens nothing. The page saves the draft after each step
of typing, deletes it when the order is saved (in the same transaction) or the wizard is
abandoned; drafts untouched for `ORDERS_WIZARD_DRAFT_DAYS` days (default 7) are ignored on
reading and purged by the worker.

The modify wizard (`?modify=N&draft=...`) uses the same drafts: such a draft also names the order
it modifies (`order_id`) and opens only for that order, as a new order's draft opens only where no
order is named. A modify draft keeps the order's version of when it was started: if the order
changed since, saving it is refused by the modification's own version check."""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import WizardDraft
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_orders
from orders_core.worker import JobRun

CAPABILITY = "orders.create"  # a new order's draft
MODIFY_CAPABILITY = "orders.modify"  # a draft of changes to an existing order
MAX_STATE = 200_000  # characters of JSON: a wizard of 1000 holders with their custom fields fits
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DEFAULT_DAYS = 7


def draft_days() -> int:
    """How many days an untouched draft is kept (`ORDERS_WIZARD_DRAFT_DAYS`, default 7)."""
    raw = os.environ.get("ORDERS_WIZARD_DRAFT_DAYS", "").strip()
    return int(raw) if raw.isdecimal() and int(raw) > 0 else DEFAULT_DAYS


def new_token() -> str:
    """A fresh draft token for a new wizard run (unguessable: it is in the address)."""
    return secrets.token_urlsafe(24)


def _clean_token(token: object) -> str:
    if not isinstance(token, str) or not TOKEN.match(token):
        raise InvalidInput(_("This draft no longer exists."))
    return token


def _clean_state(state: object) -> str:
    if isinstance(state, str) and len(state) > MAX_STATE:
        raise InvalidInput(_("The draft is too large to be kept."))
    try:
        parsed = json.loads(state) if isinstance(state, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidInput(_("The draft is not a wizard's progress."))
    return str(state)


def _require(actor: Actor, order_id: object) -> int | None:
    """Check the capability of the draft's kind; the order id, cleaned (None: a new order)."""
    if order_id is None:
        require(actor, CAPABILITY)
        return None
    require(actor, MODIFY_CAPABILITY)
    return clean_id(order_id, missing=_("“{value}” is not an order id.").format(value=str(order_id).strip()[:50]))


def _same_order(order_id: int | None) -> ColumnElement[bool]:
    return WizardDraft.order_id.is_(None) if order_id is None else WizardDraft.order_id == order_id


def _fresh_after(now: datetime) -> datetime:
    return now - timedelta(days=draft_days())


def save_draft(session: Session, *, actor: Actor, token: str, state: str, order_id: int | None = None) -> str:
    """Keep `state` (a WizardState's JSON) as the draft `token` of this user, created or replaced;
    `order_id`: the order a modify wizard changes (None: a new order). Returns the token."""
    order_id = _require(actor, order_id)
    token, state = _clean_token(token), _clean_state(state)
    if order_id is not None:
        lock_orders(session, [order_id], actor=actor, lock=False)  # an unknown order is refused
    now = datetime.now(UTC)
    draft = session.scalars(select(WizardDraft).where(WizardDraft.token == token).with_for_update()).first()
    if draft is None:
        session.add(
            WizardDraft(
                token=token, user_email=actor.email, order_id=order_id, state=state, created_at=now, updated_at=now
            )
        )
    elif draft.user_email != actor.email or draft.order_id != order_id:  # someone else's, or another order's
        raise InvalidInput(_("This draft no longer exists."))
    else:
        draft.state, draft.updated_at = state, now
    session.flush()
    return token


def discard_draft(session: Session, *, actor: Actor, token: str, order_id: int | None = None) -> bool:
    """Delete this user's draft `token` of `order_id` (the order or its changes were saved, or the
    wizard abandoned); False when there was none (already deleted, purged, or never saved)."""
    order_id = _require(actor, order_id)
    token = _clean_token(token)
    if order_id is not None:
        lock_orders(session, [order_id], actor=actor, lock=False)  # unknown, or another event's
    result = session.execute(
        delete(WizardDraft).where(
            WizardDraft.token == token, WizardDraft.user_email == actor.email, _same_order(order_id)
        )
    )
    return bool(getattr(result, "rowcount", 0))


def load_draft(session: Session, *, actor: Actor, token: str, order_id: int | None = None) -> str | None:
    """The JSON of this user's draft `token` of `order_id` (None: a new order's draft), or None
    (unknown, someone else's, another order's, or too old)."""
    try:
        order_id = _require(actor, order_id)
    except InvalidInput:
        return None
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    return session.scalar(
        select(WizardDraft.state).where(
            WizardDraft.token == token,
            WizardDraft.user_email == actor.email,
            _same_order(order_id),
            # another event's order has no draft (a new order's draft names no order)
            true() if order_id is None else scope.order_condition(WizardDraft.order_id, actor),
            WizardDraft.updated_at >= _fresh_after(datetime.now(UTC)),
        )
    )


def purge_drafts(session: Session, *, now: datetime) -> int:
    """Delete the drafts nobody touched for `draft_days()` days; how many were deleted."""
    result = session.execute(delete(WizardDraft).where(WizardDraft.updated_at < _fresh_after(now)))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_drafts_job(run: JobRun) -> str | None:
    """The worker's job: purge the old drafts; a one-line summary when it deleted any."""
    with unit_of_work(run.engine) as session:
        purged = purge_drafts(session, now=run.now)
    return f"{purged} wizard draft(s) older than {draft_days()} days deleted" if purged else None
