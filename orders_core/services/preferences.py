"""What a signed-in person chooses for themselves: the time zone every date is shown in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _, is_timezone
from orders_core.models import User
from orders_core.permissions import Actor, require


def set_timezone(session: Session, *, actor: Actor, timezone: str) -> str:
    """The actor's own time zone (an IANA name such as Europe/Paris), kept with their account."""
    require(actor, "account.preferences")
    zone = str(timezone or "").strip()
    if not is_timezone(zone):
        raise InvalidInput(_("“{zone}” is not a time zone.").format(zone=zone[:60]))
    user = session.scalars(select(User).where(User.email == actor.email).with_for_update()).one_or_none()
    if user is None or not user.active:
        raise InvalidInput(_("This account does not exist or is deactivated."))
    user.timezone = zone
    session.flush()
    return zone
