"""Bank lines that decide (issue 16): outgoing and zero lines, a stored classification per line,
and refunds matched to outgoing lines.

- `bank_transactions.direction`: `credit` (money in, every line imported so far) or `debit`
  (money out: refunds paid by the bank). `amount` stays the line's magnitude; the CHECK
  `ck_bank_transactions_allocation` is widened from `amount > 0` to `amount >= 0` so that a
  zero line is imported (and classified "ignored") instead of refused.
- `bank_line_classes`: one row per statement line, written by the classifier and reused by the
  page (never recomputed on a click): the classification (matched, partial, overpaid,
  already_paid, cancelled_order, currency_mismatch, refund, duplicate, ignored, no_match), the
  reason's key and parameters (translated when shown), the order and the refund the line points
  at, the score of the match, and whether it is decided (may be confirmed in bulk).
- `bank_refund_allocations`: the part of an outgoing line matched to a recorded refund (an
  incoming line's allocations stay in `bank_allocations`, with their payment). A table of its
  own rather than a column on `bank_allocations`: SQLite cannot drop a column that carries a
  foreign key, and the two kinds never mix.

Existing lines get `direction = 'credit'` and no classification row (the classifier writes them
when their statement is next shown or re-classified).

Revision ID: 0022_bank_lines
Revises: 0021_email_kinds
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0022_bank_lines"
down_revision = "0021_email_kinds"
branch_labels = None
depends_on = None

# Frozen copies at this revision (orders_core.reconciliation.states.LineClass, Direction).
CLASSES = (
    "matched",
    "partial",
    "overpaid",
    "already_paid",
    "cancelled_order",
    "currency_mismatch",
    "refund",
    "duplicate",
    "ignored",
    "no_match",
)
DIRECTIONS = ("credit", "debit")
ALLOCATION_BEFORE = "amount > 0 AND allocated >= 0 AND allocated <= amount"
ALLOCATION_AFTER = "amount >= 0 AND allocated >= 0 AND allocated <= amount"
CONSTRAINT = "ck_bank_transactions_allocation"
TABLE = "bank_transactions"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_allocation_check(condition: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} CHECK ({condition})")
        return
    _sqlite_rewrite_check(bind, condition)


def _sqlite_rewrite_check(bind, condition: str) -> None:
    """SQLite: the CHECK's text is changed in the table's own CREATE TABLE, nothing else (why not
    a batch rebuild: see 0020_box_office). Every stored row satisfies the new condition: upgrade
    widens it; downgrade first deletes the zero lines it would refuse."""
    (sql,) = bind.exec_driver_sql(f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'").one()
    pattern = re.compile(rf"(CONSTRAINT {CONSTRAINT} CHECK \()[^)]*(\))")
    rewritten, found = pattern.subn(lambda m: m.group(1) + condition + m.group(2), sql)
    if found != 1:
        raise RuntimeError(f"{CONSTRAINT} not found in the {TABLE} table's schema")
    (version,) = bind.exec_driver_sql("PRAGMA schema_version").one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(f"UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = '{TABLE}'", (rewritten,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    (check,) = bind.exec_driver_sql("PRAGMA quick_check").one()
    if check != "ok":
        raise RuntimeError(f"SQLite quick_check after changing {CONSTRAINT}: {check}")


def upgrade() -> None:
    _set_allocation_check(ALLOCATION_AFTER)
    op.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN direction VARCHAR(6) DEFAULT 'credit' NOT NULL "
        f"CONSTRAINT ck_bank_transactions_direction CHECK ({_in('direction', DIRECTIONS)})"
    )
    op.create_table(
        "bank_refund_allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_bank_refund_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_refund_allocations_transaction_id_bank_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_bank_refund_allocations_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_refund_allocations")),
    )
    op.create_index("ix_bank_refund_allocations_transaction_id", "bank_refund_allocations", ["transaction_id"])
    op.create_index("ix_bank_refund_allocations_refund_id", "bank_refund_allocations", ["refund_id"], unique=True)
    op.create_table(
        "bank_line_classes",
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("decided", sa.Boolean(), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("classification", CLASSES), name=op.f("ck_bank_line_classes_classification")),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name=op.f("ck_bank_line_classes_score")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_line_classes_transaction_id_bank_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["bank_statements.id"], name=op.f("fk_bank_line_classes_statement_id_bank_statements")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_bank_line_classes_order_id_orders")),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name=op.f("fk_bank_line_classes_refund_id_refunds")),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_bank_line_classes")),
    )
    op.create_index(
        "ix_bank_line_classes_statement_id_classification",
        "bank_line_classes",
        ["statement_id", "classification"],
    )
    op.create_index("ix_bank_line_classes_order_id", "bank_line_classes", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_bank_line_classes_order_id", table_name="bank_line_classes")
    op.drop_index("ix_bank_line_classes_statement_id_classification", table_name="bank_line_classes")
    op.drop_table("bank_line_classes")
    op.drop_table("bank_refund_allocations")
    # Outgoing and zero lines cannot exist before this revision: they go (an outgoing line has no
    # allocation left once bank_refund_allocations is gone; a zero line never had one).
    op.execute(f"DELETE FROM {TABLE} WHERE direction = 'debit' OR amount = 0")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN direction")
    _set_allocation_check(ALLOCATION_BEFORE)
