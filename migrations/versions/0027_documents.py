"""Issue 21: invoices, credit notes and e-tickets.

- `seller_settings`: the organiser's legal identity (one row), printed on every document.
- `invoices` and `invoice_lines`: issued documents, append-only: a trigger refuses any UPDATE or
  DELETE of them (and the app's role may not either): an issued document never changes (domain
  rule 14).
- `invoice_files`: each document's PDF, rendered once and kept, append-only as well.
- `attendees.ticket_secret` (unique): the secret in an e-ticket's QR code; existing attendees
  get one here. `ticket_voids`: the secrets that no longer admit, and why.
- `events.venue`, printed on the e-tickets; `outbox_emails.attachments`, the documents the
  sender renders and attaches.

Revision ID: 0027_documents
Revises: 0026_modify_drafts
"""

from alembic import op
import sqlalchemy as sa


revision = "0027_documents"
down_revision = "0026_modify_drafts"
branch_labels = None
depends_on = None

# Frozen copy of the tables this revision makes append-only (orders_core/privileges.py keeps the
# live list); the triggers are named and worded as those of 0013 (tests/db/test_privileges.py).
IMMUTABLE_TABLES = ("invoices", "invoice_lines", "invoice_files")


def _pg_function(table: str) -> str:
    return f"""
        CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only: % refused (an issued document never changes)', TG_OP;
        END $$"""


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        "seller_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=60), nullable=False),
        sa.Column("share_capital", sa.String(length=60), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("rcs_city", sa.String(length=100), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("payment_terms", sa.Text(), nullable=False),
        sa.Column("late_penalty_rate", sa.Numeric(6, 3), nullable=True),
        sa.Column("invoice_pattern", sa.String(length=60), nullable=False),
        sa.Column("credit_note_pattern", sa.String(length=60), nullable=False),
        sa.Column("invoice_paid_orders", sa.String(length=12), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_seller_settings_single_row")),
        sa.CheckConstraint(
            "invoice_paid_orders IN ('on_payment', 'on_request')",
            name=op.f("ck_seller_settings_invoice_paid_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_settings")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=254), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_ht", sa.Numeric(12, 2), nullable=False),
        sa.Column("total_tax", sa.Numeric(12, 2), nullable=False),
        sa.Column("total_ttc", sa.Numeric(12, 2), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("payment_reference", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seller", sa.JSON(), nullable=False),
        sa.Column("buyer", sa.JSON(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name=op.f("ck_invoices_kind")),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (corrects_id IS NOT NULL)", name=op.f("ck_invoices_credit_note_corrects")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")),
        sa.ForeignKeyConstraint(["corrects_id"], ["invoices.id"], name=op.f("fk_invoices_corrects_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    op.create_index("ix_invoices_corrects_id", "invoices", ["corrects_id"])
    op.create_index("ix_invoices_issued_at", "invoices", ["issued_at"])
    op.create_index("ix_invoices_series_number", "invoices", ["series", "number"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_ht", sa.Numeric(12, 2), nullable=False),
        sa.Column("discount_ht", sa.Numeric(12, 2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(6, 3), nullable=False),
        sa.Column("total_ht", sa.Numeric(12, 2), nullable=False),
        sa.Column("total_tax", sa.Numeric(12, 2), nullable=False),
        sa.Column("total_ttc", sa.Numeric(12, 2), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_invoice_lines_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.create_table(
        "invoice_files",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_files_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice_files")),
    )
    op.create_table(
        "ticket_voids",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendees.id"], name=op.f("fk_ticket_voids_attendee_id_attendees")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_voids")),
        sa.UniqueConstraint("secret", name=op.f("uq_ticket_voids_secret")),
    )
    op.create_index("ix_ticket_voids_attendee_id", "ticket_voids", ["attendee_id"])

    op.add_column("events", sa.Column("venue", sa.String(length=300), server_default="", nullable=False))
    op.add_column("outbox_emails", sa.Column("attachments", sa.JSON(), server_default="[]", nullable=False))
    op.add_column("attendees", sa.Column("ticket_secret", sa.String(length=64), nullable=True))
    postgres = op.get_bind().dialect.name == "postgresql"
    # 128 random bits from the database's own generator (PostgreSQL's is cryptographic; SQLite's
    # randomblob() too): the attendees of before this migration get unguessable secrets as well.
    random_text = "replace(gen_random_uuid()::text, '-', '')" if postgres else "lower(hex(randomblob(16)))"
    op.execute(f"UPDATE attendees SET ticket_secret = {random_text} WHERE ticket_secret IS NULL")
    op.create_index("uq_attendees_ticket_secret", "attendees", ["ticket_secret"], unique=True)

    for table in IMMUTABLE_TABLES:
        if postgres:
            op.execute(_pg_function(table))
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            for ddl in _sqlite_triggers(table):
                op.execute(ddl)


def downgrade() -> None:
    for table in IMMUTABLE_TABLES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        else:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_append_only_{operation}")
    op.drop_index("uq_attendees_ticket_secret", table_name="attendees")
    op.drop_column("attendees", "ticket_secret")
    op.drop_column("outbox_emails", "attachments")
    op.drop_column("events", "venue")
    op.drop_index("ix_ticket_voids_attendee_id", table_name="ticket_voids")
    op.drop_table("ticket_voids")
    op.drop_table("invoice_files")
    op.drop_index("ix_invoice_lines_invoice_id", table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_index("ix_invoices_series_number", table_name="invoices")
    op.drop_index("ix_invoices_issued_at", table_name="invoices")
    op.drop_index("ix_invoices_corrects_id", table_name="invoices")
    op.drop_index("ix_invoices_order_id", table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("seller_settings")
