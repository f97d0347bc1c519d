"""The one answer to "what may this actor do with this order now" (orders_core/order_rules.py):
every role x status x source x payment mode x balance x deleted, against the rules of domain.md
(transitions, rule 1 and its added-tickets exception, rule 13: who confirms which payment)."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest

from orders_core.errors import NotAllowed
from orders_core.i18n import set_locale
from orders_core.order_rules import (
    Action,
    OrderFacts,
    actions_for,
    current_payment_choice,
    draft_payment,
    payment_methods_for,
    require_payment_method,
)
from orders_core.permissions import Actor
from orders_core.status import PaymentMethod, PaymentMode, Source, Status

PEOPLE = ("admin", "event_manager", "finance", "marketer")
ALL_OFFLINE = ("bank_transfer", "cheque", "cash", "card", "other")
BOX_OFFICE = ("cash", "card", "cheque")
NOT_FINAL = {"awaiting_payment", "pending_admin", "pending_online", "cart_incomplete", "failed"}


def facts(status="awaiting_payment", mode="invoice", source="online", total="120.00", paid="0.00", deleted=False):
    return OrderFacts(
        number=1234567,
        status=status,
        payment_mode=mode,
        source=source,
        currency="EUR",
        total_ttc=Decimal(total),
        amount_paid=Decimal(paid),
        deleted=deleted,
    )


def expected_actions(role: str, status: str, mode: str, source: str, owes: bool, deleted: bool) -> set[str]:
    """domain.md written out, one line per action (`owes`: nothing paid; otherwise all of it)."""
    if deleted:
        return {"restore"} if role == "admin" else set()
    managers, money_people = {"admin", "event_manager"}, {"admin", "finance"}
    takes_payment = mode != "online" and (
        role in money_people
        or (role == "event_manager" and source == "organizer" and (status, mode) != ("awaiting_payment", "invoice"))
    )
    rules = {
        "validate": role in money_people and status == "awaiting_payment" and mode != "online",
        "record_payment": status == "paid" and owes and takes_payment,
        "record_refund": role in money_people and not owes,  # issue 20: money was received
        "cancel_tickets": role in money_people and status == "paid",  # issue 20: partial cancellation
        "modify": role in managers and status in NOT_FINAL,
        "add_tickets": role in managers and status == "paid" and source == "organizer",
        "cancel": role in managers | {"finance"} and status in NOT_FINAL,
        "delete": role in managers,
        "restore": False,  # only a deleted order
        "approve": role == "admin" and status == "pending_admin",
        "reject": role == "admin" and status == "pending_admin",
        "confirm_online": False,  # the payment provider's, never a person's
        "mark_failed": role == "admin" and status == "pending_online",
        "send_payment_details": role in managers and status in NOT_FINAL and owes and mode != "free",
        "resend_confirmation": role != "marketer" and status not in {"cart_incomplete", "failed", "cancelled"},
        "resend_tickets": role != "marketer" and status == "paid",
    }
    return {action for action, allowed in rules.items() if allowed}


TABLE = list(
    product(PEOPLE, [s.value for s in Status], ["online", "invoice", "free", "undefined"], ["online", "organizer"])
)


@pytest.mark.parametrize("role,status,mode,source", TABLE)
@pytest.mark.parametrize("owes,deleted", [(True, False), (False, False), (True, True)])
def test_each_role_may_do_exactly_what_the_domain_allows_with_each_order(role, status, mode, source, owes, deleted):
    order = facts(status, mode, source, total="120.00", paid="0.00" if owes else "120.00", deleted=deleted)
    answer = actions_for(order, role)
    assert {a.value for a in answer.allowed} == expected_actions(role, status, mode, source, owes, deleted)
    assert set(answer.why_not) == set(Action) - answer.allowed  # every refusal says why
    assert all(answer.why_not.values())


def test_the_table_names_each_documented_case():
    """A few rows read aloud, so that a change to the rules shows in plain words."""
    cases = [
        ("finance", facts("awaiting_payment", "invoice"), {"validate", "cancel", "resend_confirmation"}),
        (
            "event_manager",
            facts("awaiting_payment", "invoice", "organizer"),
            {"modify", "cancel", "delete", "send_payment_details", "resend_confirmation"},
        ),
        (
            "event_manager",
            facts("paid", "invoice", "organizer", paid="100.00"),
            {"record_payment", "add_tickets", "delete", "resend_confirmation", "resend_tickets"},
        ),
        (
            "event_manager",
            facts("paid", "online", "online", paid="120.00"),
            {"delete", "resend_confirmation", "resend_tickets"},
        ),
        (
            "admin",
            facts("pending_online", "online"),
            {"mark_failed", "modify", "cancel", "delete", "send_payment_details", "resend_confirmation"},
        ),
        (
            "admin",
            facts("pending_admin", "online"),
            {"approve", "reject", "modify", "cancel", "delete", "send_payment_details", "resend_confirmation"},
        ),
        ("marketer", facts("awaiting_payment", "invoice"), set()),
        ("admin", facts("paid", deleted=True), {"restore"}),
    ]
    for role, order, allowed in cases:
        assert {a.value for a in actions_for(order, role).allowed} == allowed, (role, order)


def test_balance_due_is_exact_and_the_banner_is_for_a_paid_order_that_owes():
    owing = actions_for(facts("paid", "invoice", "organizer", total="240.00", paid=0.1 + 0.2 + 119.7), "admin")
    assert owing.balance_due == Decimal("120.00") and owing.owes_after_added_tickets
    assert not actions_for(facts("awaiting_payment"), "admin").owes_after_added_tickets
    assert not actions_for(facts("paid", paid="120.00"), "admin").owes_after_added_tickets


def test_a_final_order_says_what_is_locked_and_what_the_role_can_still_do():
    """Issue 18 item 10: a paid order said "locked" right above "Add a ticket"."""
    set_locale("en")
    final = (
        "This order is “Payment validated”: its status is final, and its lines, buyer and holders cannot be modified."
    )
    online = actions_for(facts("paid", "online", paid="120.00"), "event_manager")
    assert online.notice == final + " You can still send the confirmation again, send the tickets again and delete it."
    assert "was sold online" in online.why_not[Action.ADD_TICKETS]
    organiser = actions_for(facts("paid", "invoice", "organizer", paid="120.00"), "event_manager")
    assert organiser.notice == (
        final + " You can still add tickets (never remove them), send the confirmation again, send the tickets "
        "again and delete it."
    )
    finance = actions_for(facts("paid", "invoice", "organizer", paid="120.00"), "finance")
    assert finance.notice == (
        final + " You can still record a refund, cancel some of its tickets, send the confirmation again and send "
        "the tickets again."
    )
    assert "locked" not in organiser.notice and "locked" not in finance.notice
    marketer = actions_for(facts("cancelled", "invoice", "organizer"), "marketer")
    assert marketer.notice.endswith("Your role can do nothing more with it.")
    set_locale("fr")
    assert actions_for(facts("paid", "invoice", "organizer", paid="120.00"), "finance").notice == (
        "Cette commande est « Paiement validé » : son statut est définitif, ses lignes, son acheteur et ses "
        "porteurs ne peuvent plus être modifiés. Vous pouvez encore enregistrer un remboursement, annuler certains "
        "de ses billets, renvoyer la confirmation et renvoyer les billets."
    )
    set_locale("en")
    deleted = actions_for(facts(deleted=True), "finance")
    assert deleted.notice.startswith("This order is deleted") and deleted.lifecycle_buttons == ()
    assert actions_for(facts("awaiting_payment"), "admin").lifecycle_buttons == (
        Action.VALIDATE,
        Action.CANCEL,
        Action.DELETE,
    )
    assert actions_for(facts("pending_online", "online"), "admin").lifecycle_buttons == (
        Action.MARK_FAILED,
        Action.CANCEL,
        Action.DELETE,
    )


@pytest.mark.parametrize(
    "role,source,mode,status,methods",
    [
        ("admin", "online", "invoice", "awaiting_payment", ALL_OFFLINE),
        ("finance", "organizer", "invoice", "paid", ALL_OFFLINE),
        ("finance", "online", "online", "pending_online", ()),
        ("admin", "online", "online", "pending_admin", ()),
        ("event_manager", "organizer", "undefined", None, BOX_OFFICE),  # the wizard's new order
        ("event_manager", "organizer", "invoice", "paid", BOX_OFFICE),  # balance after added tickets
        ("event_manager", "organizer", "invoice", "awaiting_payment", ()),  # an invoice order: finance's
        ("event_manager", "online", "invoice", "awaiting_payment", ()),
        ("event_manager", "online", "online", "paid", ()),
        ("marketer", "organizer", "invoice", "paid", ()),
        ("system", "online", "online", "pending_online", ("online",)),
        ("system", "online", "invoice", "awaiting_payment", ()),
    ],
)
def test_who_confirms_which_payment_is_one_rule(role, source, mode, status, methods):
    assert payment_methods_for(role, source=source, payment_mode=mode, status=status) == tuple(
        PaymentMethod(m) for m in methods
    )


def test_a_payment_the_role_may_not_confirm_is_refused_with_the_reason():
    set_locale("en")
    manager = Actor("m@example.org", "event_manager")
    kwargs = dict(number=1234567, source="organizer", payment_mode="invoice", status="paid")
    require_payment_method(manager, "cash", **kwargs)
    with pytest.raises(NotAllowed, match="Your role records Cash, Card, Cheque on order 1234567, not Bank transfer"):
        require_payment_method(manager, "bank_transfer", **kwargs)
    with pytest.raises(NotAllowed, match="Your role does not confirm the payment of order 1234567"):
        require_payment_method(manager, "cash", **{**kwargs, "status": "awaiting_payment"})
    with pytest.raises(NotAllowed, match="only the payment provider confirms it"):
        require_payment_method(Actor("a@example.org", "admin"), "online", **{**kwargs, "payment_mode": "online"})
    require_payment_method(Actor("provider", "system"), "online", **{**kwargs, "payment_mode": "online"})


def test_the_wizard_offers_paid_offline_only_to_who_takes_the_payment_and_never_payment_details_when_paid():
    assert draft_payment("admin", total_ttc=Decimal("0")).choices == ("free",)
    assert draft_payment("event_manager", total_ttc=Decimal("10")).choices == ("invoice", "paid_offline", "undecided")
    assert draft_payment("event_manager", total_ttc=Decimal("10")).methods == tuple(
        PaymentMethod(m) for m in BOX_OFFICE
    )
    awaiting_invoice = facts("awaiting_payment", "invoice", "organizer")
    assert draft_payment("event_manager", total_ttc=Decimal("10"), current=awaiting_invoice).choices == (
        "invoice",
        "undecided",
    )
    assert draft_payment("finance", total_ttc=Decimal("10"), current=awaiting_invoice).choices == (
        "invoice",
        "paid_offline",
        "undecided",
    )
    pending = facts("pending_online", "online")
    assert draft_payment("admin", total_ttc=Decimal("10"), current=pending).choices == ("keep", "invoice", "undecided")
    offer = draft_payment("admin", total_ttc=Decimal("10"))
    assert [offer.may_send_payment_details(c) for c in ("invoice", "paid_offline", "undecided", "free")] == [
        True,
        False,
        True,
        False,
    ]


def test_an_existing_order_opens_the_wizard_on_its_own_payment_choice():
    assert current_payment_choice(Status.AWAITING_PAYMENT, PaymentMode.INVOICE) == "invoice"
    assert current_payment_choice("cart_incomplete", "undefined") == "undecided"
    assert current_payment_choice("pending_online", "online") == "keep"
    assert current_payment_choice(Status.FAILED, PaymentMode.ONLINE) == "keep"


def test_facts_take_plain_strings_and_floats_from_the_database():
    order = facts("paid", "free", Source.ORGANIZER, total="0", paid="0")
    assert order.status is Status.PAID and order.payment_mode is PaymentMode.FREE and not order.editable
    assert OrderFacts(1, "paid", "invoice", "online", "EUR", 10.1, 0.1).balance_due == Decimal("10.00")


def test_payment_details_are_offered_only_for_an_order_that_will_owe_money():
    """Issue 18 item 10: "send the payment details" was offered on a free order."""
    set_locale("en")
    free_pending = facts("pending_admin", "free", "organizer", total="0.00")
    keeping = draft_payment("admin", total_ttc=Decimal("10"), current=free_pending)
    assert "keep" in keeping.choices and not keeping.may_send_payment_details("keep")
    owing = draft_payment("admin", total_ttc=Decimal("10"), current=facts("pending_admin", "invoice", "organizer"))
    assert owing.may_send_payment_details("keep") and owing.may_send_payment_details("invoice")
    assert not draft_payment("admin", total_ttc=Decimal("0")).may_send_payment_details("free")
