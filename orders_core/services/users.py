"""Accounts of the back-office: who may sign in, with which role.

Only administrators manage accounts (the command line acts as `system`). The app can never be
left without an active administrator: the last one can be neither demoted nor deactivated, and
nobody deactivates their own account. Deactivating an account or resetting its password ends
every open session of it at once (orders_core.sessions).

Issue 17, event scope: each account sees all events (`User.all_events`) or a list of events
(`UserEvent`); open sessions read it again at their next rerun. An administrator may be scoped
too, but one active administrator of every event always remains (like the last active
administrator), and a scoped administrator grants only events of their own scope (never all
events: that would widen their own reach through an account they control). Every change is
written to the audit trail (orders_core.audit) in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core import audit, scope, sessions
from orders_core.auth import forget_failures, normalize_email, waits_by_email
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import _, ngettext
from orders_core.inputs import clean_id
from orders_core.models import Event, User, UserEvent
from orders_core.passwords import check_password_policy, generate_password, hash_password
from orders_core.permissions import ADMIN, ROLE_LABELS, ROLES, SYSTEM, Actor, require
from orders_core.status import Role

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserSummary:
    """One account as the user management page lists it (no password hash)."""

    id: int
    email: str
    full_name: str
    role: str
    active: bool
    locked_until: datetime | None  # the latest wait imposed on sign-ins from some address
    locked: bool  # some address waits now after repeated failed sign-ins
    last_login_at: datetime | None
    created_at: datetime
    event_ids: tuple[int, ...] | None = None  # None: every event


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role '{role}'; choose one of: {roles}.").format(
                role=role, roles=", ".join(_(ROLE_LABELS[r]) for r in ROLES)
            )
        )


def _get(session: Session, user_id: int) -> User:
    user_id = clean_id(user_id, missing=_("No user with the id {id}.").format(id=str(user_id)[:30]))
    user = session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise InvalidInput(_("No user with the id {id}.").format(id=user_id))
    return user


def _within(actor: Actor, event_ids: tuple[int, ...] | None) -> bool:
    """Is an account of this scope within the actor's own (so the actor may manage it)?"""
    if actor.all_events:
        return True
    return event_ids is not None and all(actor.sees_event(e) for e in event_ids)


def _managed(session: Session, actor: Actor, user_id: int) -> User:
    """The account, locked, refused to a scoped administrator when it reaches beyond their events
    (changing its role, password or events would widen their own reach)."""
    user = _get(session, user_id)
    if not _within(actor, user_scope(session, user.id)):
        raise NotAllowed(_("Only an administrator of every event can change this user."))
    return user


def _other_active_admins(session: Session, user: User) -> int:
    # Locks every active admin row, so two admins demoting each other at once are serialized.
    ids = session.scalars(
        select(User.id).where(User.role == ADMIN, User.active.is_(True), User.id != user.id).with_for_update()
    ).all()
    return len(ids)


def _other_full_admins(session: Session, user: User) -> int:
    """The other active administrators of every event (their rows locked, as above)."""
    ids = session.scalars(
        select(User.id)
        .where(User.role == ADMIN, User.active.is_(True), User.all_events.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    return len(ids)


def _is_last_full_admin(session: Session, user: User) -> bool:
    return bool(user.role == ADMIN and user.active and user.all_events and not _other_full_admins(session, user))


def _source(actor: Actor) -> str:
    return "cli" if actor.role == SYSTEM else "app"


def _audit(session: Session, actor: Actor, action: str, user: User, details: dict[str, Any] | None = None) -> None:
    audit.record(session, actor=actor, action=action, subject=user.email, details=details, source=_source(actor))


def find_user(session: Session, *, actor: Actor, email: str) -> User:
    """The account with this sign-in email (the command line names users by email)."""
    require(actor, "users.manage")
    email = normalize_email(email)
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email))
    if user_id is None:
        raise InvalidInput(_("No user with the email {email}.").format(email=email[:100]))
    return _get(session, user_id)


