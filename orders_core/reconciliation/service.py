"""Reconciliation services: import a statement, confirm a match (a line's proposal or an
assignment by hand), ignore. Confirming every decided match in bulk is decisions.confirm_decided. Payments go through the payment service, which
validates an order once it is fully paid (attendees, emails, history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ARRAY, String, any_, func, literal, select
from sqlalchemy.orm import Session

from orders_core import bulk
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_decimal, clean_id
from orders_core.models import BankAllocation, BankStatement, BankTransaction, Order
from orders_core.permissions import Actor, require
from orders_core.reconciliation.classify import classify_statement
from orders_core.reconciliation.parsing import CsvOptions, ParsedStatement, StatementLine, read_statement
from orders_core.reconciliation.states import may_ignore
from orders_core.reconciliation.visibility import line_visible
from orders_core.scope import event_condition
from orders_core.settings import number_setting
from orders_core.status import BankDirection, BankTransactionStatus

MAX_COMMENT = 2000
# A month of an organiser's bank account is well under this; 50,000 CSV lines are about 4 MB (read
# in ~2 s, ~120 MB peak) and a 7.7 MB statement once took 21 s and 557 MB to parse and match
# before issue 16 (importing and classifying stay bounded: batches). Setting: ORDERS_STATEMENT_MAX_MB.
DEFAULT_STATEMENT_MAX_MB = 10.0


def max_statement_bytes() -> int:
    """The largest statement an import accepts, in bytes (`ORDERS_STATEMENT_MAX_MB`, default 10)."""
    return int(number_setting("ORDERS_STATEMENT_MAX_MB", DEFAULT_STATEMENT_MAX_MB) * 1_000_000)


# Lines looked up and inserted per statement: the duplicate lookup binds two checksums a line
# (2,000 parameters) and an insert 14 a row (14,000), under PostgreSQL's 65,535 and SQLite's
# 32,766 parameters a statement.
IMPORT_BATCH = 1000


@dataclass
class ImportResult:
    statement_id: int
    new: int
    duplicates: int
    skipped_debits: int  # always 0 since issue 16: outgoing lines are imported (`outgoing`)
    errors: list[str]
    outgoing: int = 0  # new outgoing (debit) lines
    file_format: str = "csv"  # the format read (detected from the content)


def import_statement(
    session: Session,
    *,
    actor: Actor,
    filename: str,
    content: bytes,
    file_format: str = "auto",
    csv_options: CsvOptions | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Store the statement's new lines, incoming and outgoing. A line already imported (same bank
    id, amount, date and direction; without a bank id, same date, amount, currency, payer and
    reference) is counted, not stored again; a reused bank id with other values is stored (the
    classifier flags it). The format is detected from the content (`file_format` is what the file
    claims: csv, camt053, mt940 or auto). Lines are checked and stored in batches of
    IMPORT_BATCH; `progress` is called with the fraction done (0 to 1) after each batch."""
    require(actor, "reconciliation.manage")
    limit = max_statement_bytes()
    if len(content) > limit:
        raise InvalidInput(
            _("The file has {size} MB; a statement may have at most {limit} MB. Import it in parts.").format(
                size=f"{len(content) / 1_000_000:.1f}", limit=f"{limit / 1_000_000:g}"
            )
        )
    try:
        parsed: ParsedStatement = read_statement(content, file_format, csv_options)
    except ValueError as unknown:
        raise InvalidInput(str(unknown)) from None
    if not parsed.lines and parsed.errors:
        raise InvalidInput(" ".join(parsed.errors))
    now = datetime.now(UTC)
    statement = BankStatement(
        filename=filename[:200],
        file_format=parsed.file_format,
        imported_at=now,
        imported_by=actor.email,
        lines_read=len(parsed.lines) + len(parsed.errors),
        lines_new=0,
        lines_duplicate=0,
        errors=parsed.errors,
    )
    session.add(statement)
    session.flush()
    seen: set[str] = set()
    new = outgoing = 0
    total = len(parsed.lines)
    for start in range(0, total, IMPORT_BATCH):
        batch = parsed.lines[start : start + IMPORT_BATCH]
        known = _known_lines(session, batch)
        rows = []
        for line in batch:
            if line.checksum in seen or line.checksum in known or _same_as_legacy(line, known):
                statement.lines_duplicate += 1
                continue
            seen.add(line.checksum)
            outgoing += line.direction is BankDirection.DEBIT
            rows.append(
                dict(
                    statement_id=statement.id,
                    line_number=line.line_number,
                    booked_on=line.booked_on,
                    amount=line.amount,
                    direction=line.direction.value,
                    currency=line.currency,
                    payer=line.payer[:200],
                    reference=line.reference[:500],
                    bank_id=line.bank_id[:100] if line.bank_id else None,
                    checksum=line.checksum,
                    status=BankTransactionStatus.UNMATCHED.value,
                    allocated=Decimal("0.00"),
                    comment="",
                    updated_at=now,
                )
            )
        if rows:  # COPY on PostgreSQL, one executemany on SQLite (the parser bounded every value)
            bulk.insert_rows(session.connection(), "bank_transactions", rows)
            new += len(rows)
        if progress is not None:  # storing is the first half of the work, classifying the second
            progress(min(1.0, (start + len(batch)) / total) / 2)
    statement.lines_new = new
    session.flush()
    classify_statement(  # issue 16: every line gets its stored classification
        session,
        statement.id,
        progress=None if progress is None else (lambda done, of: progress(0.5 + (done / of if of else 1.0) / 2)),
    )
    if progress is not None and not total:
        progress(1.0)
    return ImportResult(
        statement.id,
        new,
        statement.lines_duplicate,
        0,
        parsed.errors,
        outgoing=outgoing,
        file_format=parsed.file_format,
    )


