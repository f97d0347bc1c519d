"""Saved views (issue 9): a user keeps a page's URL filters under a name, private or shared
with everyone of their role. Saving under an existing name of one's own replaces it; only the
owner deletes a view."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import SavedView
from orders_core.permissions import Actor, require

CAPABILITY = "views.save"
MAX_NAME = 100


def _clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """URL parameters as JSON: a string or a list of strings per key."""
    clean: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if isinstance(value, (list, tuple)):
            clean[str(key)] = [str(v) for v in value]
        elif value is not None:
            clean[str(key)] = str(value)
    return clean


def _events_of(params: dict[str, Any] | None) -> list[int]:
    """The event ids a view's filters name (`event=12&event=13`); what is not an id is ignored."""
    value = (params or {}).get("event")
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [int(v) for v in values if str(v).strip().isdigit()]


def save_view(
    session: Session, *, actor: Actor, page: str, name: str, params: dict[str, Any], shared: bool = False
) -> int:
    """Save (or replace, same owner/page/name) a view; returns its id."""
    require(actor, CAPABILITY)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the view a name."))
    if len(name) > MAX_NAME:
        raise InvalidInput(_("A view name has at most {count} characters.").format(count=MAX_NAME))
    if not page:
        raise InvalidInput(_("A view belongs to a page."))
    clean = _clean_params(params)
    for event_id in _events_of(clean):  # a view of another event's orders is one of an unknown event
        scope.require_event(actor, event_id)
    view = session.scalars(
        select(SavedView)
        .where(SavedView.user_email == actor.email, SavedView.page == page, SavedView.name == name)
        .with_for_update()
    ).first()
    if view is None:
        view = SavedView(user_email=actor.email, role=actor.role, page=page, name=name, created_at=datetime.now(UTC))
        session.add(view)
    view.params = clean
    view.shared_with_role = bool(shared)
    view.role = actor.role
    session.flush()
    return view.id


def delete_view(session: Session, *, actor: Actor, view_id: int) -> None:
    """Delete one of one's own views."""
    require(actor, CAPABILITY)
    view_id = clean_id(view_id, missing=_("This view no longer exists."))
    view = session.get(SavedView, view_id, with_for_update=True)
    if view is None:
        raise InvalidInput(_("This view no longer exists."))
    if view.user_email != actor.email:
        raise NotAllowed(_("Only the person who saved a view may delete it."))
    session.delete(view)
    session.flush()


def visible_views(session: Session, *, actor: Actor, page: str) -> list[dict[str, Any]]:
    """The views of `page` this actor sees: their own, and those shared with their role;
    own first, then by name."""
    require(actor, CAPABILITY)
    views = session.scalars(
        select(SavedView).where(
            SavedView.page == page,
            or_(
                SavedView.user_email == actor.email,
                (SavedView.shared_with_role.is_(True)) & (SavedView.role == actor.role),
            ),
        )
    ).all()
    # Someone else's shared view filtering on an event outside the actor's scope is not shown.
    views = [v for v in views if v.user_email == actor.email or all(map(actor.sees_event, _events_of(v.params)))]
    rows = [
        dict(
            id=v.id,
            name=v.name,
            params=dict(v.params or {}),
            shared=v.shared_with_role,
            owner=v.user_email,
            mine=v.user_email == actor.email,
        )
        for v in views
    ]
    return sorted(rows, key=lambda r: (not r["mine"], r["name"].lower(), r["owner"]))
