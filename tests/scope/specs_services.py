"""Issue 17: the scope specs of orders_core/services (harness.py says how they are checked).

Each write spec asks a service to change one of THEIR objects (their order, attendee, tariff,
code, form field, template, email, event...) as a principal scoped to ours: refused, nothing
kept. Internal steps that take ids a calling service already locked in scope (or run for the
worker) are listed as unscoped, with the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orders_core.models import FormField, OrderItem, OutboxEmail, SavedView, Tariff
from orders_core.permissions import Actor
from orders_core.services import (
    attendees,
    cancellations,
    catalogue,
    catalogue_rules,
    codes,
    confirmations,
    email_templates,
    emails,
    expiry,
    follow_ups,
    forms,
    guards,
    ledger,
    lifecycle,
    modification_diff,
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
from orders_core.status import Role
from tests.scope.harness import Context, read, unscoped, write
from tests.scope.world import WORLD_BUILDERS, World

ADMIN, EVENT_MANAGER, FINANCE = Role.ADMIN, Role.EVENT_MANAGER, Role.FINANCE
NOW = datetime.now(UTC)
TODAY = NOW.date()
DRAFT_TOKEN = "zsecret-draft-token-0123456789abcdef"


def _builder(session: Session, world: World) -> None:
    """Their form field, template, a failed email, a shared view and a draft of their order."""
    boss = Actor("boss@zurich.example", ADMIN)
    theirs = world.theirs
    field = forms.add_field(
        session,
        actor=boss,
        event_id=theirs.event_id,
        form="buyer",
        field_type="text",
        label_en="ZSECRET badge name",
        label_fr="ZSECRET nom",
    )
    theirs.extra["field_id"] = session.scalar(
        select(FormField.id).where(FormField.event_id == theirs.event_id, FormField.key == field.key)
    )
    template = email_templates.create_template(
        session,
        actor=boss,
        event_id=theirs.event_id,
        kind="order_confirmation",
        language="en",
        name="ZSECRET confirmation",
        subject="ZSECRET thanks",
        body="ZSECRET body",
    )
    theirs.extra["template_id"] = template.id
    email = emails.resend_confirmation(session, actor=boss, order_id=theirs.paid_id)
    session.execute(update(OutboxEmail).where(OutboxEmail.id == email.id).values(status="failed"))
    theirs.extra["email_id"] = email.id
    saved_views.save_view(
        session,
        actor=Actor("colleague@zurich.example", ADMIN),
        page="orders",
        name="ZSECRET view",
        params={"event": [str(theirs.event_id)]},
        shared=True,
    )
    for role in (ADMIN, EVENT_MANAGER):  # drafted by these people when they saw every event
        wizard_drafts.save_draft(
            session,
            actor=Actor(f"{role}@montreal.example", role),
            token=f"{DRAFT_TOKEN}-{role}"[:64],
            state=json.dumps({"buyer": "ZSECRETina"}),
            order_id=theirs.paid_id,
        )


WORLD_BUILDERS.append(_builder)


def _montreal(ctx: Context) -> Actor:
    """The principal under test with the email its drafts were saved under."""
    return Actor(f"{ctx.principal.role}@montreal.example", ctx.principal.role, ctx.principal.event_ids)


def _item_of(ctx: Context, order_id: int) -> int:
    return ctx.session.scalar(select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(OrderItem.id)) or 0


def _row(ctx: Context, order_id: int) -> guards.OrderRow:
    return guards.lock_orders(ctx.session, [order_id], actor=Actor("system", "system"), lock=False)[order_id]


# --- the choke points -------------------------------------------------------------------------
write(
    guards.lock_orders,
    lambda c: guards.lock_orders(c.session, [c.world.theirs.paid_id], actor=c.principal),
    control_role=FINANCE,
)
write(
    guards.lock_by_id,
    lambda c: guards.lock_by_id(c.session, Tariff, c.world.theirs.tariff_id, "unknown", actor=c.principal),
    control_role=EVENT_MANAGER,
)
write(
    catalogue_rules.get_event,
    lambda c: catalogue_rules.get_event(c.session, c.world.theirs.event_id, actor=c.principal),
    control_role=EVENT_MANAGER,
)
write(
    order_changes.lock_order,
    lambda c: order_changes.lock_order(c.session, c.world.theirs.paid_id, c.principal),
    control_role=EVENT_MANAGER,
)
write(
    ledger.confirm_payments,
    lambda c: ledger.confirm_payments(
        c.session,
        actor=c.principal,
        incoming=[ledger.Incoming(_row(c, c.world.theirs.pending_id), Decimal("1.00"), "bank_transfer", NOW, "")],
        action="payment_recorded",
        now=NOW,
        dry_run=True,
    ),
    control_role=FINANCE,
)

# --- orders: money, status, notes -------------------------------------------------------------
write(
    validation.validate_orders,
    lambda c: validation.validate_orders(
        c.session,
        actor=c.principal,
        order_ids=[c.world.ours.pending_id, c.world.theirs.pending_id],
        method="bank_transfer",
        received_at=TODAY,
    ),
    control_role=FINANCE,
)
write(
    validation_jobs.start_validation,
    lambda c: validation_jobs.start_validation(
        c.session,
        actor=c.principal,
        order_ids=[c.world.ours.pending_id, c.world.theirs.pending_id],
        method="bank_transfer",
        received_at=TODAY,
    ),
    control_role=FINANCE,
)
write(
    lifecycle.cancel_orders,
    lambda c: lifecycle.cancel_orders(c.session, actor=c.principal, order_ids=[c.world.theirs.pending_id], reason="x"),
    control_role=EVENT_MANAGER,
)
write(
    lifecycle.delete_orders,
    lambda c: lifecycle.delete_orders(c.session, actor=c.principal, order_ids=[c.world.theirs.pending_id], reason="x"),
    control_role=EVENT_MANAGER,
)
write(
    lifecycle.restore_order,
    lambda c: lifecycle.restore_order(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    lifecycle.approve_order,
    lambda c: lifecycle.approve_order(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    lifecycle.reject_order,
    lambda c: lifecycle.reject_order(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    lifecycle.mark_failed,
    lambda c: lifecycle.mark_failed(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    lifecycle.confirm_online,
    lambda c: lifecycle.confirm_online(c.session, actor=c.principal, order_id=c.world.theirs.pending_id, reference="x"),
)
write(
    ledger.confirm_payment,
    lambda c: ledger.confirm_payment(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.pending_id,
        amount="1.00",
        method="bank_transfer",
        received_at=TODAY,
    ),
    control_role=FINANCE,
)
write(
    refunds.record_refund,
    lambda c: refunds.record_refund(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.paid_id,
        amount="1.00",
        method="bank_transfer",
        refunded_at=TODAY,
        reason="Goodwill",
    ),
    control_role=FINANCE,
)
write(
    refunds.refund_excess,
    lambda c: refunds.refund_excess(
        c.session,
        actor=c.principal,
        order_ids=[c.world.ours.paid_id, c.world.theirs.paid_id],
        method="bank_transfer",
        refunded_at=TODAY,
        reason="Excess",
        dry_run=True,
    ),
    control_role=FINANCE,
)
write(
    cancellations.cancel_tickets,
    lambda c: cancellations.cancel_tickets(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.paid_id,
        item_ids=[_item_of(c, c.world.theirs.paid_id)],
        reason="Ill",
        dry_run=True,
    ),
)
write(
    expiry.expire_order,
    lambda c: expiry.expire_order(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
    control_role=FINANCE,
)
write(
    notes.add_note,
    lambda c: notes.add_note(c.session, actor=c.principal, order_id=c.world.theirs.paid_id, text="hi"),
    control_role=FINANCE,
)
write(
    follow_ups.set_follow_up,
    lambda c: follow_ups.set_follow_up(
        c.session, actor=c.principal, order_id=c.world.theirs.paid_id, on=TODAY + timedelta(days=3)
    ),
    control_role=FINANCE,
)
write(
    follow_ups.clear_follow_up,
    lambda c: follow_ups.clear_follow_up(c.session, actor=c.principal, order_id=c.world.theirs.paid_id),
    control_role=FINANCE,
)
write(
    reminders.send_next_reminder,
    lambda c: reminders.send_next_reminder(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    reminders.send_due_reminder,
    lambda c: reminders.send_due_reminder(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
    control_role=ADMIN,
)
write(
    reminders.pause_reminders,
    lambda c: reminders.pause_reminders(
        c.session, actor=c.principal, order_id=c.world.theirs.pending_id, until=TODAY + timedelta(days=5), note="x"
    ),
)
write(
    reminders.resume_reminders,
    lambda c: reminders.resume_reminders(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
)
write(
    reminders.set_reminder_ladder,
    lambda c: reminders.set_reminder_ladder(c.session, actor=c.principal, event_id=c.world.theirs.event_id, steps={}),
    control_role=EVENT_MANAGER,
)
write(
    emails.resend_confirmation,
    lambda c: emails.resend_confirmation(c.session, actor=c.principal, order_id=c.world.theirs.paid_id),
    control_role=FINANCE,
)
write(
    emails.resend_tickets,
    lambda c: emails.resend_tickets(c.session, actor=c.principal, order_id=c.world.theirs.paid_id),
    control_role=EVENT_MANAGER,
)
write(
    emails.retry_email,
    lambda c: emails.retry_email(c.session, actor=c.principal, email_id=c.world.theirs.extra["email_id"]),
    control_role=ADMIN,
)
write(
    emails.retry_emails,
    lambda c: emails.retry_emails(c.session, actor=c.principal, email_ids=[c.world.theirs.extra["email_id"]]),
    control_role=ADMIN,
)

# --- orders: creation and changes ---------------------------------------------------------------
_BUYER = {"first_name": "Ana", "last_name": "Lima", "email": "ana@example.org"}
write(
    order_creation.create_order,
    lambda c: order_creation.create_order(
        c.session,
        actor=c.principal,
        event_id=c.world.theirs.event_id,
        quantities={str(c.world.theirs.tariff_id): 1},
        buyer=_BUYER,
        holders=[_BUYER],
    ),
    control_role=EVENT_MANAGER,
)
write(
    order_changes.modify_order,
    lambda c: order_changes.modify_order(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.pending_id,
        expected_version=None,
        quantities={str(c.world.theirs.tariff_id): 1},
        buyer=_BUYER,
    ),
)
write(
    order_changes.add_tickets,
    lambda c: order_changes.add_tickets(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.paid_id,
        tariff_id=c.world.theirs.tariff_id,
        quantity=1,
        reason_note="walk-in",
    ),
)
write(
    order_changes.record_balance_payment,
    lambda c: order_changes.record_balance_payment(
        c.session, actor=c.principal, order_id=c.world.theirs.paid_id, method="cash", amount="1.00"
    ),
)
write(
    tickets.change_holder,
    lambda c: tickets.change_holder(
        c.session, actor=c.principal, attendee_id=c.world.theirs.attendee_ids[0], first_name="Eve", last_name="Z"
    ),
    control_role=EVENT_MANAGER,
)
write(
    tickets.void_tickets,
    lambda c: tickets.void_tickets(
        c.session, actor=c.principal, reason="test", attendee_ids=[c.world.theirs.attendee_ids[0]]
    ),
    control_role=FINANCE,
)
write(
    tickets.void_cancelled,
    lambda c: tickets.void_cancelled(c.session, actor=c.principal, order_ids=[c.world.theirs.paid_id]),
    control_role=FINANCE,
)
write(
    wizard_drafts.save_draft,
    lambda c: wizard_drafts.save_draft(
        c.session, actor=c.principal, token="z" * 40, state="{}", order_id=c.world.theirs.paid_id
    ),
    control_role=EVENT_MANAGER,
)
write(
    wizard_drafts.discard_draft,
    lambda c: wizard_drafts.discard_draft(
        c.session, actor=_montreal(c), token=f"{DRAFT_TOKEN}-{c.principal.role}"[:64], order_id=c.world.theirs.paid_id
    ),
    control_role=EVENT_MANAGER,
)
read(
    wizard_drafts.load_draft,
    lambda c: wizard_drafts.load_draft(
        c.session, actor=_montreal(c), token=f"{DRAFT_TOKEN}-{c.principal.role}"[:64], order_id=c.world.theirs.paid_id
    ),
)

# --- catalogue ------------------------------------------------------------------------------------
write(
    catalogue.update_event,
    lambda c: catalogue.update_event(c.session, actor=c.principal, event_id=c.world.theirs.event_id, venue="Here"),
    control_role=EVENT_MANAGER,
)
write(
    catalogue.archive_event,
    lambda c: catalogue.archive_event(c.session, actor=c.principal, event_id=c.world.theirs.event_id),
    control_role=EVENT_MANAGER,
)
write(
    tariffs.create_tariff,
    lambda c: tariffs.create_tariff(
        c.session,
        actor=c.principal,
        event_id=c.world.theirs.event_id,
        kind="badge",
        name="Extra",
        unit_price_ht="10.00",
        tax_rate="20",
    ),
    control_role=EVENT_MANAGER,
)
write(
    tariffs.update_tariff,
    lambda c: tariffs.update_tariff(c.session, actor=c.principal, tariff_id=c.world.theirs.tariff_id, name="Mine"),
    control_role=EVENT_MANAGER,
)
write(
    tariffs.set_tariff_active,
    lambda c: tariffs.set_tariff_active(c.session, actor=c.principal, tariff_id=c.world.theirs.tariff_id, active=False),
    control_role=EVENT_MANAGER,
)
write(
    tariffs.delete_tariff,
    lambda c: tariffs.delete_tariff(c.session, actor=c.principal, tariff_id=c.world.theirs.tariff_id),
)
write(
    codes.create_code,
    lambda c: codes.create_code(
        c.session, actor=c.principal, event_id=c.world.theirs.event_id, code="NEW5", percent_off="5"
    ),
    control_role=EVENT_MANAGER,
)
write(
    codes.update_code,
    lambda c: codes.update_code(c.session, actor=c.principal, code_id=c.world.theirs.code_id, max_uses=99),
    control_role=EVENT_MANAGER,
)
write(
    codes.set_code_active,
    lambda c: codes.set_code_active(c.session, actor=c.principal, code_id=c.world.theirs.code_id, active=False),
    control_role=EVENT_MANAGER,
)
write(
    codes.delete_code,
    lambda c: codes.delete_code(c.session, actor=c.principal, code_id=c.world.theirs.code_id),
)
write(
    forms.add_field,
    lambda c: forms.add_field(
        c.session,
        actor=c.principal,
        event_id=c.world.theirs.event_id,
        form="buyer",
        field_type="text",
        label_en="Diet",
        label_fr="Régime",
    ),
    control_role=ADMIN,
)
write(
    forms.edit_field,
    lambda c: forms.edit_field(
        c.session,
        actor=c.principal,
        field_id=c.world.theirs.extra["field_id"],
        label_en="Mine",
        label_fr="À moi",
        required=False,
    ),
    control_role=ADMIN,
)
write(
    forms.move_field,
    lambda c: forms.move_field(c.session, actor=c.principal, field_id=c.world.theirs.extra["field_id"], offset=1),
)
write(
    forms.set_field_active,
    lambda c: forms.set_field_active(
        c.session, actor=c.principal, field_id=c.world.theirs.extra["field_id"], active=False
    ),
    control_role=ADMIN,
)
write(
    seat_plans.add_seats,
    lambda c: seat_plans.add_seats(
        c.session, actor=c.principal, event_id=c.world.theirs.event_id, section="A", rows="1", seats_per_row=2
    ),
)
write(
    seat_plans.remove_seats,
    lambda c: seat_plans.remove_seats(
        c.session, actor=c.principal, event_id=c.world.theirs.event_id, section="A", rows="1"
    ),
)
write(
    email_templates.create_template,
    lambda c: email_templates.create_template(
        c.session,
        actor=c.principal,
        event_id=c.world.theirs.event_id,
        kind="order_confirmation",
        language="fr",
        name="Mine",
        subject="Merci",
        body="Merci",
    ),
    control_role=ADMIN,
)
write(
    email_templates.update_template,
    lambda c: email_templates.update_template(
        c.session,
        actor=c.principal,
        template_id=c.world.theirs.extra["template_id"],
        event_id=c.world.ours.event_id,
        kind="order_confirmation",
        language="en",
        name="Taken",
        subject="Taken",
        body="Taken",
    ),
    control_role=ADMIN,
)
write(
    email_templates.delete_template,
    lambda c: email_templates.delete_template(
        c.session, actor=c.principal, template_id=c.world.theirs.extra["template_id"]
    ),
    control_role=ADMIN,
)
read(
    email_templates.preview_template,
    lambda c: email_templates.preview_template(
        c.session,
        actor=c.principal,
        order_id=c.world.theirs.paid_id,
        subject="{{ order.number }}",
        body="{{ order.buyer_first_name }} {{ event.name }}",
    ),
)

# --- saved views, users ----------------------------------------------------------------------------
write(
    saved_views.save_view,
    lambda c: saved_views.save_view(
        c.session, actor=c.principal, page="orders", name="Theirs", params={"event": [str(c.world.theirs.event_id)]}
    ),
    control_role=FINANCE,
)
read(saved_views.visible_views, lambda c: saved_views.visible_views(c.session, actor=c.principal, page="orders"))
write(
    saved_views.delete_view,
    lambda c: saved_views.delete_view(
        c.session,
        actor=c.principal,
        view_id=c.session.scalar(select(SavedView.id).where(SavedView.name == "ZSECRET view")),
    ),
    why="someone else's view: only its owner deletes it, whatever the scope",
)
read(users.event_choices, lambda c: users.event_choices(c.session, actor=c.principal))
write(
    users.clean_event_scope,
    lambda c: users.clean_event_scope(c.session, actor=c.principal, event_ids=[c.world.theirs.event_id]),
    control_role=ADMIN,
)

# --- unscoped -------------------------------------------------------------------------------------
_INNER = "an inner step on ids the calling service locked in the actor's scope (or the worker's)"
for fn in (
    attendees.register_attendees,
    attendees.items_without_attendee,
    catalogue_rules.event_has_orders,
    catalogue_rules.log,
    confirmations.queue_confirmations,
    guards.event_of,
    ledger.ledger_sums,
    ledger.refresh_payment_state,
    modification_diff.holders_of,
    modification_diff.snapshot,
    order_creation.check_template,
    order_creation.next_order_number,
    order_creation.seat_people,
    order_creation.settle,
    order_creation.write_lines,
    order_creation.write_values,
    refunds.refund_template,
    reminders.event_ladder,
    reminders.sent_steps,
    tariffs.units_held,
):
    unscoped(fn, _INNER)
unscoped(wizard_drafts.purge_drafts, "the worker deletes every old draft, whoever wrote it (system, every event)")
unscoped(preferences.set_timezone, "the user's own display preference: no event data")
unscoped(
    catalogue.create_event,
    "a new event touches no other event; a scoped creator gets it in their scope (UserEvent)",
)
_ACCOUNTS = (
    "account management is admin-wide (users.manage); the events a scoped admin may grant are "
    "checked by users.clean_event_scope (spec above, tests/db/test_users_scope.py)"
)
for fn in (
    users.add_user,
    users.change_role,
    users.deactivate_user,
    users.find_user,
    users.list_users,
    users.reactivate_user,
    users.reset_password,
    users.set_event_scope,
    users.user_scope,
):
    unscoped(fn, _ACCOUNTS)
