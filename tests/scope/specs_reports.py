"""Issue 17: scope specs of the reporting and catalogue read side (dashboards, invoices and the
sales journal, emails, seller settings, catalogue, wizard).

Dashboards are asked twice: with a filter naming their event (nothing of it may come back) and
with no event filter (a scoped principal reads their own events only). A function returning
ids is mapped to a marker when the id is one of theirs, so an id leak shows like a text leak."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orders_core.models import CatalogueHistory, EmailTemplate, FormField, Invoice, Order, OutboxEmail
from orders_core.status import CatalogueEntity
from queries import catalogue, emails, invoices, jobs, sales_journal, seller, wizard
from queries.dashboards import due, filters, finance, marketing, refunds, sales
from queries.dashboards.filters import DashboardFilters
from queries.invoices import InvoiceFilters
from tests.factories import NOW
from tests.scope.harness import Context, read, unscoped
from tests.scope.world import WORLD_BUILDERS, World

LEAK = "ZSECRET"  # what a mapped id of theirs turns into


def _build(session: Session, world: World) -> None:
    """Their (and our) template, form field, catalogue log entry, a due date on the pending
    invoice order (the expected cash reads due dates), a campaign and a code on the paid order
    (the summary triggers follow); an email of no order that speaks of
    Zürich; the invoices' ids."""
    for side, marker in ((world.ours, "MSCOPE"), (world.theirs, "ZSECRET")):
        template = EmailTemplate(
            event_id=side.event_id,
            kind="payment_details",
            language="en",
            name=f"{marker} bank details",
            subject=f"{marker} how to pay",
            body="Pay to {{ order.number }}",
            is_html=False,
            updated_at=NOW,
        )
        field = FormField(
            event_id=side.event_id,
            form="buyer",
            key=f"{marker.lower()}_diet",
            field_type="text",
            label_en=f"{marker} diet",
            label_fr=f"{marker} régime",
        )
        log = CatalogueHistory(
            at=NOW,
            actor="admin@head-office.example",
            entity=CatalogueEntity.EVENT,
            entity_id=side.event_id,
            event_id=side.event_id,
            action="updated",
            details={"name": {"old": f"{marker} old", "new": f"{marker} new"}},
        )
        session.add_all([template, field, log])
        session.execute(
            update(Order).where(Order.id == side.pending_id).values(due_date=NOW.date() + timedelta(days=10))
        )
        # A campaign and the event's code on the paid order (the marketing and code figures).
        session.execute(
            update(Order)
            .where(Order.id == side.paid_id)
            .values(
                utm_source="newsletter", utm_medium="email", utm_campaign=f"{marker}-autumn", discount_code=side.code
            )
        )
        session.flush()
        side.extra["template_id"] = template.id
        side.extra["invoice_ids"] = list(
            session.scalars(select(Invoice.id).where(Invoice.order_id.in_(side.order_ids)))
        )
        side.extra["email_id"] = session.scalar(
            select(OutboxEmail.id).where(OutboxEmail.order_id == side.paid_id).limit(1)
        )
    lonely = OutboxEmail(
        order_id=None,
        kind="test",
        recipient="ops@zurich.example",
        subject="Zürich ZSECRET test send",
        body_text="A test",
        created_at=NOW,
        message_id="<lonely-zsecret@example>",
    )
    session.add(lonely)
    session.flush()
    world.extra["lonely_email_id"] = lonely.id


WORLD_BUILDERS.append(_build)


def _theirs(ids: Any, world: World, *candidates: int | None) -> list[str]:
    """LEAK for each returned id that is one of `candidates` (their objects)."""
    if ids is None:
        return []
    values = ids if isinstance(ids, list | tuple | set) else [ids]
    return [LEAK for value in values if value is not None and int(value) in {c for c in candidates if c}]


def _dash(world: World, *, theirs: bool) -> DashboardFilters:
    today = NOW.date()
    return DashboardFilters((world.theirs.event_id,) if theirs else (), today - timedelta(days=29), today, "day", today)


def _both(fn: Any) -> Any:
    """A dashboard function asked with their event as the filter, then with no event filter."""

    def call(c: Context) -> Any:
        return [fn(c.engine, _dash(c.world, theirs=t), principal=c.principal) for t in (True, False)]

    return call


