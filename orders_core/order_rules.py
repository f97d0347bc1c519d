"""What may this actor do with this order now: answered once, here, from the order's facts and the
actor's role. Pure (no I/O): pages and `ui/` draw what it allows and show its reasons, services
check the same answers before they write (`require_payment_method`), so the two never disagree.

Who confirms which payment (domain rule 13, issues 13 and 20):
- nobody marks an online order paid by hand: its payment is the provider's (the `system` role);
- finance and admin validate invoice orders and record any offline payment (bank transfer,
  cheque, cash, card, other);
- event managers take box-office payments (cash, card, cheque) on organiser orders, never the
  payment of an invoice order awaiting it (finance validates those);
- marketers read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from orders_core.errors import NotAllowed
from orders_core.i18n import N_, _, format_list
from orders_core.models import Order
from orders_core.payment_state import balance_due, refund_due
from orders_core.permissions import ADMIN, EVENT_MANAGER, FINANCE, SYSTEM, Actor, role_may
from orders_core.status import (
    BOX_OFFICE_METHODS,
    FINAL_STATUSES,
    NOT_CONFIRMABLE,
    OFFLINE_METHODS,
    PAYMENT_METHOD_LABELS,
    STATUS_LABELS,
    PaymentMethod,
    PaymentMode,
    Source,
    Status,
    can_transition,
)

CENT = Decimal("0.01")


class Action(StrEnum):
    """Everything the back-office can do to one order."""

    VALIDATE = "validate"
    RECORD_PAYMENT = "record_payment"  # the balance owed by a paid order after added tickets
    RECORD_REFUND = "record_refund"  # money given back (finance, admin): issue 20
    CANCEL_TICKETS = "cancel_tickets"  # some tickets or products of a paid order (finance, admin)
    MODIFY = "modify"
    ADD_TICKETS = "add_tickets"
    CANCEL = "cancel"
    DELETE = "delete"
    RESTORE = "restore"
    APPROVE = "approve"
    REJECT = "reject"
    CONFIRM_ONLINE = "confirm_online"
    MARK_FAILED = "mark_failed"
    SEND_PAYMENT_DETAILS = "send_payment_details"
    RESEND_CONFIRMATION = "resend_confirmation"
    RESEND_TICKETS = "resend_tickets"


# The status changes the order page offers as buttons, in the order they are drawn.
LIFECYCLE_BUTTONS = (
    Action.VALIDATE,
    Action.APPROVE,
    Action.REJECT,
    Action.CONFIRM_ONLINE,
    Action.MARK_FAILED,
    Action.CANCEL,
    Action.RESTORE,
    Action.DELETE,
)


def _exact(value: Decimal | float | int | str) -> Decimal:
    # SQLite hands NUMERIC back through floats: a 2-place string is exact at this scale.
    return Decimal(f"{value:.2f}") if isinstance(value, float) else Decimal(value).quantize(CENT)


@dataclass(frozen=True)
class OrderFacts:
    """The facts of one order every answer depends on (plain values, read by `queries/`)."""

    number: int
    status: Status
    payment_mode: PaymentMode
    source: Source
    currency: str
    total_ttc: Decimal
    amount_paid: Decimal  # kept: payments - refunds
    deleted: bool = False
    refunded: Decimal = Decimal("0.00")  # the sum of the refunds (money handed back)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "payment_mode", PaymentMode(self.payment_mode))
        object.__setattr__(self, "source", Source(self.source))
        object.__setattr__(self, "total_ttc", _exact(self.total_ttc))
        object.__setattr__(self, "amount_paid", _exact(self.amount_paid))
        object.__setattr__(self, "refunded", _exact(self.refunded))

    @property
    def payments(self) -> Decimal:
        """The sum of the payments received (before any refund)."""
        return self.amount_paid + self.refunded

    @property
    def balance_due(self) -> Decimal:
        """What the buyer still owes: total - payments, never negative (orders_core.payment_state:
        a refund never creates a balance due)."""
        return balance_due(total=self.total_ttc, paid=self.payments)

    @property
    def refund_due(self) -> Decimal:
        """What is owed back to the buyer: the amount kept beyond the total (overpaid, or tickets
        cancelled), never negative."""
        return refund_due(total=self.total_ttc, kept=self.amount_paid)

    @property
    def editable(self) -> bool:
        """Rule 1: paid and cancelled orders are read-only (a deleted one until restored)."""
        return not self.deleted and self.status not in FINAL_STATUSES

    @property
    def status_label(self) -> str:
        return _(STATUS_LABELS[self.status])

    @classmethod
    def of(cls, order: Order, *, refunded: Decimal = Decimal("0.00")) -> OrderFacts:
        """The facts of an `orders_core.models.Order` (e.g. the one a service returns), with the
        sum of its refunds."""
        return cls(
            number=order.number,
            status=order.status,
            payment_mode=order.payment_mode,
            source=order.source,
            currency=order.currency,
            total_ttc=order.total_ttc,
            amount_paid=order.amount_paid,
            deleted=order.deleted_at is not None,
            refunded=refunded,
        )


def payment_methods_for(
    role: str, *, source: Source | str, payment_mode: PaymentMode | str, status: Status | str | None
) -> tuple[PaymentMethod, ...]:
    """The methods `role` may confirm a payment with on an order in this state (`status` None: an
    order being created in the back-office). Empty: this role confirms no payment here."""
    online = PaymentMode(payment_mode) == PaymentMode.ONLINE
    if role == SYSTEM:
        return (PaymentMethod.ONLINE,) if online else ()
    if online:
        return ()
    if role in (ADMIN, FINANCE):
        return OFFLINE_METHODS
    if role == EVENT_MANAGER and Source(source) == Source.ORGANIZER:
        awaiting_invoice = status is not None and Status(status) == Status.AWAITING_PAYMENT
        awaiting_invoice = awaiting_invoice and PaymentMode(payment_mode) == PaymentMode.INVOICE
        return () if awaiting_invoice else BOX_OFFICE_METHODS
    return ()


def _order_name(number: int | None) -> str:
    return _("order {number}").format(number=number) if number is not None else _("this order")


def _online_payment(order: str) -> str:
    return _("The payment of {order} is online: only the payment provider confirms it.").format(order=order)


def require_payment_method(
    actor: Actor,
    method: str | None,
    *,
    number: int | None,
    source: Source | str,
    payment_mode: PaymentMode | str,
    status: Status | str | None,
) -> None:
    """Refuse, with the reason, a payment this actor may not confirm (the one rule of every path:
    validation, record payment, balance payment, the wizard's paid offline, approval)."""
    allowed = payment_methods_for(actor.role, source=source, payment_mode=payment_mode, status=status)
    if method in allowed:
        return
    order = _order_name(number)
    if PaymentMode(payment_mode) == PaymentMode.ONLINE and actor.role != SYSTEM:
        raise NotAllowed(_online_payment(order))
    if not allowed:
        raise NotAllowed(_("Your role does not confirm the payment of {order}.").format(order=order))
    raise NotAllowed(
        _("Your role records {methods} on {order}, not {method}.").format(
            methods=", ".join(_(PAYMENT_METHOD_LABELS[m]) for m in allowed),
            order=order,
            method=_(PAYMENT_METHOD_LABELS[PaymentMethod(method)]) if method in set(PaymentMethod) else method,
        )
    )


def settled_payment_mode(
    *, source: Source | str, payment_mode: PaymentMode | str, status: Status | str, method: str
) -> PaymentMode:
    """The payment mode an order has once this payment settles it (makes it paid), asked by the
    ledger for every settlement, whatever the path (the wizard's paid offline, a box-office
    payment on an undecided order, validation, the demo). Issue 20: "an order paid at the box
    office shows how it was paid".

    It becomes `box_office` when all of these hold:
    - the method is one the box office takes at the desk (BOX_OFFICE_METHODS: cash, card, cheque);
    - the order is an organiser order (online orders are the provider's);
    - its mode is still open to the question, `invoice` or `undefined` (online and free orders
      say how they were paid already);
    - it was not an invoice order waiting for the buyer to pay (status `awaiting_payment` with
      mode `invoice`): that one was invoiced, and a cheque or card finance records for it pays
      the invoice, which keeps "On invoice". The wizard's paid offline creates its order
      `cart_incomplete` and confirms it at once, so it qualifies.
    Any other settlement (a bank transfer, "other", an invoice paid) keeps the mode it had. A
    payment that only covers a balance after added tickets settles nothing and changes no mode."""
    mode = PaymentMode(payment_mode)
    if method not in BOX_OFFICE_METHODS or Source(source) != Source.ORGANIZER:
        return mode
    if mode not in (PaymentMode.INVOICE, PaymentMode.UNDEFINED):
        return mode
    if mode == PaymentMode.INVOICE and Status(status) == Status.AWAITING_PAYMENT:
        return mode
    return PaymentMode.BOX_OFFICE


@dataclass(frozen=True)
class OrderActions:
    """The answer for one (actor role, order): what is allowed, with which payment methods, and
    why the rest is not (translated, for the page to show)."""

    facts: OrderFacts
    allowed: frozenset[Action]
    payment_methods: tuple[PaymentMethod, ...]
    why_not: dict[Action, str] = field(default_factory=dict)
    # Refused because of the order's state (not the role): worth telling whoever looks at it.
    locked: frozenset[Action] = frozenset()
    # Shown above the actions: why the order as a whole cannot change (deleted, final status).
    notice: str | None = None

    def can(self, action: Action) -> bool:
        return action in self.allowed

    def locked_because(self, action: Action) -> str | None:
        """Why the order's state refuses `action` (None when allowed, or refused only by role)."""
        return self.why_not[action] if action in self.locked else None

    @property
    def status(self) -> Status:
        return self.facts.status

    @property
    def editable(self) -> bool:
        return self.facts.editable

    @property
    def balance_due(self) -> Decimal:
        return self.facts.balance_due

    @property
    def refund_due(self) -> Decimal:
        return self.facts.refund_due

    @property
    def owes_after_added_tickets(self) -> bool:
        """Rule 1's exception: a paid order owing the price of added tickets (the yellow banner)."""
        return not self.facts.deleted and self.facts.status == Status.PAID and self.balance_due > 0

    @property
    def has_e_tickets(self) -> bool:
        """Issue 21: a paid order that is not deleted has e-tickets (its attendees that still admit)."""
        return not self.facts.deleted and self.facts.status == Status.PAID

    @property
    def lifecycle_buttons(self) -> tuple[Action, ...]:
        """The status changes to offer on the order page, in their order."""
        return tuple(action for action in LIFECYCLE_BUTTONS if action in self.allowed)

    @property
    def can_validate(self) -> bool:
        return Action.VALIDATE in self.allowed

    @property
    def can_record_payment(self) -> bool:
        return Action.RECORD_PAYMENT in self.allowed

    @property
    def can_modify(self) -> bool:
        return Action.MODIFY in self.allowed

    @property
    def can_add_tickets(self) -> bool:
        return Action.ADD_TICKETS in self.allowed

    @property
    def can_cancel(self) -> bool:
        return Action.CANCEL in self.allowed

    @property
    def can_delete(self) -> bool:
        return Action.DELETE in self.allowed

    @property
    def can_restore(self) -> bool:
        return Action.RESTORE in self.allowed

    @property
    def can_send_payment_details(self) -> bool:
        return Action.SEND_PAYMENT_DETAILS in self.allowed


def _reasons(facts: OrderFacts) -> dict[Action, str]:
    """Why each action is refused by the order's state alone (whatever the role)."""
    number, status = facts.number, facts.status_label
    final = _("This order is “{status}”: paid and cancelled orders are locked, their status cannot change.").format(
        status=status
    )
    reasons: dict[Action, str] = {}
    if facts.status != Status.AWAITING_PAYMENT:
        reasons[Action.VALIDATE] = _("Only an order awaiting payment is validated.")
    if facts.status != Status.PENDING_ADMIN:
        reasons[Action.APPROVE] = reasons[Action.REJECT] = _("Only an order pending an administrator is approved.")
    if facts.status != Status.PENDING_ONLINE:
        reasons[Action.CONFIRM_ONLINE] = reasons[Action.MARK_FAILED] = _(
            "Only an order whose online payment is pending waits for the provider."
        )
    if not can_transition(facts.status, Status.CANCELLED):
        reasons[Action.CANCEL] = final
    if facts.status in FINAL_STATUSES:
        reasons[Action.MODIFY] = _("Paid and cancelled orders cannot be modified.")
        if facts.status == Status.CANCELLED:
            reasons[Action.MODIFY] = _("Cancelled orders cannot be modified.")
    if facts.source != Source.ORGANIZER:
        reasons[Action.ADD_TICKETS] = _(
            "Order {number} was sold online: its tickets can only be changed by the ticketing platform's "
            "support, not in the back-office."
        ).format(number=number)
    elif facts.status == Status.CANCELLED:
        reasons[Action.ADD_TICKETS] = _("Cancelled orders cannot be modified.")
    elif facts.status != Status.PAID:
        reasons[Action.ADD_TICKETS] = _(
            "Tickets are added to paid orders only; order {number} is not validated yet: modify it instead."
        ).format(number=number)
    if facts.status != Status.PAID or facts.balance_due <= 0:
        reasons[Action.RECORD_PAYMENT] = _("Order {number} owes nothing.").format(number=number)
    if facts.amount_paid <= 0:
        reasons[Action.RECORD_REFUND] = _("Order {number} has received no payment: there is nothing to refund.").format(
            number=number
        )
    if facts.status != Status.PAID:
        reasons[Action.CANCEL_TICKETS] = _(
            "Order {number} is not paid: only a paid order's tickets are cancelled one by one."
        ).format(number=number)
    if facts.status in FINAL_STATUSES or facts.balance_due <= 0 or facts.payment_mode == PaymentMode.FREE:
        reasons[Action.SEND_PAYMENT_DETAILS] = _("Order {number} has nothing left to pay.").format(number=number)
    if facts.status in NOT_CONFIRMABLE:
        reasons[Action.RESEND_CONFIRMATION] = _(
            "Order {number} is not confirmed (its status does not allow a confirmation)."
        ).format(number=number)
    if facts.status != Status.PAID:
        reasons[Action.RESEND_TICKETS] = _("Only a paid order has tickets.")
    reasons[Action.RESTORE] = _("Order {number} is not deleted.").format(number=number)
    return reasons


# The capability (orders_core.permissions) each action needs on top of the order's state.
CAPABILITY = {
    Action.VALIDATE: "orders.validate",
    Action.RECORD_PAYMENT: "orders.record_payment",
    Action.RECORD_REFUND: "orders.record_refund",
    Action.CANCEL_TICKETS: "orders.cancel_tickets",
    Action.MODIFY: "orders.modify",
    Action.ADD_TICKETS: "orders.add_tickets",
    Action.CANCEL: "orders.cancel",
    Action.DELETE: "orders.delete",
    Action.RESTORE: "orders.restore",
    Action.APPROVE: "orders.approve",
    Action.REJECT: "orders.approve",
    Action.CONFIRM_ONLINE: "orders.provider_callback",
    Action.MARK_FAILED: "orders.provider_callback",
    Action.SEND_PAYMENT_DETAILS: "orders.modify",
    Action.RESEND_CONFIRMATION: "emails.resend",
    Action.RESEND_TICKETS: "emails.resend",
}


def actions_for(facts: OrderFacts, role: str) -> OrderActions:
    """What `role` may do with this order now, and why not the rest."""
    methods = payment_methods_for(role, source=facts.source, payment_mode=facts.payment_mode, status=facts.status)
    if facts.deleted:
        deleted = _("This order is deleted: it cannot be changed until an administrator restores it.")
        why_not: dict[Action, str] = {action: deleted for action in Action if action != Action.RESTORE}
        locked = frozenset(why_not)
        allowed = frozenset({Action.RESTORE}) if role_may(role, CAPABILITY[Action.RESTORE]) else frozenset()
        if not allowed:
            why_not[Action.RESTORE] = _("Your role does not allow this action.")
        return OrderActions(facts, allowed, methods, why_not, locked, notice=deleted)
    why_not = _reasons(facts)
    locked = frozenset(why_not)
    for action, capability in CAPABILITY.items():
        if action not in why_not and not role_may(role, capability):
            why_not[action] = _("Your role does not allow this action.")
    # Money-moving actions need a payment this role may confirm on this order.
    for action in (Action.VALIDATE, Action.RECORD_PAYMENT):
        if action not in why_not and not methods:
            why_not[action] = (
                _online_payment(_order_name(facts.number))
                if facts.payment_mode == PaymentMode.ONLINE
                else _("Your role does not confirm the payment of {order}.").format(order=_order_name(facts.number))
            )
    # The provider confirms an online payment; no person marks it paid by hand.
    if Action.CONFIRM_ONLINE not in why_not and role != SYSTEM:
        why_not[Action.CONFIRM_ONLINE] = _online_payment(_order_name(facts.number))
    allowed = frozenset(action for action in Action if action not in why_not)
    notice = _final_notice(facts, allowed) if facts.status in FINAL_STATUSES else None
    return OrderActions(facts, allowed, methods, why_not, locked, notice)


# What a paid or cancelled order still allows, as the notice above its actions names it.
_STILL_POSSIBLE = {
    Action.ADD_TICKETS: N_("add tickets (never remove them)"),
    Action.RECORD_PAYMENT: N_("record the payment of the balance"),
    Action.RECORD_REFUND: N_("record a refund"),
    Action.CANCEL_TICKETS: N_("cancel some of its tickets"),
    Action.RESEND_CONFIRMATION: N_("send the confirmation again"),
    Action.RESEND_TICKETS: N_("send the tickets again"),
    Action.DELETE: N_("delete it"),
}


def _final_notice(facts: OrderFacts, allowed: frozenset[Action]) -> str:
    """What is locked on a paid or cancelled order, and what this role can still do with it (issue
    18: "locked" above "Add a ticket" was not true)."""
    locked = _(
        "This order is “{status}”: its status is final, and its lines, buyer and holders cannot be modified."
    ).format(status=facts.status_label)
    still = [_(label) for action, label in _STILL_POSSIBLE.items() if action in allowed]
    if not still:
        return locked + " " + _("Your role can do nothing more with it.")
    return locked + " " + _("You can still {actions}.").format(actions=format_list(still, style="standard"))


# --- an order being created or modified in the wizard ---------------------------------------------


@dataclass(frozen=True)
class DraftPayment:
    """What the wizard's last step may offer for an order being created or modified."""

    choices: tuple[str, ...]  # of order_creation.PAYMENT_CHOICES (+ "keep" when modifying)
    methods: tuple[PaymentMethod, ...]  # for "paid_offline"

    @property
    def free(self) -> bool:
        """The total is zero: the order is free and paid at once, nothing to choose."""
        return self.choices == ("free",)

    current: OrderFacts | None = None  # the order being modified (None: a new order)

    def may_send_payment_details(self, choice: str) -> bool:
        """Payment details are for an order that will wait for its money, never a free or paid one."""
        return payment_details_refusal(choice, current=self.current) is None


def payment_details_refusal(choice: str, *, current: OrderFacts | None = None) -> str | None:
    """Why the wizard's payment `choice` sends no payment details (None: it may): a free order
    or one paid at once has nothing to pay; "keep" sends them only while the kept order owes
    (issue 18 item 10: the details were offered and taken on a free order)."""
    if choice == "free":
        return _("The order is free: there are no payment details to send.")
    if choice == "paid_offline":
        return _("The order is paid at once: there are no payment details to send.")
    if choice == "keep" and (
        current is None
        or current.payment_mode in (PaymentMode.FREE, PaymentMode.ONLINE)
        or current.status in FINAL_STATUSES
        or current.balance_due <= 0
    ):
        return _("The order owes nothing it would pay with payment details: there are none to send.")
    return None


def current_payment_choice(status: Status | str, payment_mode: PaymentMode | str) -> str:
    """The wizard's payment choice that describes an existing order: on invoice, undecided, or
    "keep" (any other state, which the wizard leaves as it is unless asked)."""
    return {
        (Status.AWAITING_PAYMENT, PaymentMode.INVOICE): "invoice",
        (Status.CART_INCOMPLETE, PaymentMode.UNDEFINED): "undecided",
    }.get((Status(status), PaymentMode(payment_mode)), "keep")


def draft_payment(role: str, *, total_ttc: Decimal, current: OrderFacts | None = None) -> DraftPayment:
    """The payment choices of the wizard for `role`: free when the total is zero; otherwise on
    invoice, undecided, paid offline when this role takes a payment on this order (`current`:
    the order being modified; None: a new organiser order), and keeping the current payment."""
    if _exact(total_ttc) == 0:
        return DraftPayment(("free",), (), current)
    methods = draft_payment_methods(role, current)
    choices = ["invoice"] + (["paid_offline"] if methods else []) + ["undecided"]
    if current is not None and current_payment_choice(current.status, current.payment_mode) == "keep":
        choices.insert(0, "keep")
    return DraftPayment(tuple(choices), methods, current)


def draft_payment_methods(role: str, current: OrderFacts | None) -> tuple[PaymentMethod, ...]:
    """The methods of the wizard's "paid offline": on a new organiser order, or on the order being
    modified in its current state (an invoice order awaiting payment is finance's to validate)."""
    if current is None:
        return payment_methods_for(role, source=Source.ORGANIZER, payment_mode=PaymentMode.UNDEFINED, status=None)
    return payment_methods_for(role, source=current.source, payment_mode=current.payment_mode, status=current.status)
