"""Issue 17, scope specs of bank reconciliation (queries/reconciliation.py and
orders_core/reconciliation/service.py). The world gets one statement of the organisation's bank
account whose lines pay both events: ours (Montréal, CAD) and theirs (Zürich, CHF: their buyer's
name as payer, their order numbers as references, their amounts). A principal scoped to ours sees
only our lines and a count of the others; confirming or ignoring one of theirs is refused like
an unknown line. (The decisions module and live suggestions are tested in
tests/db/test_reconciliation_scope.py.)"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation import service
from queries import reconciliation as queries
from tests.factories import NOW
from tests.scope.harness import Context, read, unscoped, write
from tests.scope.world import WORLD_BUILDERS, World

SYSTEM_FINANCE = Actor("finance@head-office.example", "finance")


def _balance(session: Session, order_id: int) -> str:
    order = session.get(Order, order_id)
    assert order is not None
    return f"{Decimal(str(order.total_ttc)) - Decimal(str(order.amount_paid)):.2f}".replace(".", ",")


def statement_csv(session: Session, world: World) -> bytes:
    """Ours: our pending order paid exactly, a line linked to no order. Theirs: their pending order
    paid exactly, a second payment of their paid order, and their refund paid out."""
    day = NOW.date().strftime("%d/%m/%Y")
    ours, theirs = world.ours, world.theirs
    rows = [
        f"{day};{_balance(session, ours.pending_id)};CAD;MSCOPEina MSCOPEson;CMD {ours.pending_number}",
        f"{day};{_balance(session, theirs.pending_id)};CHF;ZSECRETina ZSECRETson;CMD {theirs.pending_number}",
        f"{day};50,77;CHF;ZSECRET SA;Commande {theirs.paid_number}",
        f"{day};-1,00;CHF;ZSECRETina ZSECRETson;Remboursement {theirs.paid_number}",
        f"{day};12,34;CAD;Somebody;no reference",
    ]
    return ("Date;Montant;Devise;Donneur d'ordre;Communication\n" + "\n".join(rows) + "\n").encode()


def build_statement(session: Session, world: World) -> None:
    content = statement_csv(session, world)
    result = service.import_statement(session, actor=SYSTEM_FINANCE, filename="bank-november.csv", content=content)
    lines = {
        t.line_number: t.id
        for t in session.scalars(select(BankTransaction).where(BankTransaction.statement_id == result.statement_id))
    }
    ordered = [lines[n] for n in sorted(lines)]
    world.extra["statement_id"] = result.statement_id
    world.extra["our_line_id"], world.theirs.extra["line_id"] = ordered[0], ordered[1]
    world.extra["neutral_line_id"] = ordered[4]


WORLD_BUILDERS.append(build_statement)


def _statement(ctx: Context) -> int:
    return int(ctx.world.extra["statement_id"])


# -- queries/reconciliation.py ---------------------------------------------------------------
read(
    queries.statements,
    lambda ctx: queries.statements(ctx.engine, principal=ctx.principal),
    control=False,
    why="statements are the organisation's bank account: file name, importer and line counts, no order",
)
read(
    queries.statement_report,
    lambda ctx: queries.statement_report(ctx.engine, _statement(ctx), principal=ctx.principal),
)
read(
    queries.classification_counts,
    lambda ctx: queries.classification_counts(ctx.engine, _statement(ctx), principal=ctx.principal),
    control=False,
    why="counts per classification only (numbers, never an order, an amount or a currency)",
)
read(
    queries.classified_lines,
    lambda ctx: queries.classified_lines(ctx.engine, _statement(ctx), None, 100, 0, principal=ctx.principal),
)
read(
    queries.decided_plan,
    lambda ctx: queries.decided_plan(ctx.engine, _statement(ctx), principal=ctx.principal),
)

# -- orders_core/reconciliation/service.py -----------------------------------------------------
read(
    service.import_statement,
    lambda ctx: service.import_statement(
        ctx.session,
        actor=ctx.principal,
        filename="again.csv",
        content=statement_csv(ctx.session, ctx.world).replace(b"12,34", b"56,78"),
    ),
    control=False,
    why="importing stays open to every finance user (the organisation's account); the result is counts",
)
write(
    service.confirm_match,
    lambda ctx: service.confirm_match(
        ctx.session,
        actor=ctx.principal,
        transaction_id=ctx.world.theirs.extra["line_id"],
        allocations=[
            (ctx.world.theirs.pending_id, Decimal(_balance(ctx.session, ctx.world.theirs.pending_id).replace(",", ".")))
        ],
    ),
    control_role="finance",
)
write(
    service.ignore_transaction,
    lambda ctx: service.ignore_transaction(
        ctx.session, actor=ctx.principal, transaction_id=ctx.world.theirs.extra["line_id"], comment="not ours"
    ),
    control_role="finance",
)
read(
    service.find_order_by_number,
    lambda ctx: (
        service.find_order_by_number(ctx.session, ctx.world.theirs.pending_number, actor=ctx.principal).buyer_last_name
    ),
)
unscoped(service.statement_count, "counts the organisation's statements: no event, no order")