NO_TEXT = "counts without any event text, currency or name: values asserted in tests/db/test_scoped_reports.py"

# --- dashboards --------------------------------------------------------------------------------
read(
    jobs.background_job,
    lambda c: [jobs.background_job(c.engine, job_id, principal=c.principal) for job_id in range(1, 4)],
    control=False,
    why="a job is shown to the one who started it only; starting it checked each order is in their scope",
)
read(filters.event_choices, lambda c: filters.event_choices(c.engine, principal=c.principal))
unscoped(filters.frame, "runs a query its caller built, scope applied (where_facts / events_of)")
unscoped(filters.rows_of, "runs a query its caller built, scope applied (where_facts / events_of)")
for fn in (
    sales.headline,
    sales.sales_over_time,
    sales.tariff_sales,
    sales.payment_modes,
    sales.sources,
    sales.discount_codes,
    sales.page_queries,
    finance.receivables_by_age,
    finance.oldest_receivables,
    finance.payments_by_day,
    finance.payments_by_method,
    finance.reconciliation,
    finance.payments_export,
    finance.orders_tax_export,
    finance.page_queries,
    due.receivables_by_due_date,
    due.top_debtors,
    due.expected_cash,
    refunds.refunds_by_method,
    marketing.utm_breakdown,
    marketing.utm_tree,
    marketing.utm_over_time,
    marketing.top_campaigns,
    marketing.campaign_codes,
    marketing.page_queries,
):
    read(fn, _both(fn))
for fn in (sales.orders_by_status, marketing.utm_coverage, marketing.abandoned_by_source):
    read(fn, _both(fn), control=False, why=NO_TEXT)

# --- invoices and the sales journal -------------------------------------------------------------


def _invoice_filters(c: Context) -> list[InvoiceFilters]:
    return [InvoiceFilters(event_id=c.world.theirs.event_id), InvoiceFilters()]


read(
    invoices.invoice_list,
    lambda c: [invoices.invoice_list(c.engine, f, principal=c.principal) for f in _invoice_filters(c)],
)
read(
    invoices.invoice_totals,
    lambda c: [invoices.invoice_totals(c.engine, f, principal=c.principal) for f in _invoice_filters(c)],
)
read(
    invoices.invoice_ids,
    lambda c: [
        _theirs(invoices.invoice_ids(c.engine, f, principal=c.principal), c.world, *c.world.theirs.extra["invoice_ids"])
        for f in _invoice_filters(c)
    ],
)
read(
    invoices.order_documents,
    lambda c: invoices.order_documents(c.engine, c.world.theirs.paid_id, principal=c.principal),
)
read(
    invoices.document_order,
    lambda c: [
        _theirs(invoices.document_order(c.engine, i, principal=c.principal), c.world, *c.world.theirs.order_ids)
        for i in c.world.theirs.extra["invoice_ids"]
    ],
)
read(invoices.invoice_events, lambda c: invoices.invoice_events(c.engine, principal=c.principal))
read(
    sales_journal.sales_journal,
    lambda c: [sales_journal.sales_journal(c.engine, f, principal=c.principal) for f in _invoice_filters(c)],
)
read(
    sales_journal.journal_csv,
    lambda c: [
        b"".join(sales_journal.journal_csv(c.engine, f, principal=c.principal, separator=","))
        for f in _invoice_filters(c)
    ],
)
read(
    sales_journal.vat_totals,
    lambda c: [sales_journal.vat_totals(c.engine, f, principal=c.principal) for f in _invoice_filters(c)],
)

