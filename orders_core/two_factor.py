"""Issue 17: two-factor sign-in - enrolment of an authenticator app (TOTP), recovery codes, the
check of a code at sign-in, and the administrators' obligation for admins and finance.

Enrolment is two steps: `start_enrolment` keeps a fresh secret with the account (not in use yet)
and returns what the app needs (QR code, key to type); `confirm_enrolment` turns it on once the
app's first code is right and returns ten recovery codes, shown once and stored hashed. A secret
started but never confirmed does nothing; a new start replaces it, so a secret someone else saw
is never the one enrolled later.

The secret is kept in clear in `users.totp_secret` (the server must compute codes from it; the
database is the app's own, behind its role - orders_core/privileges.py); what is never kept is a
recovery code or a session token. Every change is audited (`audit.TWO_FACTOR`); the obligation is
an app setting (`two_factor_required`) changed with "security.manage" (`audit.SETTING_CHANGED`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core import audit, totp
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import _, as_utc
from orders_core.models import AppSetting, RecoveryCode, User
from orders_core.permissions import ADMIN, FINANCE, Actor, require

REQUIRED_SETTING = "two_factor_required"
# The roles the obligation applies to: those who change money and people's rights.
MANDATORY_ROLES = frozenset({ADMIN, FINANCE})
METHOD_PASSWORD = "password"
METHOD_TOTP = "totp"
METHOD_RECOVERY = "recovery code"


@dataclass(frozen=True)
class Enrolment:
    """What an authenticator app needs: the otpauth:// URI (QR code) and the key to type."""

    secret: str
    uri: str

    @property
    def key(self) -> str:
        return totp.grouped_secret(self.secret)


@dataclass(frozen=True)
class Status:
    """Where an account stands: enrolled since when, recovery codes left, obliged or not."""

    enrolled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool


def _now(now: datetime | None) -> datetime:
    return as_utc(now or datetime.now(UTC))


def _wrong_code() -> InvalidInput:
    return InvalidInput(
        _("This code is not right. Type the code your authenticator app shows now, or an unused recovery code.")
    )


def is_required(session: Session) -> bool:
    """Whether the administrators made two-factor sign-in mandatory for admins and finance."""
    setting = session.get(AppSetting, REQUIRED_SETTING)
    return bool(setting is not None and setting.value is True)


def required_for(session: Session, role: str) -> bool:
    return role in MANDATORY_ROLES and is_required(session)


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def must_enrol(session: Session, user: User) -> bool:
    """An account that may not use the app before it enrols (its role is obliged, it is not)."""
    return not is_enrolled(user) and required_for(session, user.role)


def must_enrol_id(session: Session, user_id: int) -> bool:
    """`must_enrol` for a signed-in user's id (the router asks on every run for obliged roles)."""
    user = session.get(User, user_id)
    return user is not None and must_enrol(session, user)


def set_required(
    session: Session, *, actor: Actor, required: bool, source: str = "", now: datetime | None = None
) -> bool:
    """Make two-factor sign-in mandatory for admins and finance (or not). Audited."""
    require(actor, "security.manage")
    now = _now(now)
    setting = session.get(AppSetting, REQUIRED_SETTING, with_for_update=True)
    previous = bool(setting is not None and setting.value is True)
    if setting is None:
        setting = AppSetting(key=REQUIRED_SETTING, value=bool(required), updated_at=now, updated_by=actor.label)
        session.add(setting)
    else:
        setting.value, setting.updated_at, setting.updated_by = bool(required), now, actor.label
    audit.record(
        session,
        actor=actor,
        action=audit.SETTING_CHANGED,
        subject=REQUIRED_SETTING,
        details={"key": REQUIRED_SETTING, "from": previous, "to": bool(required)},
        source=source,
        now=now,
    )
    session.flush()
    return bool(required)


def _own_account(session: Session, actor: Actor) -> User:
    """The actor's own account, locked for the change."""
    query = select(User).with_for_update()
    if actor.user_id is not None:
        query = query.where(User.id == actor.user_id)
    else:
        query = query.where(func.lower(User.email) == actor.email.lower())
    user = session.scalars(query).one_or_none()
    if user is None or not user.active:
        raise InvalidInput(_("This account does not exist or is deactivated."))
    return user


def _codes_left(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def status(session: Session, *, actor: Actor) -> Status:
    """The actor's own two-factor state."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        user = session.scalar(select(User).where(func.lower(User.email) == actor.email.lower()))
    if user is None:
        raise InvalidInput(_("This account does not exist or is deactivated."))
    enrolled = is_enrolled(user)
    return Status(
        enrolled=enrolled,
        enabled_at=as_utc(user.totp_enabled_at) if user.totp_enabled_at else None,
        recovery_codes_left=_codes_left(session, user.id) if enrolled else 0,
        required=required_for(session, user.role),
    )


def _audit_change(session: Session, actor: Actor, user: User, change: str, source: str, now: datetime) -> None:
    audit.record(
        session,
        actor=actor,
        action=audit.TWO_FACTOR,
        subject=user.email,
        details={"change": change},
        source=source,
        now=now,
    )


def start_enrolment(session: Session, *, actor: Actor) -> Enrolment:
    """A fresh secret for the actor's own account, not in use until confirmed with a code."""
    user = _own_account(session, actor)
    if is_enrolled(user):
        raise InvalidInput(_("Two-factor sign-in is already on for this account."))
    user.totp_secret = totp.new_secret()
    user.totp_last_step = None
    session.flush()
    return Enrolment(secret=user.totp_secret, uri=totp.provisioning_uri(user.totp_secret, user.email))


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code), created_at=now) for code in codes
    )
    session.flush()
    return codes


