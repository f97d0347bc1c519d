"""Who may do what. The router hides pages by role; services check again with `require`, so
a call from a role that may not do it is refused whatever the UI shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from orders_core.errors import NotAllowed
from orders_core.i18n import N_, _
from orders_core.status import Role

ADMIN, EVENT_MANAGER, FINANCE, MARKETER = Role.ADMIN, Role.EVENT_MANAGER, Role.FINANCE, Role.MARKETER
# `system` is the payment provider's callback and the command line, never a signed-in person.
SYSTEM = "system"
ROLES: tuple[Role, ...] = tuple(Role)
ROLE_LABELS: dict[str, str] = {
    ADMIN: N_("Administrator"),
    EVENT_MANAGER: N_("Event manager"),
    FINANCE: N_("Finance"),
    MARKETER: N_("Marketer"),
}

CAPABILITIES: dict[str, frozenset[str]] = {
    "orders.view": frozenset({ADMIN, EVENT_MANAGER, FINANCE, MARKETER}),
    "orders.export": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    "orders.create": frozenset({ADMIN, EVENT_MANAGER}),
    "orders.modify": frozenset({ADMIN, EVENT_MANAGER}),
    "orders.add_tickets": frozenset({ADMIN, EVENT_MANAGER}),
    "orders.validate": frozenset({ADMIN, FINANCE}),
    "orders.record_payment": frozenset({ADMIN, FINANCE, EVENT_MANAGER}),
    "orders.approve": frozenset({ADMIN}),
    "orders.record_refund": frozenset({ADMIN, FINANCE}),
    "orders.cancel_tickets": frozenset({ADMIN, FINANCE}),  # some tickets of a paid order (issue 20)
    # system: the worker cancels unpaid invoice orders past their grace period (issue 15, expiry)
    "orders.cancel": frozenset({ADMIN, EVENT_MANAGER, FINANCE, SYSTEM}),
    "orders.delete": frozenset({ADMIN, EVENT_MANAGER}),
    "orders.restore": frozenset({ADMIN}),
    "orders.provider_callback": frozenset({SYSTEM, ADMIN}),
    "orders.notes": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    # Issue 15: finance sends the next reminder now, or pauses an order's reminders; the worker
    # (`system`) sends the ladder's steps when they are due.
    "orders.reminders": frozenset({ADMIN, FINANCE}),
    "reminders.schedule": frozenset({SYSTEM, ADMIN}),
    # Issue 18: the Attendees page shows personal data (names, emails): not marketers.
    "attendees.view": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    "attendees.export": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    # Issue 21: invoices and credit notes. Finance issues them by hand; event managers see and
    # download them (their orders get theirs through the services that change them).
    "invoices.view": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    "invoices.issue": frozenset({ADMIN, FINANCE}),
    "seller.manage": frozenset({ADMIN}),
    "emails.resend": frozenset({ADMIN, EVENT_MANAGER, FINANCE}),
    "emails.outbox": frozenset({ADMIN}),
    "emails.templates": frozenset({ADMIN}),
    "catalogue.manage": frozenset({ADMIN, EVENT_MANAGER}),
    "forms.manage": frozenset({ADMIN}),
    "users.manage": frozenset({ADMIN, SYSTEM}),  # system: `orders users` on the command line
    "reconciliation.manage": frozenset({ADMIN, FINANCE}),
    "dashboards.sales": frozenset({ADMIN, EVENT_MANAGER}),
    "dashboards.finance": frozenset({ADMIN, FINANCE}),
    "dashboards.marketing": frozenset({ADMIN, MARKETER}),
    "views.save": frozenset({ADMIN, EVENT_MANAGER, FINANCE, MARKETER}),
    "account.preferences": frozenset({ADMIN, EVENT_MANAGER, FINANCE, MARKETER}),
    # Issue 17: buyers' and holders' names, emails, phones, addresses and companies. Marketers
    # see campaigns and amounts, never people.
    "personal.view": frozenset({ADMIN, EVENT_MANAGER, FINANCE, SYSTEM}),
    "personal.erase": frozenset({ADMIN}),
    "audit.view": frozenset({ADMIN}),
    # Every signed-in role's downloads are recorded (the export itself checks its own capability).
    "audit.record_export": frozenset({ADMIN, EVENT_MANAGER, FINANCE, MARKETER}),
    # The two-factor obligation and resets; system: `orders users reset-2fa` on the command line.
    "security.manage": frozenset({ADMIN, SYSTEM}),
}


@dataclass(frozen=True)
class Actor:
    """The principal: who is asking (recorded as `actor` in every history entry), their role and
    their event scope. Every query and every service receives one. `event_ids` None means every
    event; a frozenset means those events only (empty: none). Frozen and hashable, so a cached
    read is keyed by it and one user's scope never serves another's."""

    email: str
    role: str
    event_ids: frozenset[int] | None = None
    user_id: int | None = None

    @property
    def label(self) -> str:
        return self.email

    @property
    def all_events(self) -> bool:
        return self.event_ids is None

    def sees_event(self, event_id: int | None) -> bool:
        return self.event_ids is None or (event_id is not None and int(event_id) in self.event_ids)

    @property
    def sees_personal_data(self) -> bool:
        return role_may(self.role, "personal.view")

    @classmethod
    def of(cls, email: str, role: str, event_ids: Iterable[int] | None = None, user_id: int | None = None) -> Actor:
        """The principal of a signed-in user's values (`event_ids` None: every event)."""
        return cls(email, role, None if event_ids is None else frozenset(int(e) for e in event_ids), user_id)

    def scoped_to(self, event_ids: Iterable[int] | None) -> Actor:
        """The same person limited to these events (None: every event)."""
        scope = None if event_ids is None else frozenset(int(e) for e in event_ids)
        return replace(self, event_ids=scope)


SYSTEM_ACTOR = Actor("system", SYSTEM)


def role_may(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]


def roles_with(capability: str) -> frozenset[str]:
    """The signed-in roles (never `system`) that have this capability."""
    return CAPABILITIES[capability] - {SYSTEM}


def allowed(actor: Actor, capability: str) -> bool:
    return role_may(actor.role, capability)


def require(actor: Actor, capability: str) -> None:
    """Refuse with a readable message when the actor's role may not do this."""
    if not allowed(actor, capability):
        raise NotAllowed(
            _("Your role ({role}) does not allow this action.").format(role=_(ROLE_LABELS.get(actor.role, actor.role)))
        )