def user_scope(session: Session, user_id: int) -> tuple[int, ...] | None:
    """The events of an account: None for every event, else their ids in order."""
    user = session.get(User, user_id)
    if user is None or user.all_events:
        return None
    return tuple(
        session.scalars(select(UserEvent.event_id).where(UserEvent.user_id == user_id).order_by(UserEvent.event_id))
    )


def _scope_detail(session: Session, event_ids: tuple[int, ...] | None) -> object:
    """A scope as the audit trail keeps it: "all", or the events by id and name (names change)."""
    if event_ids is None:
        return "all"
    names = {row.id: row.name for row in session.execute(select(Event.id, Event.name).where(Event.id.in_(event_ids)))}
    return [{"id": event_id, "name": names.get(event_id, "")} for event_id in event_ids]


def clean_event_scope(session: Session, *, actor: Actor, event_ids: object) -> tuple[int, ...] | None:
    """The scope an administrator gives: None (every event) or the distinct event ids, each an
    existing event of the administrator's own scope; an empty list is refused."""
    if event_ids is None:
        if not actor.all_events:
            raise NotAllowed(_("Only an administrator of every event can give access to every event."))
        return None
    if isinstance(event_ids, (str, int)) or not hasattr(event_ids, "__iter__"):
        event_ids = [event_ids]
    ids: set[int] = set()
    for value in event_ids:
        ids.add(clean_id(value, missing=_("“{value}” is not an event id.").format(value=str(value).strip()[:30])))
    if not ids:
        raise InvalidInput(_("Choose at least one event, or every event."))
    known = set(session.scalars(select(Event.id).where(Event.id.in_(sorted(ids)))))
    unknown = sorted(i for i in ids if i not in known or not actor.sees_event(i))
    if unknown:
        raise InvalidInput(
            ngettext("Unknown event id: {ids}.", "Unknown event ids: {ids}.", len(unknown)).format(
                ids=", ".join(str(i) for i in unknown)
            )
        )
    return tuple(sorted(ids))


