"""Validating invoice orders once their money has arrived (domain rule 2): finance selects
orders awaiting payment and the method used; each one's balance is confirmed as a payment by
the ledger (services.ledger: the one path to paid), so it becomes `paid`, with `paid_at`, a
settlement payment, one attendee per badge/ticket unit, a history entry and a queued
confirmation email - all in the caller's transaction, all or nothing.

    with unit_of_work(engine) as session:
        result = validate_orders(session, actor=actor, order_ids=[...], method="bank_transfer",
                                 received_at=date(2026, 11, 20), reference="VIR 1234")
    result.validated, result.refused  # what happened, order by order

Speed: a few statements whatever the number of orders. Safety: rows are locked in id order; the
database refuses a second attendee per order item and a second settlement payment per order,
so a double validation can only fail, never pay twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from orders_core import inputs
from orders_core.i18n import _
from orders_core.permissions import Actor, require
from orders_core.services import guards
from orders_core.services.guards import OrderRow, Refusal
from orders_core.services.ledger import Confirmed, Incoming, confirm_payments
from orders_core.status import Status

# Above this many orders, a validation runs as a background job (services/validation_jobs.py),
# with its progress on the page, so that one call holds the page no longer than its patience
# (issue 19: 1.5 s). `make bench` at 1M orders on PostgreSQL, 2 cores: this many in 1.0-1.2 s
# (lifecycle.validate_page_limit); 2,500 took 1.45 s and 10,000 take 5-6 s
# (lifecycle.validate_10k_orders), which is why this is not the 10,000.
BACKGROUND_ABOVE = 2_000


@dataclass
class ValidationResult:
    """What a validation did (or, for a dry run, would do)."""

    dry_run: bool
    validated: list[Confirmed] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    attendees_created: int = 0
    emails_queued: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # per currency, never added across

    @property
    def validated_numbers(self) -> list[int]:
        return [s.number for s in self.validated]


@dataclass(frozen=True)
class ValidationRequest:
    """What a validation asks for, its input checked (the same for one call and a background job)."""

    order_ids: list[int]
    method: str
    received: datetime
    reference: str


def check_request(
    actor: Actor,
    order_ids: Iterable[int],
    method: str,
    received_at: date | datetime,
    reference: str | None,
    *,
    now: datetime,
) -> ValidationRequest:
    """The actor may validate, and the input is valid, or InvalidInput says which field is not."""
    require(actor, "orders.validate")
    return ValidationRequest(
        order_ids=guards.order_ids(order_ids),
        method=guards.clean_method(method),
        received=guards.clean_received_at(received_at, now=now),
        reference=inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE),
    )


def validate_orders(
    session: Session,
    *,
    actor: Actor,
    order_ids: Iterable[int],
    method: str,
    received_at: date | datetime,
    reference: str | None = None,
    dry_run: bool = False,
) -> ValidationResult:
    """Validate invoice orders awaiting payment once their money has arrived.

    `method`: bank_transfer, cheque, cash, card or other; `received_at`: the date (or moment)
    the money arrived, not in the future. Orders that cannot be validated (already paid,
    cancelled, deleted...) are reported in `refused` with the reason; the others are validated.
    Bad input (unknown ids, empty method, future date) raises InvalidInput and writes nothing.
    `dry_run=True` returns the same result without writing or locking anything."""
    now = datetime.now(UTC)
    request = check_request(actor, order_ids, method, received_at, reference, now=now)
    ids = request.order_ids
    rows = guards.lock_orders(session, ids, actor=actor, lock=not dry_run, bulk=True)
    result = ValidationResult(dry_run=dry_run)
    ready: list[OrderRow] = []
    for order_id in ids:
        row = rows[order_id]
        reason = guards.refusal_for(row, Status.PAID, allowed_from=(Status.AWAITING_PAYMENT,), action=_("validated"))
        reason = reason or guards.payment_refusal(actor, row, request.method)
        if reason:
            result.refused.append(Refusal(row.id, row.number, reason))
        else:
            ready.append(row)
    incoming = [
        Incoming(row, max(row.balance, Decimal("0.00")), request.method, request.received, request.reference)
        for row in ready
    ]
    settled = confirm_payments(session, actor=actor, incoming=incoming, action="validated", now=now, dry_run=dry_run)
    _summarise(result, settled)
    return result


def _summarise(result: ValidationResult, settled: list[Confirmed]) -> None:
    result.validated = settled
    result.attendees_created = sum(s.attendees for s in settled)
    result.emails_queued = len(settled)
    amounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for s in settled:
        if s.amount:
            amounts[s.currency] += s.amount
    result.amounts = dict(sorted(amounts.items()))
