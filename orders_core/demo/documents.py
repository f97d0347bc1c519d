"""The demo's documents (issue 21): a fresh install has the seller's legal identity set, so its
invoice orders and its paid orders carry invoices, and its cancelled and refunded invoiced orders
credit notes, all issued through the services' own hooks (orders_core.documents.automatic):

- `write_seller_settings`, with the catalogue, before any order: a plausible French SAS whose
  SIREN, SIRET, VAT number, IBAN and BIC pass their checks (python-stdnum, schwifty). Settings
  an administrator saved already are kept;
- the paid orders are invoiced by the ledger as the batches are confirmed (`after_paid`);
- `invoice_awaiting`: the invoice orders awaiting payment get theirs, set-based (the hook the
  wizard calls when it creates one);
- `document_stories`: two invoice orders awaiting payment cancelled by finance (full credit
  notes); the refund stories of demo.ledger credit the refunded-and-cancelled order in full and
  the partially cancelled ones in part."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from orders_core.db import unit_of_work
from orders_core.demo.ledger import DEMO_FINANCE
from orders_core.documents.automatic import after_invoice_orders_placed
from orders_core.models import Order, SellerSettings
from orders_core.services.lifecycle import cancel_orders

SELLER: dict[str, Any] = dict(
    legal_name="Rencontres Numériques SAS",
    legal_form="SAS",
    share_capital="50 000 €",
    siren="814725396",
    siret="81472539600018",
    rcs_city="Paris",
    vat_number="FR76814725396",
    address="18 rue des Archives",
    postcode="75004",
    city="Paris",
    country="FR",
    email="facturation@rencontres-numeriques.example",
    phone="+33 1 84 00 00 00",
    iban="FR7630004000031234567890143",
    bic="BNPAFRPP",
    payment_terms="30 jours à réception de facture / 30 days from the invoice date",
    late_penalty_rate=Decimal("12.150"),
    invoice_pattern="F{YYYY}-{counter:05}",
    credit_note_pattern="A{YYYY}-{counter:05}",
    invoice_paid_orders="on_payment",
    updated_by="demo-loader",
)


def write_seller_settings(conn: Connection, now: datetime) -> bool:
    """The demo seller's identity, unless settings were saved already; True when written."""
    if conn.execute(select(SellerSettings.id)).first() is not None:
        return False
    conn.execute(insert(SellerSettings).values(id=1, updated_at=now, **SELLER))
    return True


def invoice_awaiting(engine: Engine, *, now: datetime) -> int:
    """Invoice the invoice orders awaiting payment (set-based); returns how many invoices."""
    with unit_of_work(engine) as session:
        ids = session.scalars(
            select(Order.id).where(
                Order.status == "awaiting_payment", Order.payment_mode == "invoice", Order.deleted_at.is_(None)
            )
        ).all()
        return len(after_invoice_orders_placed(session, ids, actor=DEMO_FINANCE, now=now))


def document_stories(engine: Engine) -> int:
    """Two invoiced orders awaiting payment cancelled by finance: their invoices credited in full."""
    with unit_of_work(engine) as session:
        ids = session.scalars(
            select(Order.id)
            .where(Order.status == "awaiting_payment", Order.payment_mode == "invoice", Order.deleted_at.is_(None))
            .order_by(Order.created_at, Order.id)
            .limit(2)
        ).all()
        if not ids:  # a demo too small to hold any
            return 0
        result = cancel_orders(
            session, actor=DEMO_FINANCE, order_ids=ids, reason="Annulée à la demande du client / Cancelled by the buyer"
        )
        return len(result.done)
