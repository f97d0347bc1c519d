"""The form fields admin page through AppTest: add a field, refuse an invalid one with a clear
message, reorder and deactivate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import FormField
from tests.app.conftest import open_page
from tests.factories import make_event

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "form_fields.py")
ADMIN = {"id": 1, "email": "admin@example.org", "role": "admin", "name": "Admin"}


@pytest.fixture
def event_id(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        return make_event(session, name="Forms Summit").id


def add(at: AppTest, label_en: str, label_fr: str, field_type: str = "text", options: str = "") -> AppTest:
    at.text_input(key="form_fields.new_label_en").input(label_en)
    at.text_input(key="form_fields.new_label_fr").input(label_fr)
    at.selectbox(key="form_fields.new_type").set_value(field_type)
    at.text_area(key="form_fields.new_options").input(options)
    return at.button(key="FormSubmitter:form_fields.add-Add the field").click().run()


def test_an_admin_adds_reorders_and_deactivates_buyer_fields(engine, event_id):
    at = open_page(PAGE, ADMIN)
    assert any("the default fields apply" in i.value for i in at.info)

    add(at, "Dietary needs", "Régime", "select", "")
    assert any("needs at least two options" in e.value for e in at.error)
    add(at, "Dietary needs", "Régime", "select", "none\nvegan")
    add(at, "Job title", "Fonction")
    assert not at.exception
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(FormField.key, FormField.options, FormField.position)
            .where(FormField.event_id == event_id)
            .order_by(FormField.position)
        ).all()
        assert rows == [("dietary_needs", ["none", "vegan"], 0), ("job_title", [], 1)]

    at.selectbox(key="form_fields.chosen").set_value(_id(engine, "job_title")).run()
    at.button(key="form_fields.up").click().run()
    at.button(key="form_fields.toggle").click().run()
    with unit_of_work(engine) as session:
        fields = session.execute(select(FormField.key, FormField.active).order_by(FormField.position)).all()
        assert fields == [("job_title", False), ("dietary_needs", True)]


def _id(engine, key: str) -> int:
    with unit_of_work(engine) as session:
        return session.scalars(select(FormField.id).where(FormField.key == key)).one()
