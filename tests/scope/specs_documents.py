"""Scope specs of orders_core/documents: e-tickets and document PDFs are read by id (routes, the
order page), invoices and credit notes issued by finance. The rest are steps of services that
have already locked orders in the principal's scope, or the organisation's own settings."""

from __future__ import annotations

from sqlalchemy import select

from orders_core.documents import automatic, bulk_issue, files, issue, numbering, seller, seller_service, tickets
from orders_core.models import Invoice
from orders_core.status import Role
from tests.scope.harness import Context, read, unscoped, write


def their_invoice(ctx: Context) -> int:
    return ctx.session.scalar(select(Invoice.id).where(Invoice.order_id == ctx.world.theirs.paid_id))


PDF = "a PDF's text is compressed: no marker can show; ticket_of's control covers the same query"
read(tickets.ticket_of, lambda c: tickets.ticket_of(c.session, c.world.theirs.attendee_ids[0], principal=c.principal))
read(
    tickets.tickets_of_order,
    lambda c: tickets.tickets_of_order(c.session, c.world.theirs.paid_id, principal=c.principal),
)
read(
    tickets.ticket_pdf,
    lambda c: tickets.ticket_pdf(c.session, c.world.theirs.attendee_ids[0], principal=c.principal),
    control=False,
    why=PDF,
)
read(
    tickets.order_tickets_pdf,
    lambda c: tickets.order_tickets_pdf(c.session, c.world.theirs.paid_id, principal=c.principal),
    control=False,
    why=PDF,
)
read(
    files.document_pdf,
    lambda c: files.document_pdf(c.session, their_invoice(c), principal=c.principal),
    control=False,
    why=PDF,
)
write(
    issue.issue_invoice,
    lambda c: issue.issue_invoice(c.session, actor=c.principal, order_id=c.world.theirs.pending_id),
    control_role=Role.FINANCE,
)
write(
    issue.issue_credit_note,
    lambda c: issue.issue_credit_note(c.session, actor=c.principal, invoice_id=their_invoice(c), reason="Gesture"),
    control_role=Role.FINANCE,
)

STEP = "a step of a service that has locked the orders in the principal's scope first"
for step in (
    automatic.after_invoice_order_placed,
    automatic.after_invoice_orders_placed,
    automatic.after_paid,
    automatic.after_cancelled,
    automatic.after_restored,
    automatic.after_modified,
    automatic.standing_invoice_ids,
    automatic.invoice_attachments,
    bulk_issue.invoice_orders,
    issue.documents_of,
    issue.remaining_lines,
    issue.standing_invoice,
    issue.invoice_for_order,
    issue.credit_note_for,
    issue.reissue_after_change,
    numbering.next_number,
):
    unscoped(step, STEP)
ORGANISATION = "the organisation's own seller settings, the same for every event (admin only to change)"
unscoped(automatic.settings_complete, ORGANISATION)
unscoped(seller.seller_settings, ORGANISATION)
unscoped(seller_service.save_seller_settings, ORGANISATION)
