"""box office (issue 20): an order paid at the desk shows how it was paid.

- `orders.payment_mode` takes a fifth value, `box_office` (label "At the box office"): the
  CHECK constraint `ck_orders_payment_mode` is widened: on PostgreSQL dropped and added again;
  on SQLite its text is changed in the table's CREATE TABLE (see `_sqlite_rewrite_check` for
  why not 0015_limits' table rebuild), so triggers, indexes and column-level CHECKs stay as
  they are.
- Backfill, after the triggers are back (so the dashboard summaries follow the new mode). From
  now on the ledger sets the mode when a payment settles an order (orders_core.order_rules.
  settled_payment_mode); for the orders settled before, the same rule is applied to what the
  database recorded. An order becomes `box_office` when:
  - it is an organiser order (`source = 'organizer'`) whose mode is `invoice` or `undefined`;
  - its settlement (the payment with `purpose = 'settlement'`, one per order) was taken by a
    box-office method: cash, card or cheque;
  - it never waited for an invoice to be paid: no history entry of the order moved it to
    `awaiting_payment`. The status just before the settlement is not stored, so an order that
    was ever awaiting payment on invoice keeps "On invoice" (an invoice paid by cheque is
    never relabelled; the wizard's paid offline and desk payments on undecided orders are).
  Refunded or cancelled later, an order paid at the desk was still paid there: the status
  does not matter.
- Downgrade: `box_office` orders go back to `invoice` (what the paid offline gave them before;
  `undefined` is only for unfinished carts), then the constraint is narrowed again.

Revision ID: 0020_box_office
Revises: 0019_reminders
"""

import re

from alembic import op

revision = "0020_box_office"
down_revision = "0019_reminders"
branch_labels = None
depends_on = None

# Frozen copies of orders_core.status at this revision.
MODES_BEFORE = ("online", "invoice", "free", "undefined")
MODES_AFTER = (*MODES_BEFORE, "box_office")
BOX_OFFICE_METHODS = ("cash", "card", "cheque")
CONSTRAINT = "ck_orders_payment_mode"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_constraint(modes: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("orders") as batch:
            batch.drop_constraint(op.f(CONSTRAINT), type_="check")
            batch.create_check_constraint(op.f(CONSTRAINT), _in("payment_mode", modes))
        return
    _sqlite_rewrite_check(bind, _in("payment_mode", modes))


def _sqlite_rewrite_check(bind, condition: str) -> None:
    """SQLite: the CHECK's text is changed in the table's own CREATE TABLE, nothing else. A
    rebuild (0015_limits' batch copy) would keep triggers and indexes, but it turns the
    column-level CHECKs 0016 and 0018 added with their columns (`ADD COLUMN ... CONSTRAINT ...
    CHECK`) into table-level ones, which SQLite's `DROP COLUMN` in their downgrades refuses.
    SQLite documents this edit of sqlite_schema as safe for CHECK constraints (ALTER TABLE,
    "making other kinds of table schema changes"): no stored row changes format, and every row
    already satisfies the new condition (upgrade widens it; downgrade first relabels the rows)."""
    (sql,) = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'orders'").one()
    pattern = re.compile(rf"(CONSTRAINT {CONSTRAINT} CHECK \()payment_mode IN \([^)]*\)(\))")
    rewritten, found = pattern.subn(lambda m: m.group(1) + condition + m.group(2), sql)
    if found != 1:
        raise RuntimeError(f"{CONSTRAINT} not found in the orders table's schema")
    (version,) = bind.exec_driver_sql("PRAGMA schema_version").one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'orders'", (rewritten,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    (check,) = bind.exec_driver_sql("PRAGMA quick_check").one()
    if check != "ok":
        raise RuntimeError(f"SQLite quick_check after changing {CONSTRAINT}: {check}")


def _status_new(bind) -> str:
    """The status a history entry moved its order to (NULL when it changed none)."""
    if bind.dialect.name == "postgresql":
        return "h.details -> 'status' ->> 'new'"
    return "json_extract(h.details, '$.status.new')"


def upgrade() -> None:
    _set_constraint(MODES_AFTER)
    bind = op.get_bind()
    methods = ", ".join(f"'{m}'" for m in BOX_OFFICE_METHODS)
    op.execute(
        f"""UPDATE orders SET payment_mode = 'box_office'
            WHERE source = 'organizer' AND payment_mode IN ('invoice', 'undefined')
              AND EXISTS (SELECT 1 FROM payments s WHERE s.order_id = orders.id
                          AND s.purpose = 'settlement' AND s.method IN ({methods}))
              AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = orders.id
                              AND {_status_new(bind)} = 'awaiting_payment')"""
    )


def downgrade() -> None:
    op.execute("UPDATE orders SET payment_mode = 'invoice' WHERE payment_mode = 'box_office'")
    _set_constraint(MODES_BEFORE)