def event_choices(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The events an administrator may give (their own scope), as (id, name), by name."""
    require(actor, "users.manage")
    query = select(Event.id, Event.name).where(scope.event_condition(Event.id, actor)).order_by(Event.name, Event.id)
    return [(row.id, row.name) for row in session.execute(query)]


def _write_scope(session: Session, user: User, event_ids: tuple[int, ...] | None) -> None:
    session.execute(delete(UserEvent).where(UserEvent.user_id == user.id))
    user.all_events = event_ids is None
    for event_id in event_ids or ():
        session.add(UserEvent(user_id=user.id, event_id=event_id))
    session.flush()


def add_user(
    session: Session,
    *,
    actor: Actor,
    email: str,
    role: str,
    password: str,
    full_name: str = "",
    event_ids: list[int] | tuple[int, ...] | None = None,
) -> User:
    """Create an account; the email is the sign-in name and must be unique. `event_ids`: the
    events it sees (None: every event)."""
    require(actor, "users.manage")
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(_("'{email}' is not a valid email address.").format(email=email[:100]))
    _check_role(role)
    events = clean_event_scope(session, actor=actor, event_ids=event_ids)
    check_password_policy(password, email=email, name=full_name)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise InvalidInput(_("A user with the email {email} already exists.").format(email=email[:100]))
    user = User(
        email=email,
        role=role,
        password_hash=hash_password(password),
        full_name=(full_name or "").strip(),
        active=True,
        all_events=events is None,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    _write_scope(session, user, events)
    _audit(session, actor, audit.USER_ADDED, user, {"role": role, "events": _scope_detail(session, events)})
    return user


def set_event_scope(
    session: Session, *, actor: Actor, user_id: int, event_ids: list[int] | tuple[int, ...] | None
) -> User:
    """Give an account every event (None) or these events. Its open sessions see the new scope
    at their next rerun. The last active administrator of every event keeps every event, and
    nobody changes their own scope."""
    require(actor, "users.manage")
    user = _managed(session, actor, user_id)
    events = clean_event_scope(session, actor=actor, event_ids=event_ids)
    if actor.user_id == user.id or normalize_email(actor.email) == user.email:
        raise InvalidInput(_("You cannot change your own events: ask another administrator."))
    old = user_scope(session, user.id)
    if old == events:
        return user
    if events is not None and _is_last_full_admin(session, user):
        raise InvalidInput(
            _(
                "{email} is the last active administrator of every event: give another administrator every event first."
            ).format(email=user.email)
        )
    _write_scope(session, user, events)
    details = {"events": {"old": _scope_detail(session, old), "new": _scope_detail(session, events)}}
    _audit(session, actor, audit.SCOPE_CHANGED, user, details)
    return user


def change_role(session: Session, *, actor: Actor, user_id: int, role: str) -> User:
    """Give an account another role; the last active administrator keeps theirs."""
    require(actor, "users.manage")
    _check_role(role)
    user = _managed(session, actor, user_id)
    if user.role == ADMIN and role != ADMIN and user.active and not _other_active_admins(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator: make someone else an administrator first.").format(
                email=user.email
            )
        )
    if role != ADMIN and _is_last_full_admin(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator of every event: make someone else one first.").format(
                email=user.email
            )
        )
    old = str(user.role)
    if old == role:
        return user
    user.role = Role(role)
    _audit(session, actor, audit.ROLE_CHANGED, user, {"role": {"old": old, "new": role}})
    return user


def deactivate_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """Stop an account from signing in (its open sessions end at their next action)."""
    require(actor, "users.manage")
    user = _managed(session, actor, user_id)
    if normalize_email(actor.email) == user.email:
        raise InvalidInput(_("You cannot deactivate your own account."))
    if user.role == ADMIN and user.active and not _other_active_admins(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator and cannot be deactivated.").format(email=user.email)
        )
    if _is_last_full_admin(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator of every event and cannot be deactivated.").format(
                email=user.email
            )
        )
    was_active = bool(user.active)
    user.active = False
    sessions.end_user_sessions(session, user_id=user.id, reason="deactivated")
    if was_active:
        _audit(session, actor, audit.USER_DEACTIVATED, user)
    return user


def reactivate_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """Let a deactivated account sign in again, with no wait left from failed attempts."""
    require(actor, "users.manage")
    user = _managed(session, actor, user_id)
    was_active = bool(user.active)
    user.active = True
    forget_failures(session, user.email)
    if not was_active:
        _audit(session, actor, audit.USER_REACTIVATED, user)
    return user


def reset_password(session: Session, *, actor: Actor, user_id: int, password: str | None = None) -> str:
    """Set a new password (a generated one when none is given), end every session of the account,
    lift its waits, and return the password so it can be shown once to the administrator."""
    require(actor, "users.manage")
    user = _managed(session, actor, user_id)
    password = password or generate_password()
    check_password_policy(password, email=user.email, name=user.full_name)
    user.password_hash = hash_password(password)
    forget_failures(session, user.email)
    sessions.end_user_sessions(session, user_id=user.id, reason="password_reset")
    _audit(session, actor, audit.PASSWORD_RESET, user)  # never the password itself
    return password


def list_users(session: Session, *, actor: Actor) -> list[UserSummary]:
    """Every account, active ones first, by email."""
    require(actor, "users.manage")
    now = datetime.now(UTC)
    rows = session.scalars(select(User).order_by(User.active.desc(), User.email)).all()
    waits = waits_by_email(session, now)
    scopes: dict[int, list[int]] = {}
    for user_id, event_id in session.execute(
        select(UserEvent.user_id, UserEvent.event_id).order_by(UserEvent.event_id)
    ):
        scopes.setdefault(user_id, []).append(event_id)
    return [
        UserSummary(
            id=u.id,
            email=u.email,
            full_name=u.full_name or "",
            role=u.role,
            active=bool(u.active),
            locked_until=waits.get(u.email),
            locked=u.email in waits,
            last_login_at=u.last_login_at,
            created_at=u.created_at,
            event_ids=None if u.all_events else tuple(scopes.get(u.id, ())),
        )
        for u in rows
        # a scoped administrator lists the accounts of their events (and their own)
        if u.id == actor.user_id or _within(actor, None if u.all_events else tuple(scopes.get(u.id, ())))
    ]