def _known_lines(session: Session, batch: list[StatementLine]) -> dict[str, tuple[Decimal, date, str]]:
    """Checksum -> (amount, date, direction) of the stored lines that one of `batch` may repeat:
    by today's checksum, or by the checksum a bank id alone gave before issue 16."""
    keys = {line.checksum for line in batch} | {line.legacy_checksum for line in batch if line.legacy_checksum}
    t = bulk.table("bank_transactions")
    conn = session.connection()
    # PostgreSQL: one array parameter (= ANY), three times faster than 2,000 bound values.
    matching = (
        t.c.checksum == any_(literal(sorted(keys), ARRAY(String)))
        if conn.dialect.name == "postgresql"
        else t.c.checksum.in_(keys)
    )
    found = conn.execute(select(t.c.checksum, t.c.amount, t.c.booked_on, t.c.direction).where(matching))
    return {
        checksum: (Decimal(str(amount)).quantize(Decimal("0.01")), booked_on, str(direction))
        for checksum, amount, booked_on, direction in found
    }


def _same_as_legacy(line: StatementLine, known: dict[str, tuple[Decimal, date, str]]) -> bool:
    """A line stored before issue 16 under its bank id alone is the same line when its amount,
    date and direction are the same too (else the bank reused its id: a new line)."""
    stored = known.get(line.legacy_checksum) if line.legacy_checksum else None
    return stored == (line.amount, line.booked_on, line.direction.value)


def _locked_transaction(session: Session, transaction_id: int, actor: Actor) -> BankTransaction:
    """The line, locked; another team's line (issue 17) is refused like an unknown one."""
    missing = _("Unknown bank transaction {id}.").format(id=str(transaction_id)[:30])
    transaction_id = clean_id(transaction_id, missing=missing)
    transaction = session.scalars(
        select(BankTransaction)
        .where(BankTransaction.id == transaction_id, line_visible(BankTransaction.id, actor))
        .with_for_update()
    ).one_or_none()
    if transaction is None:
        raise InvalidInput(_("Unknown bank transaction {id}.").format(id=transaction_id))
    return transaction


def confirm_match(
    session: Session, *, actor: Actor, transaction_id: int, allocations: list[tuple[int, Decimal]]
) -> BankTransaction:
    """Record the transfer as a bank-transfer payment on each order (amount allocated to it);
    an order fully paid is validated by the payment service. Nothing is written on refusal. An
    order outside the actor's events is refused like an unknown order (issue 17)."""
    from orders_core.services.ledger import confirm_payment

    require(actor, "reconciliation.manage")
    transaction = _locked_transaction(session, transaction_id, actor)
    if transaction.status == "matched":
        raise InvalidInput(_("This transaction is already fully matched."))
    if transaction.status == "ignored":
        raise InvalidInput(_("This transaction is ignored."))
    if transaction.direction == BankDirection.DEBIT:  # issue 16: imported, but money that went out
        raise InvalidInput(_("This line is money paid out: it cannot pay an order."))
    if Decimal(str(transaction.amount)) == 0:
        raise InvalidInput(_("This line has a zero amount: it cannot pay an order."))
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
        if order is None or not actor.sees_event(order.event_id):
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
    classify_statement(session, transaction.statement_id, transaction_ids=[transaction.id])
    return transaction


def ignore_transaction(session: Session, *, actor: Actor, transaction_id: int, comment: str) -> None:
    require(actor, "reconciliation.manage")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(_("Say why this transaction is ignored."))
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(_("The comment is too long ({n} characters at most).").format(n=MAX_COMMENT))
    transaction = _locked_transaction(session, transaction_id, actor)
    if not may_ignore(transaction.status):
        raise InvalidInput(_("Only an unmatched transaction can be ignored."))
    transaction.status = BankTransactionStatus.IGNORED
    transaction.comment = comment
    transaction.updated_at = datetime.now(UTC)
    session.flush()
    classify_statement(session, transaction.statement_id, transaction_ids=[transaction.id])


def find_order_by_number(session: Session, number: int, *, actor: Actor) -> Order:
    """The order with this number among the actor's events (another event's reads as none)."""
    order = session.scalars(
        select(Order).where(Order.number == number, event_condition(Order.event_id, actor))
    ).one_or_none()
    if order is None:
        raise InvalidInput(_("No order has the number {number}.").format(number=number))
    return order


def statement_count(session: Session) -> int:
    """The organisation's statements (no event: the same for every principal)."""
    return session.scalar(select(func.count()).select_from(BankStatement)) or 0
