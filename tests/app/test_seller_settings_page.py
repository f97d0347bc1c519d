"""The seller settings page (issue 21) through AppTest: an administrator sees what is missing,
fills the form and saves it (normalised values shown back); a bad IBAN or SIREN is named under
its field and nothing is saved; the next invoice number is previewed from the pattern typed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import SellerSettings
from tests.app.conftest import open_page
from tests.factories import make_seller_settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "seller_settings.py")
ADMIN = {"email": "admin@example.org", "role": "admin", "name": "Admin"}
YEAR = datetime.now(UTC).year

FILLED = {
    "legal_name": "Festival des Lumières SAS",
    "legal_form": "SAS",
    "siren": "732 829 320",
    "siret": "73282932000074",
    "vat_number": "FR44732829320",
    "address": "12 rue de la République",
    "postcode": "69002",
    "city": "Lyon",
    "iban": "fr76 3000 6000 0112 3456 7890 189",
    "bic": "agrifrpp",
    "payment_terms": "30 days from the invoice date",
    "late_penalty_rate": "12.15",
}


@pytest.fixture
def page(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return engine


def fill(at, values: dict[str, str]):
    for field, value in values.items():
        if field == "payment_terms":
            at.text_area(key=f"seller.{field}").input(value)
        else:
            at.text_input(key=f"seller.{field}").input(value)
    return at


def saved(engine) -> SellerSettings | None:
    with unit_of_work(engine) as session:
        row = session.scalars(select(SellerSettings)).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def test_a_fresh_install_lists_the_missing_settings_and_previews_the_first_numbers(page):
    at = open_page(PAGE, ADMIN)
    assert not at.exception
    assert [t.value for t in at.title] == ["Seller settings"]
    [warning] = at.warning
    assert warning.value.startswith("No invoice can be issued until these settings are filled in: Legal name, ")
    assert "IBAN" in warning.value and "Invoice number pattern" not in warning.value
    assert f"Next invoice number: `F{YEAR}-00001`" in [m.value for m in at.markdown]
    assert [s.value for s in at.subheader] == [
        "Identity",
        "Address and contact",
        "Bank details",
        "Payment terms",
        "Numbering",
    ]


def test_the_admin_fills_and_saves_and_sees_the_normalised_values(page):
    at = fill(open_page(PAGE, ADMIN), FILLED)
    at.button(key="seller.save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success][:1] == ["Seller settings saved."]
    assert "Every mandatory setting is filled in: invoices can be issued." in [s.value for s in at.success]
    assert at.text_input(key="seller.iban").value == "FR7630006000011234567890189"
    assert at.text_input(key="seller.siren").value == "732829320"
    [history] = at.expander
    assert history.label == "History of changes (1)"
    [changes] = history.dataframe[0].value["Changes (old → new)"]
    assert "IBAN: ∅ → FR7630006000011234567890189" in changes and "Legal name: ∅ → Festival des Lumières SAS" in changes
    row = saved(page)
    assert row is not None and (row.iban, row.bic, str(row.late_penalty_rate)) == (
        "FR7630006000011234567890189",
        "AGRIFRPP",
        "12.150",
    )


def test_bad_values_are_named_under_their_fields_and_nothing_is_saved(page):
    at = fill(open_page(PAGE, ADMIN), {**FILLED, "iban": "FR76 3000 6000 0112 3456 7890 188", "siren": "732829321"})
    at.button(key="seller.save").click().run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert messages == [  # under each field, then above the Save button
        "SIREN: not a valid SIREN (9 digits with a valid check digit).",
        "IBAN: not a valid IBAN (check its country code, length and check digits).",
        "The seller settings were not saved: correct SIREN, IBAN.",
    ]
    assert saved(page) is None
    # What was typed stays, to be corrected.
    assert at.text_input(key="seller.iban").value == "FR76 3000 6000 0112 3456 7890 188"


def test_the_preview_follows_the_pattern_typed_and_the_numbers_already_taken(page):
    with unit_of_work(page) as session:
        make_seller_settings(session, invoice_paid_orders="on_request")
    at = open_page(PAGE, ADMIN)
    at.text_input(key="seller.invoice_pattern").input("INV/{YY}{MM}/{counter}").run()
    today = datetime.now(UTC)
    assert f"Next invoice number: `INV/{today:%y%m}/1`" in [m.value for m in at.markdown]
    at.text_input(key="seller.credit_note_pattern").input("A{YYYY}").run()
    assert any("A number pattern ends with one {counter}" in c.value for c in at.caption)


def test_the_page_speaks_french(page, monkeypatch):
    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    at = fill(open_page(PAGE, ADMIN), {"iban": "FR00 1234"})
    at.button(key="seller.save").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Paramètres du vendeur"]
    assert [s.value for s in at.subheader][:3] == ["Identité", "Adresse et contact", "Coordonnées bancaires"]
    assert [e.value for e in at.error] == [
        "IBAN : ce n’est pas un IBAN valide (vérifiez le code du pays, la longueur et la clé).",
        "Les paramètres du vendeur n’ont pas été enregistrés : corrigez IBAN.",
    ]
    assert at.text_input(key="seller.legal_name").label == "Raison sociale"


def test_the_admins_to_do_list_links_to_the_page_while_a_setting_is_missing(page):
    with unit_of_work(page) as session:
        make_seller_settings(session, iban="", bic="")
    at = open_page(str(ROOT / "pages" / "home.py"), ADMIN, state={"ui.timezone": "UTC"})
    assert not at.exception
    links = {link.proto.label: link.proto for link in at.get("page_link")}
    link = links["Seller settings incomplete (**2** missing): no invoice can be issued"]
    assert link.page.endswith("seller-settings")
    with unit_of_work(page) as session:
        make_seller_settings(session)
    st.cache_data.clear()  # as a save through the page does
    at = open_page(str(ROOT / "pages" / "home.py"), ADMIN, state={"ui.timezone": "UTC"})
    assert not any("Seller settings" in link.proto.label for link in at.get("page_link"))
    assert any("seller settings" in c.value for c in at.caption)


def test_the_stored_settings_are_each_widgets_default_in_the_browser(page):
    """A run cut short before a field is drawn leaves the browser with the widget's default, which
    it then sends back as the field's value: the default must be the stored value, not a blank."""
    with unit_of_work(page) as session:
        make_seller_settings(session, invoice_paid_orders="on_request")
    at = open_page(PAGE, ADMIN)
    assert not at.exception
    stored = saved(page)
    assert stored is not None
    assert at.text_input(key="seller.iban").proto.default == stored.iban
    assert at.text_input(key="seller.country").proto.default == stored.country
    assert at.text_input(key="seller.invoice_pattern").proto.default == stored.invoice_pattern
    assert at.text_area(key="seller.payment_terms").proto.default == stored.payment_terms
    assert at.radio(key="seller.invoice_paid_orders").proto.default == 1  # "When someone asks for it"
