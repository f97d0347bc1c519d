"""The demo catalogue written to the database: events, tariffs, codes and form fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from orders_core import bulk
from orders_core.demo.catalogue_data import (
    EVENTS,
    FORM_FIELDS,
)
from orders_core.money import Discount
from orders_core.payment_terms import Terms


@dataclass
class DemoTariff:
    id: int
    kind: str
    name: str
    price: Decimal
    tax_rate: Decimal


@dataclass
class DemoCode:
    code: str
    discount: Discount
    only_kind: str | None


@dataclass
class DemoEvent:
    id: int
    key: str
    currency: str
    language: str
    community: bool
    starts_at: datetime
    sales_open: datetime
    tariffs: list[DemoTariff]
    codes: list[DemoCode]
    fields: dict[str, int] = field(default_factory=dict)
    timezone: str = "UTC"
    terms: Terms = Terms()
    seated: bool = False


def load_catalogue(conn: Connection, today: datetime, counts: dict[str, int]) -> list[DemoEvent]:
    event_id = bulk.next_id(conn, "events")
    tariff_id = bulk.next_id(conn, "tariffs")
    code_id = bulk.next_id(conn, "discount_codes")
    field_id = bulk.next_id(conn, "form_fields")
    rows: dict[str, list[dict[str, Any]]] = {
        n: [] for n in ("events", "tariffs", "discount_codes", "discount_code_tariffs", "form_fields")
    }
    events = []
    for spec in EVENTS:
        starts_at = today + timedelta(days=spec["starts_in_days"], hours=8)
        rows["events"].append(
            dict(
                id=event_id,
                name=spec["name"],
                starts_at=starts_at,
                ends_at=starts_at + timedelta(days=spec["duration_days"], hours=-8 + 18),
                timezone=spec["timezone"],
                currency=spec["currency"],
                language=spec["language"],
                seated=spec["seated"],
                community=spec["community"],
                bank_details=spec["bank_details"],
                payment_terms_days=spec["payment_terms_days"],
                payment_due_days_before_event=spec["payment_due_days_before_event"],
                expire_after_days=None,  # expiry is off by default: the demo shows overdue orders instead
                archived_at=None,
                created_at=starts_at - timedelta(days=200),
            )
        )
        event = DemoEvent(
            event_id,
            spec["key"],
            spec["currency"],
            spec["language"],
            spec["community"],
            starts_at,
            starts_at - timedelta(days=180),
            [],
            [],
            timezone=spec["timezone"],
            terms=Terms(spec["payment_terms_days"], spec["payment_due_days_before_event"]),
            seated=spec["seated"],
        )
        for kind, name, name_fr, price, rate, capacity in spec["tariffs"]:
            rows["tariffs"].append(
                dict(
                    id=tariff_id,
                    event_id=event_id,
                    kind=kind,
                    name=name,
                    name_fr=name_fr,
                    unit_price_ht=price,
                    tax_rate=rate,
                    currency=spec["currency"],
                    capacity=capacity,
                    sales_start=event.sales_open,
                    sales_end=starts_at,
                    active=True,
                    created_at=event.sales_open - timedelta(days=10),
                )
            )
            event.tariffs.append(DemoTariff(tariff_id, kind, name, price, rate))
            tariff_id += 1
        for code, percent, amount, only_kind in spec["codes"]:
            rows["discount_codes"].append(
                dict(
                    id=code_id,
                    event_id=event_id,
                    code=code,
                    percent_off=percent,
                    amount_off=amount,
                    max_uses=None,
                    valid_from=event.sales_open,
                    valid_until=starts_at,
                    active=True,
                    created_at=event.sales_open,
                )
            )
            for t in event.tariffs:
                if only_kind and t.kind == only_kind:
                    rows["discount_code_tariffs"].append(dict(discount_code_id=code_id, tariff_id=t.id))
            event.codes.append(DemoCode(code, Discount(percent_off=percent, amount_off=amount), only_kind))
            code_id += 1
        for position, (form, key, ftype, label_en, label_fr, required, options) in enumerate(FORM_FIELDS):
            rows["form_fields"].append(
                dict(
                    id=field_id,
                    event_id=event_id,
                    form=form,
                    key=key,
                    field_type=ftype,
                    label_en=label_en,
                    label_fr=label_fr,
                    required=required,
                    options=options,
                    position=position,
                    active=True,
                )
            )
            event.fields[key] = field_id
            field_id += 1
        events.append(event)
        event_id += 1
    for name, table_rows in rows.items():
        bulk.insert_rows(conn, name, table_rows)
        counts[name] = len(table_rows)
    return events
