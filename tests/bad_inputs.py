"""The bad-input battery's data: one small world of rows every write service can aim at, and the
cases (service, arguments with one bad value, the message the user must read).

Each case starts from valid arguments and spoils one of them, so the refusal is the bad value's
and not a missing or unrelated argument's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import Attendee, BankTransaction
from orders_core.permissions import Actor
from orders_core.reconciliation import decisions
from orders_core.reconciliation import service as reconciliation
from orders_core.services import (
    cancellations,
    catalogue,
    codes,
    email_templates,
    emails,
    erasure,
    expiry,
    follow_ups,
    forms,
    ledger,
    lifecycle,
    notes,
    order_changes,
    order_creation,
    preferences,
    refunds,
    reminders,
    saved_views,
    seat_plans,
    tariffs,
    tickets,
    users,
    validation,
    validation_jobs,
    wizard_drafts,
)
from tests.factories import make_code, make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")
STATEMENT = (Path(__file__).resolve().parent / "fixtures" / "statement.csv").read_bytes()
TODAY = datetime.now(UTC).date()
LATER = datetime.now(UTC) + timedelta(days=60)

NUL = "Ada\x00Lovelace"
OTHER_MANAGER = Actor("other.manager@example.org", "event_manager")
OTHER_DRAFT = "another-users-draft-token"
LONG = "x" * 100_000
BLANK = "   "
HUGE = 10**20
ANYWHERE = 10**9  # a quantity that would exhaust memory as badges


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(engine) -> World:
    """An event with a tariff, a code, a template, a form field, a saved view, an account, orders
    in each status a service acts on, a queued email and an imported bank statement."""
    world = World()
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        code = make_code(session, event)
        awaiting = make_order(
            session, event, [(badge, 1)], status="awaiting_payment", payment_mode="invoice", due_date=TODAY
        )
        paid = make_order(session, event, [(badge, 1)], status="paid", source="organizer", notes="2026-11-20: VIP")
        pending_admin = make_order(session, event, [(badge, 1)], status="pending_admin")
        pending_online = make_order(session, event, [(badge, 1)], status="pending_online")
        world.ids.update(
            event=event.id,
            tariff=badge.id,
            code=code.id,
            awaiting=awaiting.id,
            paid=paid.id,
            pending_admin=pending_admin.id,
            pending_online=pending_online.id,
        )
    with unit_of_work(engine) as session:
        world.ids["template"] = email_templates.create_template(
            session, actor=ADMIN, event_id=world.event, kind="order_confirmation", language="en",
            name="Thanks", subject="Your order", body="Hello", is_html=False,
        ).id  # fmt: skip
        world.ids["field"] = forms.add_field(
            session, actor=ADMIN, event_id=world.event, form="buyer", field_type="text",
            label_en="Diet", label_fr="Régime",
        ).id  # fmt: skip
        world.ids["view"] = saved_views.save_view(session, actor=ADMIN, page="orders", name="Mine", params={})
        # A balance for record_balance_payment: a badge added to the paid order, as the desk does.
        order_changes.add_tickets(
            session, actor=ADMIN, order_id=world.paid, tariff_id=world.tariff, quantity=1, reason_note="One more"
        )
        world.ids["email"] = emails.resend_confirmation(session, actor=ADMIN, order_id=world.paid).id
        world.ids["attendee"] = session.scalars(
            select(Attendee.id).where(Attendee.order_id == world.paid).order_by(Attendee.id)
        ).first()
        result = reconciliation.import_statement(session, actor=ADMIN, filename="s.csv", content=STATEMENT)
        world.ids["statement"] = result.statement_id
        world.ids["transaction"] = session.scalars(
            select(BankTransaction.id).where(BankTransaction.statement_id == result.statement_id).order_by("id")
        ).first()
    with unit_of_work(engine) as session:  # someone else's wizard draft (issue 18)
        wizard_drafts.save_draft(session, actor=OTHER_MANAGER, token=OTHER_DRAFT, state='{"step": 2}')
    from tests.accounts import add_account

    world.ids["user"] = add_account(engine, "clerk@example.org", "finance", "a long pass phrase of words")
    return world


HOLDERS = [{"first_name": "Grace", "last_name": "Hopper", "email": ""}]


def _buyer(**overrides) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", **overrides}


# service name -> (function, valid arguments built from the world)
SERVICES: dict[str, tuple[Any, Any]] = {
    "erase_buyer": (erasure.erase_buyer, lambda w: dict(email="nobody@example.org", reason="Asked by email")),
    "create_event": (catalogue.create_event, lambda w: dict(name="Gala", starts_at=LATER)),
    "update_event": (catalogue.update_event, lambda w: dict(event_id=w.event, name="Gala")),
    "archive_event": (catalogue.archive_event, lambda w: dict(event_id=w.event, reason="over")),
    "add_seats": (
        seat_plans.add_seats,
        lambda w: dict(event_id=w.event, section="A", rows="1-2", seats_per_row=10),
    ),
    "remove_seats": (seat_plans.remove_seats, lambda w: dict(event_id=w.event, section="A")),
    "create_code": (codes.create_code, lambda w: dict(event_id=w.event, code="NEW10", percent_off="10")),
    "update_code": (codes.update_code, lambda w: dict(code_id=w.code, percent_off="15")),
    "set_code_active": (codes.set_code_active, lambda w: dict(code_id=w.code, active=False)),
    "delete_code": (codes.delete_code, lambda w: dict(code_id=w.code)),
    "create_template": (
        email_templates.create_template,
        lambda w: dict(event_id=w.event, kind="order_confirmation", language="fr", name="Merci", subject="S", body="B"),
    ),
    "update_template": (
        email_templates.update_template,
        lambda w: dict(
            template_id=w.template,
            event_id=w.event,
            kind="order_confirmation",
            language="en",
            name="T",
            subject="S",
            body="B",
        ),
    ),
    "delete_template": (email_templates.delete_template, lambda w: dict(template_id=w.template)),
    "resend_confirmation": (emails.resend_confirmation, lambda w: dict(order_id=w.paid)),
    "set_reminder_ladder": (
        reminders.set_reminder_ladder,
        lambda w: dict(event_id=w.event, steps={"due_soon": (True, -3), "first": (True, 1)}),
    ),
    "send_next_reminder": (reminders.send_next_reminder, lambda w: dict(order_id=w.awaiting)),
    "send_due_reminder": (reminders.send_due_reminder, lambda w: dict(order_id=w.awaiting)),
    "pause_reminders": (
        reminders.pause_reminders,
        lambda w: dict(order_id=w.awaiting, until=TODAY + timedelta(days=10), note="promised to pay"),
    ),
    "resume_reminders": (reminders.resume_reminders, lambda w: dict(order_id=w.awaiting)),
    "resend_tickets": (emails.resend_tickets, lambda w: dict(order_id=w.paid)),
    "retry_email": (emails.retry_email, lambda w: dict(email_id=w.email)),
    "retry_emails": (emails.retry_emails, lambda w: dict(email_ids=[w.email])),
    "add_field": (
        forms.add_field,
        lambda w: dict(event_id=w.event, form="buyer", field_type="text", label_en="Size", label_fr="Taille"),
    ),
    "edit_field": (
        forms.edit_field,
        lambda w: dict(field_id=w.field, label_en="Diet", label_fr="Régime", required=False),
    ),
    "move_field": (forms.move_field, lambda w: dict(field_id=w.field, offset=1)),
    "set_field_active": (forms.set_field_active, lambda w: dict(field_id=w.field, active=False)),
    "approve_order": (
        lifecycle.approve_order,
        lambda w: dict(order_id=w.pending_admin, method="bank_transfer", received_at=TODAY, reference="R"),
    ),
    "reject_order": (lifecycle.reject_order, lambda w: dict(order_id=w.pending_admin, reason="no")),
    "cancel_orders": (lifecycle.cancel_orders, lambda w: dict(order_ids=[w.awaiting], reason="duplicate")),
    "expire_order": (expiry.expire_order, lambda w: dict(order_id=w.awaiting)),
    "delete_orders": (lifecycle.delete_orders, lambda w: dict(order_ids=[w.awaiting], reason="duplicate")),
    "restore_order": (lifecycle.restore_order, lambda w: dict(order_id=w.awaiting, reason="oops")),
    "mark_failed": (lifecycle.mark_failed, lambda w: dict(order_id=w.pending_online, reason="107")),
    "confirm_online": (lifecycle.confirm_online, lambda w: dict(order_id=w.pending_online, reference="PSP 1")),
    "add_tickets": (
        order_changes.add_tickets,
        lambda w: dict(order_id=w.paid, tariff_id=w.tariff, quantity=1, reason_note="2026-11-21: one more"),
    ),
    "modify_order": (
        order_changes.modify_order,
        lambda w: dict(
            order_id=w.awaiting, expected_version=None, quantities={w.tariff: 1}, buyer=_buyer(), holders=HOLDERS
        ),
    ),
    "record_balance_payment": (
        order_changes.record_balance_payment,
        lambda w: dict(order_id=w.paid, method="cheque", amount="10.00", received_at=TODAY),
    ),
    "create_order": (
        order_creation.create_order,
        lambda w: dict(event_id=w.event, quantities={w.tariff: 1}, buyer=_buyer(), holders=HOLDERS),
    ),
    "confirm_payment": (
        ledger.confirm_payment,
        lambda w: dict(order_id=w.awaiting, method="cheque", amount="10.00", received_at=TODAY, reference="C"),
    ),
    "refund_excess": (
        refunds.refund_excess,
        lambda w: dict(order_ids=[w.paid], method="cheque", refunded_at=TODAY, reason="Paid twice"),
    ),
    "cancel_tickets": (
        cancellations.cancel_tickets,
        lambda w: dict(order_id=w.paid, item_ids=[1], reason="Cannot come"),
    ),
    "change_holder": (
        tickets.change_holder,
        lambda w: dict(attendee_id=w.attendee, first_name="Katherine", last_name="Johnson"),
    ),
    "record_refund": (
        refunds.record_refund,
        lambda w: dict(order_id=w.paid, method="cheque", amount="1.00", refunded_at=TODAY, reason="Goodwill"),
    ),
    "set_timezone": (preferences.set_timezone, lambda w: dict(timezone="Europe/Paris")),
    "save_view": (saved_views.save_view, lambda w: dict(page="orders", name="Theirs", params={})),
    "delete_view": (saved_views.delete_view, lambda w: dict(view_id=w.view)),
    "save_draft": (wizard_drafts.save_draft, lambda w: dict(token="a-draft-token-of-the-admin", state='{"step": 1}')),
    "discard_draft": (wizard_drafts.discard_draft, lambda w: dict(token="a-draft-token-of-the-admin")),
    "create_tariff": (
        tariffs.create_tariff,
        lambda w: dict(event_id=w.event, kind="ticket", name="Day", unit_price_ht="10", tax_rate="20"),
    ),
    "update_tariff": (tariffs.update_tariff, lambda w: dict(tariff_id=w.tariff, name="Badge")),
    "set_tariff_active": (tariffs.set_tariff_active, lambda w: dict(tariff_id=w.tariff, active=False)),
    "delete_tariff": (tariffs.delete_tariff, lambda w: dict(tariff_id=w.tariff)),
    "add_user": (
        users.add_user,
        lambda w: dict(email="new@example.org", role="marketer", password="another long pass phrase"),
    ),
    "change_role": (users.change_role, lambda w: dict(user_id=w.user, role="marketer")),
    "deactivate_user": (users.deactivate_user, lambda w: dict(user_id=w.user)),
    "reactivate_user": (users.reactivate_user, lambda w: dict(user_id=w.user)),
    "reset_password": (users.reset_password, lambda w: dict(user_id=w.user, password="a new long pass phrase")),
    "set_event_scope": (users.set_event_scope, lambda w: dict(user_id=w.user, event_ids=[w.event])),
    "validate_orders": (
        validation.validate_orders,
        lambda w: dict(order_ids=[w.awaiting], method="bank_transfer", received_at=TODAY, reference="VIR"),
    ),
    "start_validation": (
        validation_jobs.start_validation,
        lambda w: dict(order_ids=[w.awaiting], method="bank_transfer", received_at=TODAY, reference="VIR"),
    ),
    "import_statement": (
        reconciliation.import_statement,
        lambda w: dict(filename="s2.csv", content=STATEMENT.replace(b"240,00", b"241,00")),
    ),
    "confirm_match": (
        reconciliation.confirm_match,
        lambda w: dict(transaction_id=w.transaction, allocations=[(w.awaiting, Decimal("120.00"))]),
    ),
    "reclassify_statement": (decisions.reclassify_statement, lambda w: dict(statement_id=w.statement)),
    "confirm_line": (decisions.confirm_line, lambda w: dict(transaction_id=w.transaction)),
    "confirm_refund_line": (decisions.confirm_refund_line, lambda w: dict(transaction_id=w.transaction)),
    "confirm_decided": (decisions.confirm_decided, lambda w: dict(statement_id=w.statement)),
    "ignore_transaction": (
        reconciliation.ignore_transaction,
        lambda w: dict(transaction_id=w.transaction, comment="fee"),
    ),
    "set_follow_up": (
        follow_ups.set_follow_up,
        lambda w: dict(order_id=w.awaiting, on=TODAY, note="Promised to pay on the 15th"),
    ),
    "clear_follow_up": (follow_ups.clear_follow_up, lambda w: dict(order_id=w.awaiting)),
    "add_note": (notes.add_note, lambda w: dict(order_id=w.awaiting, text="Called the buyer: pays on Friday")),
}


NAN, INF, E400 = "NaN", "Infinity", "1e400"

# (service, the one bad argument (or a function of the world giving it), what the user reads)
CASES: list[tuple[str, Any, str]] = [
    ("erase_buyer", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("erase_buyer", dict(email="not an address"), "Type the buyer's email address."),
    ("create_event", dict(name=NUL), "The name contains a NUL character, which cannot be stored."),
    ("set_event_scope", dict(event_ids=["abc"]), "“abc” is not an event id."),
    ("set_event_scope", dict(event_ids=[HUGE]), "“100000000000000000000” is not an event id."),
    ("set_event_scope", dict(event_ids=[]), "Choose at least one event, or every event."),
    ("set_event_scope", dict(event_ids=[NUL]), "is not an event id."),
    ("set_event_scope", dict(user_id="abc"), "No user with the id abc."),
    ("create_event", dict(name=LONG), "The event name is too long (200 characters at most)."),
    ("create_event", dict(name=BLANK), "The event needs a name."),
    ("create_event", dict(bank_details=LONG), "The bank details text is too long: 100000 characters, at most 10000."),
    ("create_event", dict(bank_details=NUL), "The bank details text contains a NUL character, which cannot be stored."),
    (
        "create_event",
        dict(timezone=NUL),
        "'Ada\u0000Lovelace' is not a known time zone (e.g. Europe/Paris, America/Montreal).",
    ),
    ("create_event", dict(currency=NUL), "'Ada\u0000Lovelace' is not an ISO 4217 currency code (e.g. EUR, CAD, CHF)."),
    ("update_event", dict(event_id="abc"), "Event abc does not exist."),
    ("update_event", dict(event_id=HUGE), "Event 100000000000000000000 does not exist."),
    ("update_event", dict(name=NUL), "The name contains a NUL character, which cannot be stored."),
    ("update_event", dict(reason=LONG), "The reason is too long: 100000 characters, at most 10000."),
    ("archive_event", dict(event_id=HUGE), "Event 100000000000000000000 does not exist."),
    ("archive_event", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("add_seats", dict(section=NUL), "letters, digits and spaces"),
    ("add_seats", dict(section=LONG), "letters, digits and spaces"),
    ("add_seats", dict(rows=LONG), "is not a row"),
    ("add_seats", dict(rows=BLANK), "Give the rows"),
    ("add_seats", dict(seats_per_row=HUGE), "Seats per row must be between 1 and 500."),
    ("add_seats", dict(seats_per_row="many"), "Seats per row must be a whole number."),
    ("add_seats", dict(first_number=-1), "The first seat number must be between 1 and 9999."),
    ("add_seats", dict(event_id=HUGE), "Event 100000000000000000000 does not exist."),
    ("add_seats", dict(reason=NUL), "The reason is too long or holds invalid characters"),
    ("add_seats", dict(section="A"), "is not seated"),
    ("remove_seats", dict(section=BLANK), "Name the section"),
    ("remove_seats", dict(rows="9-1"), "not a range"),
    ("remove_seats", dict(event_id="abc"), "Event abc does not exist."),
    ("create_code", dict(percent_off=NAN), "Percent off: 'NaN' is not a number."),
    ("create_code", dict(percent_off=INF), "Percent off: 'Infinity' is not a number."),
    ("create_code", dict(percent_off=E400), "Percent off: 1e400 is too large."),
    ("create_code", dict(percent_off="abc"), "Percent off: 'abc' is not a number."),
    ("create_code", dict(percent_off=HUGE), "Percent off: 100000000000000000000 is too large."),
    ("create_code", dict(percent_off=float("nan")), "Percent off: 'nan' is not a number."),
    ("create_code", dict(percent_off=None, amount_off=HUGE), "Amount off: 100000000000000000000 is too large."),
    ("create_code", dict(percent_off=None, amount_off=-1), "A fixed amount off must be more than zero."),
    ("create_code", dict(max_uses=HUGE), "The usage limit must be a whole number of at least 1 (empty for unlimited)."),
    (
        "create_code",
        dict(max_uses="abc"),
        "The usage limit must be a whole number of at least 1 (empty for unlimited).",
    ),
    ("create_code", dict(tariff_ids="18"), "Some selected tariffs do not belong to this event."),
    ("create_code", dict(code=NUL), "A code is 1 to 64 letters, digits, '-' or '_' (no spaces or accents)."),
    ("create_code", dict(event_id="abc"), "Event abc does not exist."),
    ("update_code", dict(percent_off=NAN), "Percent off: 'NaN' is not a number."),
    ("update_code", dict(code_id="abc"), "Discount code abc does not exist."),
    ("update_code", dict(code_id=HUGE), "Discount code 100000000000000000000 does not exist."),
    ("update_code", dict(tariff_ids="18"), "Some selected tariffs do not belong to this event."),
    ("set_code_active", dict(code_id=HUGE), "Discount code 100000000000000000000 does not exist."),
    ("set_code_active", dict(reason=LONG), "The reason is too long: 100000 characters, at most 10000."),
    ("delete_code", dict(code_id="abc"), "Discount code abc does not exist."),
    ("delete_code", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("create_template", dict(name=LONG), "The name is too long (200 characters at most)."),
    ("create_template", dict(name=BLANK), "The template needs a name."),
    ("create_template", dict(name=NUL), "The name contains a NUL character, which cannot be stored."),
    ("create_template", dict(subject=NUL), "The subject contains a NUL character, which cannot be stored."),
    ("create_template", dict(subject=LONG), "The subject is too long (300 characters at most)."),
    ("create_template", dict(body=NUL), "The body contains a NUL character, which cannot be stored."),
    ("create_template", dict(event_id=HUGE), "This event does not exist."),
    ("update_template", dict(template_id=HUGE), "This email template does not exist (any more)."),
    ("update_template", dict(template_id="abc"), "This email template does not exist (any more)."),
    ("delete_template", dict(template_id="abc"), "This email template does not exist (any more)."),
    ("resend_confirmation", dict(order_id="abc"), "This order does not exist."),
    ("set_reminder_ladder", dict(event_id=HUGE), "This event does not exist."),
    ("set_reminder_ladder", dict(steps="every day"), "not a list of steps"),
    ("set_reminder_ladder", dict(steps={"first": (True, HUGE)}), "between -60 and 365"),
    ("set_reminder_ladder", dict(steps={"first": (True, NUL)}), "whole number"),
    ("set_reminder_ladder", dict(steps={"first": "on"}), "not a list of steps"),
    ("send_next_reminder", dict(order_id="abc"), "This order does not exist."),
    ("send_next_reminder", dict(order_id=HUGE), "This order does not exist."),
    ("send_due_reminder", dict(order_id=HUGE), "This order does not exist."),
    ("pause_reminders", dict(order_id=HUGE), "This order does not exist."),
    ("pause_reminders", dict(note=NUL), "NUL character"),
    ("pause_reminders", dict(note=LONG), "too long"),
    ("pause_reminders", dict(note=BLANK), "The note is required."),
    ("pause_reminders", dict(until="the 15th"), "Give the date"),
    ("pause_reminders", dict(until=TODAY - timedelta(days=30)), "today or later"),
    ("pause_reminders", dict(until=TODAY + timedelta(days=4000)), "at most one year"),
    ("resume_reminders", dict(order_id="abc"), "This order does not exist."),
    ("resume_reminders", dict(), "not paused"),
    ("resend_confirmation", dict(order_id=HUGE), "This order does not exist."),
    ("resend_confirmation", dict(template_id=HUGE), "This email template does not exist (any more)."),
    ("resend_tickets", dict(order_id=HUGE), "This order does not exist."),
    ("retry_email", dict(email_id=HUGE), "This email does not exist."),
    ("retry_email", dict(email_id="abc"), "This email does not exist."),
    ("retry_emails", dict(email_ids="18"), "This email does not exist."),
    ("retry_emails", dict(email_ids=[HUGE]), "“100000000000000000000” is not an email id."),
    ("retry_emails", dict(email_ids=["abc"]), "“abc” is not an email id."),
    ("add_field", dict(label_en=NUL), "The English label contains a NUL character, which cannot be stored."),
    ("add_field", dict(label_en=LONG), "A label is too long (200 characters at most)."),
    ("add_field", dict(label_en=BLANK), "A field needs a label in English and in French."),
    ("add_field", dict(field_type="select", options=[LONG]), "A choice field needs at least two options."),
    ("add_field", dict(field_type="select", options="ab"), "A choice field needs at least two options."),
    (
        "add_field",
        dict(field_type="select", options=["a | A | A | x", "b"]),
        "An option is “value | English label | French label”: “a | A | A | x” has too many parts.",
    ),
    (
        "add_field",
        dict(field_type="select", options=["| Gluten-free", "b"]),
        "An option needs a value before its labels: “| Gluten-free”.",
    ),
    ("add_field", dict(event_id=HUGE), "Event 100000000000000000000 does not exist."),
    ("edit_field", dict(field_id=HUGE), "Form field 100000000000000000000 does not exist."),
    ("edit_field", dict(label_fr=NUL), "The French label contains a NUL character, which cannot be stored."),
    ("move_field", dict(offset=HUGE), "The move must be between -1000 and 1000."),
    ("move_field", dict(offset="abc"), "The move must be a whole number."),
    ("set_field_active", dict(field_id="abc"), "Form field abc does not exist."),
    ("approve_order", dict(order_id="abc"), "“abc” is not an order id."),
    ("approve_order", dict(order_id=HUGE), "“100000000000000000000” is not an order id."),
    ("approve_order", dict(reference=LONG), "The reference is too long: 100000 characters, at most 200."),
    ("approve_order", dict(reference=NUL), "The reference contains a NUL character, which cannot be stored."),
    ("reject_order", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("cancel_orders", dict(order_ids="18"), "Unknown order id: 18. Nothing was changed."),
    ("cancel_orders", dict(order_ids=[HUGE]), "“100000000000000000000” is not an order id."),
    ("cancel_orders", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("cancel_orders", dict(reason=LONG), "The reason is too long: 100000 characters, at most 2000."),
    ("cancel_orders", dict(reason=BLANK), "The reason is required."),
    ("expire_order", dict(order_id="abc"), "“abc” is not an order id."),
    ("expire_order", dict(order_id=HUGE), "“100000000000000000000” is not an order id."),
    ("update_event", dict(payment_terms_days=-1), "Days after the order must be between 0 and 3650."),
    ("update_event", dict(payment_due_days_before_event=NAN), "Days before the event must be a whole number."),
    (
        "update_event",
        dict(payment_terms_days=30, expire_after_days=HUGE),
        "Days past due before an unpaid order is cancelled must be between 0 and 3650.",
    ),
    ("create_event", dict(expire_after_days=3), "Cancelling unpaid orders past due needs a due date"),
    ("delete_orders", dict(order_ids="18"), "Unknown order id: 18. Nothing was changed."),
    ("delete_orders", dict(order_ids=["²"]), "“²” is not an order id."),
    ("restore_order", dict(order_id=HUGE), "“100000000000000000000” is not an order id."),
    ("mark_failed", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("confirm_online", dict(reference=LONG), "The reference is too long: 100000 characters, at most 200."),
    ("confirm_online", dict(order_id="abc"), "“abc” is not an order id."),
    ("add_tickets", dict(quantity=ANYWHERE), "A quantity must be between 0 and 1000."),
    ("add_tickets", dict(quantity=-1), "A quantity must be between 0 and 1000."),
    ("add_tickets", dict(quantity="abc"), "A quantity must be a whole number."),
    ("add_tickets", dict(quantity=float("inf")), "A quantity must be a whole number."),
    ("add_tickets", dict(reason_note=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("add_tickets", dict(reason_note=LONG), "The reason is too long: 100012 characters, at most 10000."),
    ("add_tickets", dict(tariff_id=HUGE), "Tariff 100000000000000000000 does not exist."),
    ("modify_order", lambda w: dict(quantities={w.tariff: ANYWHERE}), "Quantities must be whole numbers."),
    (
        "modify_order",
        lambda w: dict(quantities={w.tariff: 1}, buyer=_buyer(first_name=NUL)),
        "The buyer's first name contains a NUL character, which cannot be stored.",
    ),
    (
        "modify_order",
        lambda w: dict(quantities={w.tariff: 1}, buyer=_buyer(last_name=LONG)),
        "is too long (100 characters at most).",
    ),
    ("modify_order", dict(order_id=HUGE), "Order 100000000000000000000 does not exist or has been deleted."),
    ("record_balance_payment", dict(amount=NAN), "“NaN” is not an amount."),
    ("record_balance_payment", dict(amount=INF), "“Infinity” is not an amount."),
    ("record_balance_payment", dict(amount=E400), "The amount: 1e400 is too large."),
    ("record_balance_payment", dict(amount=HUGE), "The amount: 100000000000000000000 is too large."),
    ("record_balance_payment", dict(reference=NUL), "The reference contains a NUL character, which cannot be stored."),
    ("create_order", lambda w: dict(quantities={w.tariff: ANYWHERE}), "Quantities must be whole numbers."),
    ("create_order", lambda w: dict(quantities={w.tariff: "abc"}), "Quantities must be whole numbers."),
    ("create_order", lambda w: dict(quantities={w.tariff: E400}), "Quantities must be whole numbers."),
    ("create_order", dict(quantities={"abc": 1}), "Tariff abc does not exist."),
    ("create_order", dict(quantities={HUGE: 1}), "Tariff 100000000000000000000 does not exist."),
    ("create_order", dict(event_id=HUGE), "Event 100000000000000000000 does not exist."),
    (
        "create_order",
        lambda w: dict(buyer=_buyer(first_name=NUL)),
        "The buyer's first name contains a NUL character, which cannot be stored.",
    ),
    ("create_order", lambda w: dict(buyer=_buyer(last_name=LONG)), "is too long (100 characters at most)."),
    ("create_order", lambda w: dict(buyer=_buyer(email=BLANK)), "The buyer's email is mandatory."),
    ("create_order", lambda w: dict(buyer=_buyer(company_name=LONG)), "is too long (200 characters at most)."),
    ("create_order", dict(codes=[LONG]), "does not exist for this event."),
    ("create_order", dict(codes=[NUL]), "The text contains a NUL character, which cannot be stored or searched."),
    ("confirm_payment", dict(amount=NAN), "“NaN” is not an amount."),
    ("confirm_payment", dict(amount=INF), "“Infinity” is not an amount."),
    ("confirm_payment", dict(amount=E400), "The amount: 1e400 is too large."),
    ("confirm_payment", dict(amount=HUGE), "The amount: 100000000000000000000 is too large."),
    ("cancel_tickets", dict(reason=""), "The reason is required."),
    ("cancel_tickets", dict(reason=NUL), "The reason contains a NUL character, which cannot be stored."),
    ("cancel_tickets", dict(item_ids=["x"]), "“x” is not a ticket id."),
    ("cancel_tickets", dict(item_ids=[HUGE]), "“100000000000000000000” is not a ticket id."),
    ("cancel_tickets", dict(item_ids=[], products={"x": 1}), "“x” is not an order line id."),
    ("cancel_tickets", dict(item_ids=[999999]), "is not in order"),
    ("cancel_tickets", dict(order_id="x"), "“x” is not an order id."),
    ("change_holder", dict(attendee_id="x"), "This attendee does not exist."),
    ("change_holder", dict(attendee_id=HUGE), "This attendee does not exist."),
    ("change_holder", dict(first_name=NUL), "The first name contains a NUL character, which cannot be stored."),
    ("change_holder", dict(last_name=LONG), "The last name is too long: 100000 characters, at most 100."),
    ("change_holder", dict(last_name=BLANK), "The last name is required."),
    ("change_holder", dict(email="not-an-email"), "is not a valid email address."),
    ("record_refund", dict(amount=NAN), "“NaN” is not an amount."),
    ("record_refund", dict(amount=HUGE), "The amount: 100000000000000000000 is too large."),
    ("record_refund", dict(amount="-1"), "The amount must be more than zero."),
    ("record_refund", dict(reason=""), "The reason is required."),
    ("refund_excess", dict(reason=""), "The reason is required."),
    ("refund_excess", dict(order_ids=["x"]), "“x” is not an order id."),
    ("refund_excess", dict(method="online"), "“online” is not a payment method that can be recorded here."),
    ("confirm_payment", dict(amount="-1"), "The amount must be more than zero."),
    ("confirm_payment", dict(amount="abc"), "“abc” is not an amount."),
    ("confirm_payment", dict(reference=NUL), "The reference contains a NUL character, which cannot be stored."),
    ("confirm_payment", dict(reference=LONG), "The reference is too long: 100000 characters, at most 200."),
    ("confirm_payment", dict(order_id="18"), "Unknown order id: 18. Nothing was changed."),
    ("confirm_payment", dict(order_id=HUGE), "“100000000000000000000” is not an order id."),
    ("set_timezone", dict(timezone=NUL), "“Ada\u0000Lovelace” is not a time zone."),
    ("set_timezone", dict(timezone=LONG), "is not a time zone."),
    ("save_view", dict(name=NUL), "The text contains a NUL character, which cannot be stored or searched."),
    ("save_view", dict(name=LONG), "A view name has at most 100 characters."),
    ("save_view", dict(name=BLANK), "Give the view a name."),
    ("save_view", dict(page=LONG), "The page is too long: 100000 characters, at most 60."),
    ("delete_view", dict(view_id="abc"), "This view no longer exists."),
    ("delete_view", dict(view_id=HUGE), "This view no longer exists."),
    ("save_draft", dict(token=NUL), "This draft no longer exists."),
    ("save_draft", dict(token=LONG), "This draft no longer exists."),
    ("save_draft", dict(token=OTHER_DRAFT), "This draft no longer exists."),
    ("save_draft", dict(state=NUL), "The draft is not a wizard's progress."),
    ("save_draft", dict(state="[1, 2]"), "The draft is not a wizard's progress."),
    ("save_draft", dict(state="{" + LONG * 3 + "}"), "The draft is too large to be kept."),
    ("save_draft", dict(state=HUGE), "The draft is not a wizard's progress."),
    ("save_draft", dict(order_id="abc"), "“abc” is not an order id."),
    ("save_draft", dict(order_id=HUGE), "is not an order id."),
    ("save_draft", dict(order_id=999_999), "Unknown order id: 999999. Nothing was changed."),
    ("save_draft", lambda w: dict(token=OTHER_DRAFT, order_id=w.awaiting), "This draft no longer exists."),
    ("discard_draft", dict(token="abc"), "This draft no longer exists."),
    ("discard_draft", dict(order_id=[1]), "is not an order id."),
    ("discard_draft", dict(token=HUGE), "This draft no longer exists."),
    ("create_tariff", dict(name=NUL), "The name contains a NUL character, which cannot be stored."),
    ("create_tariff", dict(name=LONG), "The tariff name is too long (200 characters at most)."),
    ("create_tariff", dict(name=BLANK), "The tariff needs an English name."),
    ("create_tariff", dict(unit_price_ht=NAN), "Price excl. tax: 'NaN' is not a number."),
    ("create_tariff", dict(unit_price_ht=INF), "Price excl. tax: 'Infinity' is not a number."),
    ("create_tariff", dict(unit_price_ht=E400), "Price excl. tax: 1e400 is too large."),
    ("create_tariff", dict(unit_price_ht=HUGE), "Price excl. tax: 100000000000000000000 is too large."),
    ("create_tariff", dict(unit_price_ht=-1), "The price excluding tax cannot be negative."),
    ("create_tariff", dict(tax_rate=NAN), "Tax rate: 'NaN' is not a number."),
    ("create_tariff", dict(capacity=HUGE), "The capacity must be a whole number, zero or more (empty for unlimited)."),
    ("create_tariff", dict(capacity="abc"), "The capacity must be a whole number, zero or more (empty for unlimited)."),
    ("create_tariff", dict(capacity=-1), "The capacity must be a whole number, zero or more (empty for unlimited)."),
    ("update_tariff", dict(tariff_id="abc"), "Tariff abc does not exist."),
    ("update_tariff", dict(tariff_id=HUGE), "Tariff 100000000000000000000 does not exist."),
    ("update_tariff", dict(name_fr=NUL), "The French name contains a NUL character, which cannot be stored."),
    ("set_tariff_active", dict(tariff_id=HUGE), "Tariff 100000000000000000000 does not exist."),
    ("delete_tariff", dict(tariff_id="abc"), "Tariff abc does not exist."),
    ("add_user", dict(email=NUL), "'ada\u0000lovelace' is not a valid email address."),
    ("add_user", dict(email=LONG), "is not a valid email address."),
    ("add_user", dict(full_name=LONG), "The full name is too long: 100000 characters, at most 200."),
    ("add_user", dict(full_name=NUL), "The full name contains a NUL character, which cannot be stored."),
    ("add_user", dict(password=LONG), "The password may have at most 1,024 characters."),
    ("change_role", dict(user_id="abc"), "No user with the id abc."),
    ("change_role", dict(user_id=HUGE), "No user with the id 100000000000000000000."),
    ("deactivate_user", dict(user_id=HUGE), "No user with the id 100000000000000000000."),
    ("reactivate_user", dict(user_id="abc"), "No user with the id abc."),
    ("reset_password", dict(user_id=HUGE), "No user with the id 100000000000000000000."),
    ("validate_orders", dict(order_ids="18"), "Unknown order id: 18. Nothing was changed."),
    ("validate_orders", dict(order_ids=[HUGE]), "“100000000000000000000” is not an order id."),
    ("validate_orders", dict(reference=NUL), "The reference contains a NUL character, which cannot be stored."),
    ("validate_orders", dict(reference=LONG), "The reference is too long: 100000 characters, at most 200."),
    # issue 19: the background validation refuses the same inputs before it queues anything
    ("start_validation", dict(order_ids="18"), "Unknown order id: 18. Nothing was changed."),
    ("start_validation", dict(order_ids=[HUGE]), "“100000000000000000000” is not an order id."),
    ("start_validation", dict(reference=NUL), "The reference contains a NUL character, which cannot be stored."),
    ("start_validation", dict(reference=LONG), "The reference is too long: 100000 characters, at most 200."),
    (
        "import_statement",
        dict(content=b"Date;Montant;Devise;Donneur;Communication\n03/11/2026;NaN;EUR;X;Y\n"),
        "Line 2: the amount 'NaN' is not a number.",
    ),
    (
        "import_statement",
        dict(content=b"Date;Montant;Devise;Donneur;Communication\n03/11/2026;Infinity;EUR;X;Y\n"),
        "Line 2: the amount 'Infinity' is not a number.",
    ),
    (
        "import_statement",
        dict(content=b"Date;Montant;Devise;Donneur;Communication\n03/11/2026;1e400;EUR;X;Y\n"),
        "Line 2: the amount '1e400' is not a number.",
    ),
    ("import_statement", dict(content=b"\x00\x00\x00"), "Columns not found: date, amount. Map them by hand."),
    ("import_statement", dict(filename=NUL), "The file name contains a NUL character, which cannot be stored."),
    (
        "import_statement",
        dict(file_format="camt053", content=b"<not xml"),
        "The XML file is not readable: unclosed token: line 1, column 0",
    ),
    (
        "import_statement",
        dict(content=b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>'),
        "The XML file declares entities or external resources, which a bank statement never does: refused.",
    ),
    (
        "import_statement",
        dict(content="Date;Débit;Crédit\n03/11/2026;10,00;12,00\n".encode("cp1252")),
        "Line 2: an amount in both the debit and the credit column.",
    ),
    ("import_statement", dict(file_format="ofx"), "Unknown statement format 'ofx'."),
    ("confirm_match", lambda w: dict(allocations=[(w.awaiting, "NaN")]), "The amount: 'NaN' is not a number."),
    (
        "confirm_match",
        lambda w: dict(allocations=[(w.awaiting, Decimal("Infinity"))]),
        "The amount: 'Infinity' is not a number.",
    ),
    ("confirm_match", lambda w: dict(allocations=[(HUGE, Decimal("1.00"))]), "Unknown order."),
    ("confirm_match", lambda w: dict(allocations=[("abc", Decimal("1.00"))]), "Unknown order."),
    ("confirm_match", dict(transaction_id="abc"), "Unknown bank transaction abc."),
    ("confirm_match", dict(transaction_id=HUGE), "Unknown bank transaction 100000000000000000000."),
    ("reclassify_statement", dict(statement_id="abc"), "Unknown bank statement abc."),
    ("reclassify_statement", dict(statement_id=HUGE), "Unknown bank statement 100000000000000000000."),
    ("confirm_line", dict(transaction_id=HUGE), "Unknown bank transaction 100000000000000000000."),
    ("confirm_line", dict(transaction_id="abc"), "Unknown bank transaction abc."),
    ("confirm_refund_line", dict(transaction_id="abc"), "Unknown bank transaction abc."),
    ("confirm_refund_line", dict(), "Line 2 is not an outgoing payment."),
    ("confirm_decided", dict(statement_id="abc"), "Unknown bank statement abc."),
    ("confirm_decided", dict(statement_id=HUGE), "Unknown bank statement 100000000000000000000."),
    ("ignore_transaction", dict(comment=NUL), "The comment contains a NUL character, which cannot be stored."),
    ("ignore_transaction", dict(comment=LONG), "The comment is too long (2000 characters at most)."),
    ("ignore_transaction", dict(comment=BLANK), "Say why this transaction is ignored."),
    ("ignore_transaction", dict(transaction_id=HUGE), "Unknown bank transaction 100000000000000000000."),
    ("set_follow_up", dict(order_id=HUGE), "This order does not exist."),
    ("set_follow_up", dict(order_id="abc"), "This order does not exist."),
    ("set_follow_up", dict(on="abc"), "The follow-up date: “abc” is not a date."),
    ("set_follow_up", dict(on=HUGE), "The follow-up date: “100000000000000000000” is not a date."),
    ("set_follow_up", dict(on=LATER), "is not a date."),  # a datetime is not a day
    ("set_follow_up", dict(on="9999-12-31"), "The follow-up date must be between 2000-01-01 and"),
    ("set_follow_up", dict(on="1999-12-31"), "The follow-up date must be between 2000-01-01 and"),
    ("set_follow_up", dict(note=NUL), "The follow-up note contains a NUL character, which cannot be stored."),
    ("set_follow_up", dict(note=LONG), "The follow-up note is too long: 100000 characters, at most 1000."),
    ("clear_follow_up", dict(order_id=HUGE), "This order does not exist."),
    ("clear_follow_up", dict(order_id="abc"), "This order does not exist."),
    ("add_note", dict(order_id=HUGE), "This order does not exist."),
    ("add_note", dict(order_id="abc"), "This order does not exist."),
    ("add_note", dict(text=BLANK), "The note is required."),
    ("add_note", dict(text=NUL), "The note contains a NUL character, which cannot be stored."),
    ("add_note", dict(text=LONG), "The note is too long: 100000 characters, at most 2000."),
]