# --- emails -------------------------------------------------------------------------------------
read(
    emails.outbox,
    lambda c: [
        emails.outbox(c.engine, principal=c.principal),
        emails.outbox(c.engine, principal=c.principal, order_number=c.world.theirs.paid_number),
    ],
)
read(
    emails.outbox_counts,
    lambda c: emails.outbox_counts(c.engine, principal=c.principal),
    control=False,
    why="counts per status; values for a scoped principal asserted in tests/db/test_scoped_reports.py",
)
read(
    emails.email_message,
    lambda c: [
        repr(emails.email_message(c.engine, i, principal=c.principal))
        for i in (c.world.theirs.extra["email_id"], c.world.extra["lonely_email_id"])
    ],
)
read(emails.order_emails, lambda c: emails.order_emails(c.engine, c.world.theirs.paid_id, principal=c.principal))
read(
    emails.order_summary,
    lambda c: repr(emails.order_summary(c.engine, c.world.theirs.paid_id, principal=c.principal)),
)
read(
    emails.templates,
    lambda c: [
        emails.templates(c.engine, principal=c.principal),
        emails.templates(c.engine, principal=c.principal, scope="event", event_id=c.world.theirs.event_id),
    ],
)
read(
    emails.template,
    lambda c: repr(emails.template(c.engine, c.world.theirs.extra["template_id"], principal=c.principal)),
)
read(emails.events, lambda c: emails.events(c.engine, principal=c.principal))
read(
    emails.order_id_by_number,
    lambda c: _theirs(
        emails.order_id_by_number(c.engine, c.world.theirs.paid_number, principal=c.principal),
        c.world,
        *c.world.theirs.order_ids,
    ),
)
read(
    emails.latest_order_id,
    lambda c: [
        _theirs(emails.latest_order_id(c.engine, e, principal=c.principal), c.world, *c.world.theirs.order_ids)
        for e in (c.world.theirs.event_id, None)
    ],
)

# --- seller settings: the organisation's, not an event's ------------------------------------------
unscoped(seller.seller_form, "the seller's own settings (one row for the organisation), no event data")
unscoped(
    seller.next_document_number,
    "the next number of the organisation's one gapless series (printed on every invoice anyway)",
)
unscoped(
    seller.seller_history,
    "the seller settings' changes only (entity `seller`, no event): never an event's catalogue entry",
)

# --- catalogue ----------------------------------------------------------------------------------
read(
    catalogue.events_list,
    lambda c: catalogue.events_list(c.engine, principal=c.principal, include_archived=True),
)
read(
    catalogue.event_row,
    lambda c: repr(catalogue.event_row(c.engine, c.world.theirs.event_id, principal=c.principal)),
)
read(
    catalogue.tariffs_of_event,
    lambda c: catalogue.tariffs_of_event(c.engine, c.world.theirs.event_id, principal=c.principal),
)
read(
    catalogue.sellable_tariffs,
    lambda c: catalogue.sellable_tariffs(c.engine, c.world.theirs.event_id, NOW, principal=c.principal),
)
read(
    catalogue.discount_codes_of_event,
    lambda c: catalogue.discount_codes_of_event(c.engine, c.world.theirs.event_id, principal=c.principal),
)
read(
    catalogue.catalogue_history,
    lambda c: [
        catalogue.catalogue_history(c.engine, principal=c.principal),
        catalogue.catalogue_history(c.engine, principal=c.principal, event_id=c.world.theirs.event_id),
    ],
)

# --- the order wizard ---------------------------------------------------------------------------
read(wizard.wizard_events, lambda c: wizard.wizard_events(c.engine, principal=c.principal))
read(
    wizard.wizard_tariffs,
    lambda c: wizard.wizard_tariffs(
        c.engine, c.world.theirs.event_id, (c.world.theirs.tariff_id,), principal=c.principal
    ),
)
read(
    wizard.event_fields,
    lambda c: repr(wizard.event_fields(c.engine, c.world.theirs.event_id, principal=c.principal)),
)
read(
    wizard.payment_templates,
    lambda c: wizard.payment_templates(c.engine, c.world.theirs.event_id, principal=c.principal),
)
read(
    wizard.live_quote,
    lambda c: repr(
        wizard.live_quote(
            c.engine,
            principal=c.principal,
            event_id=c.world.theirs.event_id,
            quantities={str(c.world.theirs.tariff_id): 1},
            require_units=False,
        )
    ),
)
read(
    wizard.order_for_edit,
    lambda c: repr(wizard.order_for_edit(c.engine, c.world.theirs.paid_number, principal=c.principal)),
)
read(
    wizard.add_ticket_context,
    lambda c: repr(wizard.add_ticket_context(c.engine, c.world.theirs.paid_number, principal=c.principal)),
)
