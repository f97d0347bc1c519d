"""Reconciliation services: import a statement, confirm matches (one by one or every
high-confidence one), assign by hand, ignore. Payments go through the payment service, which
validates an order once it is fully paid (attendees, emails, history)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_decimal, clean_id
from orders_core.models import BankAllocation, BankStatement, BankTransaction, Order
from orders_core.permissions import Actor, require
from orders_core.reconciliation.parsing import CsvOptions, ParsedStatement, read_camt053, read_csv
from orders_core.reconciliation.proposals import ConfirmPlan, plan_high_confidence
from orders_core.reconciliation.states import may_ignore
from orders_core.status import BankTransactionStatus

MAX_COMMENT = 2000
# A month of an organiser's bank account is well under this; a 7.7 MB statement once took 21 s
# and 557 MB to parse and match. Setting: ORDERS_STATEMENT_MAX_MB.
DEFAULT_STATEMENT_MAX_MB = 2.0


def max_statement_bytes() -> int:
    """The largest statement an import accepts, in bytes (`ORDERS_STATEMENT_MAX_MB`, default 2)."""
    try:
        megabytes = float(os.environ.get("ORDERS_STATEMENT_MAX_MB", "") or DEFAULT_STATEMENT_MAX_MB)
    except ValueError:
        megabytes = DEFAULT_STATEMENT_MAX_MB
    if not math.isfinite(megabytes) or megabytes <= 0:
        megabytes = DEFAULT_STATEMENT_MAX_MB
    return int(megabytes * 1_000_000)


@dataclass
class ImportResult:
    statement_id: int
    new: int
    duplicates: int
    skipped_debits: int
    errors: list[str]


def import_statement(
    session: Session,
    *,
    actor: Actor,
    filename: str,
    content: bytes,
    file_format: str = "csv",
    csv_options: CsvOptions | None = None,
) -> ImportResult:
    """Store the statement's new incoming transactions; the ones already imported (same bank id,
    or same date, amount, payer and reference) are counted, not stored again."""
    require(actor, "reconciliation.manage")
    limit = max_statement_bytes()
    if len(content) > limit:
        raise InvalidInput(
            _("The file has {size} MB; a statement may have at most {limit} MB. Import it in parts.").format(
                size=f"{len(content) / 1_000_000:.1f}", limit=f"{limit / 1_000_000:g}"
            )
        )
    if file_format == "camt053":
        parsed: ParsedStatement = read_camt053(content)
    elif file_format == "csv":
        parsed = read_csv(content, csv_options)
    else:
        raise InvalidInput(_("Unknown statement format '{format}'.").format(format=file_format))
    if not parsed.lines and parsed.errors:
        raise InvalidInput(" ".join(parsed.errors))
    now = datetime.now(UTC)
    statement = BankStatement(
        filename=filename[:200],
        file_format=file_format,
        imported_at=now,
        imported_by=actor.email,
        lines_read=len(parsed.lines) + len(parsed.errors),
        lines_new=0,
        lines_duplicate=0,
        errors=parsed.errors,
    )
    session.add(statement)
    session.flush()
    checksums = [line.checksum for line in parsed.lines]
    known = set(session.scalars(select(BankTransaction.checksum).where(BankTransaction.checksum.in_(checksums))))
    rows = []
    for line in parsed.lines:
        if line.checksum in known:
            statement.lines_duplicate += 1
            continue
        known.add(line.checksum)
        rows.append(
            dict(
                statement_id=statement.id,
                line_number=line.line_number,
                booked_on=line.booked_on,
                amount=line.amount,
                currency=line.currency,
                payer=line.payer[:200],
                reference=line.reference[:500],
                bank_id=line.bank_id,
                checksum=line.checksum,
                status="unmatched",
                allocated=Decimal("0.00"),
                comment="",
                updated_at=now,
            )
        )
    statement.lines_new = len(rows)
    if rows:  # one executemany, not one ORM object a line (the parser already bounded every value)
        session.execute(insert(BankTransaction), rows)
    session.flush()
    return ImportResult(
        statement.id, statement.lines_new, statement.lines_duplicate, parsed.skipped_debits, parsed.errors
    )


def _locked_transaction(session: Session, transaction_id: int) -> BankTransaction:
    missing = _("Unknown bank transaction {id}.").format(id=str(transaction_id)[:30])
    transaction_id = clean_id(transaction_id, missing=missing)
    transaction = session.scalars(
        select(BankTransaction).where(BankTransaction.id == transaction_id).with_for_update()
    ).one_or_none()
    if transaction is None:
        raise InvalidInput(_("Unknown bank transaction {id}.").format(id=transaction_id))
    return transaction


def confirm_match(
    session: Session, *, actor: Actor, transaction_id: int, allocations: list[tuple[int, Decimal]]
) -> BankTransaction:
    """Record the transfer as a bank-transfer payment on each order (amount allocated to it);
    an order fully paid is validated by the payment service. Nothing is written on refusal."""
    from orders_core.services.ledger import confirm_payment

    require(actor, "reconciliation.manage")
    transaction = _locked_transaction(session, transaction_id)
    if transaction.status == "matched":
        raise InvalidInput(_("This transaction is already fully matched."))
    if transaction.status == "ignored":
        raise InvalidInput(_("This transaction is ignored."))
    remaining = Decimal(str(transaction.amount)) - Decimal(str(transaction.allocated))
    allocations = [
        (clean_id(order_id, missing=_("Unknown order.")), clean_decimal(amount, label=_("The amount")))
        for order_id, amount in allocations
    ]
    wanted = sum((a for _, a in allocations), Decimal("0"))
    if not allocations or wanted <= 0:
        raise InvalidInput(_("Choose at least one order and an amount."))
    if wanted > remaining:
        raise InvalidInput(
            _("The amounts ({wanted}) exceed what is left of the transfer ({remaining}).").format(
                wanted=wanted, remaining=remaining
            )
        )
    for order_id, amount in allocations:
        order = session.get(Order, order_id)
        if order is None:
            raise InvalidInput(_("Unknown order."))
        if order.currency != transaction.currency:
            raise InvalidInput(
                _("Order {number} is in {order_currency}, the transfer in {currency}.").format(
                    number=order.number, order_currency=order.currency, currency=transaction.currency
                )
            )
        confirmed = confirm_payment(
            session,
            actor=actor,
            order_id=order_id,
            method="bank_transfer",
            amount=Decimal(amount),
            received_at=transaction.booked_on,
            reference=" ".join(f"{transaction.payer} {transaction.reference}".split())[:200],
        )
        if confirmed.duplicate:
            raise InvalidInput(
                _("This transfer is already recorded as a payment of order {number}.").format(number=confirmed.number)
            )
        session.add(
            BankAllocation(
                transaction_id=transaction.id,
                order_id=order_id,
                payment_id=None,
                amount=Decimal(amount),
                created_at=datetime.now(UTC),
                actor=actor.email,
            )
        )
    transaction.allocated = Decimal(str(transaction.allocated)) + wanted
    transaction.status = (
        BankTransactionStatus.MATCHED
        if transaction.allocated == Decimal(str(transaction.amount))
        else BankTransactionStatus.PARTIAL
    )
    transaction.updated_at = datetime.now(UTC)
    session.flush()
    return transaction


def confirm_high_confidence(session: Session, *, actor: Actor, statement_id: int) -> ConfirmPlan:
    require(actor, "reconciliation.manage")
    plan = plan_high_confidence(session, statement_id)
    for transaction_id, suggestion in plan.items:
        confirm_match(
            session,
            actor=actor,
            transaction_id=transaction_id,
            allocations=list(zip(suggestion.order_ids, suggestion.allocations, strict=True)),
        )
    return plan


def ignore_transaction(session: Session, *, actor: Actor, transaction_id: int, comment: str) -> None:
    require(actor, "reconciliation.manage")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(_("Say why this transaction is ignored."))
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(_("The comment is too long ({n} characters at most).").format(n=MAX_COMMENT))
    transaction = _locked_transaction(session, transaction_id)
    if not may_ignore(transaction.status):
        raise InvalidInput(_("Only an unmatched transaction can be ignored."))
    transaction.status = BankTransactionStatus.IGNORED
    transaction.comment = comment
    transaction.updated_at = datetime.now(UTC)


def find_order_by_number(session: Session, number: int) -> Order:
    order = session.scalars(select(Order).where(Order.number == number)).one_or_none()
    if order is None:
        raise InvalidInput(_("No order has the number {number}.").format(number=number))
    return order


def statement_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(BankStatement)) or 0
