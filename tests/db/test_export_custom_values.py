"""Exports carry the custom form values of the orders (rule 6), one column per field."""

import io
from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from orders_core.db import unit_of_work
from orders_core.models import FieldValue, FormField
from orders_core.permissions import Actor
from queries.export import export_csv, export_xlsx
from queries.grid import GridFilters
from tests.factories import make_event, make_order, make_tariff

EXPORTER = Actor("finance@example.org", "finance")


def build(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("50.00"))
        field = FormField(
            event_id=event.id,
            form="buyer",
            key="job_title",
            field_type="text",
            label_en="Job title",
            label_fr="Fonction",
            required=False,
            options=[],
            position=0,
            active=True,
        )
        session.add(field)
        session.flush()
        with_value = make_order(session, event, [(badge, 1)])
        without_value = make_order(session, event, [(badge, 1)])
        session.add(FieldValue(order_id=with_value.id, order_item_id=None, field_id=field.id, value="CTO"))
        return with_value.number, without_value.number


def test_the_csv_export_has_a_column_per_custom_field_with_each_order_value(engine):
    with_value, without_value = build(engine)
    out = io.BytesIO()
    export_csv(engine, GridFilters(), out, principal=EXPORTER)
    frame = pd.read_csv(io.BytesIO(out.getvalue()), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    by_number = frame.set_index(frame.columns[0])
    assert by_number.loc[str(with_value), "Job title"] == "CTO"
    assert by_number.loc[str(without_value), "Job title"] == ""


def test_the_xlsx_export_has_the_custom_column_too(engine):
    with_value, _ = build(engine)
    out = io.BytesIO()
    export_xlsx(engine, GridFilters(), out, principal=EXPORTER)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Job title")
    assert [row[column] for row in rows[1:] if str(row[0]) == str(with_value)] == ["CTO"]