def confirm_enrolment(
    session: Session, *, actor: Actor, code: str, source: str = "", now: datetime | None = None
) -> list[str]:
    """Turn two-factor sign-in on with the app's first code; returns the recovery codes (shown
    once). Audited."""
    now = _now(now)
    user = _own_account(session, actor)
    if is_enrolled(user):
        raise InvalidInput(_("Two-factor sign-in is already on for this account."))
    if not user.totp_secret:
        raise InvalidInput(_("Start the set-up again: no authenticator app is being set up."))
    step = totp.matching_step(user.totp_secret, code, now)
    if step is None:
        raise InvalidInput(_("This code is not right. Type the code your authenticator app shows now."))
    user.totp_enabled_at, user.totp_last_step = now, step
    codes = _new_recovery_codes(session, user, now)
    _audit_change(session, actor, user, "enrolled", source, now)
    return codes


def check_code(session: Session, *, user: User, code: str, now: datetime | None = None) -> str | None:
    """The method a code proves (`METHOD_TOTP` or `METHOD_RECOVERY`), or None. An accepted code
    is spent: its step is remembered (the same code is refused within its window) or the
    recovery code is marked used. The caller holds the account's row lock."""
    now = _now(now)
    if not is_enrolled(user):
        return None
    typed = totp.normalize_code(code)
    if totp.looks_like_totp(typed):
        step = totp.matching_step(user.totp_secret or "", typed, now, last_step=user.totp_last_step)
        if step is None:
            return None
        user.totp_last_step = step
        return METHOD_TOTP
    unused = session.scalars(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .order_by(RecoveryCode.id)
        .with_for_update()
    ).all()
    # Every unused code is compared, so the time taken does not tell which one matched.
    matched = [recovery for recovery in unused if totp.recovery_code_matches(recovery.code_hash, typed)]
    if not matched:
        return None
    matched[0].used_at = now
    session.flush()
    return METHOD_RECOVERY


def _require_current_code(session: Session, user: User, code: str, now: datetime) -> str:
    method = check_code(session, user=user, code=code, now=now)
    if method is None:
        raise _wrong_code()
    return method


def disable(session: Session, *, actor: Actor, code: str, source: str = "", now: datetime | None = None) -> None:
    """Turn the actor's own two-factor sign-in off, proven with a current code. Audited. (An
    obliged role is then taken back to enrolment: this is also how a new phone is set up.)"""
    now = _now(now)
    user = _own_account(session, actor)
    if not is_enrolled(user):
        raise InvalidInput(_("Two-factor sign-in is not on for this account."))
    method = _require_current_code(session, user, code, now)
    _turn_off(session, user)
    audit.record(
        session,
        actor=actor,
        action=audit.TWO_FACTOR,
        subject=user.email,
        details={"change": "disabled", "method": method},
        source=source,
        now=now,
    )


def _turn_off(session: Session, user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


def regenerate_recovery_codes(
    session: Session, *, actor: Actor, code: str, source: str = "", now: datetime | None = None
) -> list[str]:
    """Ten new recovery codes for the actor's own account (the old ones stop working), proven
    with a current code; returns them (shown once). Audited."""
    now = _now(now)
    user = _own_account(session, actor)
    if not is_enrolled(user):
        raise InvalidInput(_("Two-factor sign-in is not on for this account."))
    _require_current_code(session, user, code, now)
    codes = _new_recovery_codes(session, user, now)
    _audit_change(session, actor, user, "recovery codes regenerated", source, now)
    return codes


def enrolled_accounts(session: Session, *, actor: Actor) -> list[str]:
    """The emails of the accounts with two-factor sign-in on (for an administrator's reset)."""
    require(actor, "security.manage")
    return list(session.scalars(select(User.email).where(User.totp_enabled_at.is_not(None)).order_by(User.email)))


def reset(session: Session, *, actor: Actor, email: str, source: str = "", now: datetime | None = None) -> None:
    """An administrator turns another user's two-factor sign-in off (a lost phone and no recovery
    code left); an obliged role enrols again at its next sign-in. Audited."""
    require(actor, "security.manage")
    now = _now(now)
    user = session.scalars(
        select(User).where(func.lower(User.email) == (email or "").strip().lower()).with_for_update()
    ).one_or_none()
    if user is None:
        raise InvalidInput(_("This account does not exist or is deactivated."))
    if actor.user_id is not None and user.id == actor.user_id:
        raise NotAllowed(_("Turn your own two-factor sign-in off with a current code instead."))
    if not is_enrolled(user):
        raise InvalidInput(_("Two-factor sign-in is not on for this account."))
    _turn_off(session, user)
    _audit_change(session, actor, user, "reset", source, now)
