"""Saving the seller settings (issue 21) on SQLite and PostgreSQL: a valid save round-trips,
normalised; each bad identifier is named in the message and nothing is saved; only an
administrator may save; every change is logged in the catalogue history (entity `seller`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from orders_core.db import unit_of_work
from orders_core.documents.seller import missing_settings, seller_settings
from orders_core.documents.seller_service import SellerSettingsInvalid, save_seller_settings
from orders_core.errors import NotAllowed
from orders_core.i18n import set_locale
from orders_core.migrate import alembic_config, downgrade, upgrade
from orders_core.models import CatalogueHistory, SellerSettings
from orders_core.permissions import Actor

ADMIN = Actor("admin@example.org", "admin")

VALID = dict(
    legal_name="Festival des Lumières SAS",
    legal_form="SAS",
    share_capital="10 000 €",
    siren="732 829 320",
    siret="732 829 320 00074",
    rcs_city="Lyon",
    vat_number="fr 44 732829320",
    address="12 rue de la République",
    postcode="69002",
    city="Lyon",
    country="fr",
    email="billing@festival.example.org",
    phone="+33 4 72 00 00 00",
    iban="fr76 3000 6000 0112 3456 7890 189",
    bic="agrifrpp",
    payment_terms="30 days from the invoice date",
    late_penalty_rate="12,15",
    invoice_pattern=" F{YYYY}-{counter:05} ",
    credit_note_pattern="A{YYYY}-{counter:05}",
    invoice_paid_orders="on_request",
)


def _saved(engine) -> SellerSettings | None:
    with unit_of_work(engine) as session:
        row = session.get(SellerSettings, 1)
        if row is not None:
            session.expunge(row)
        return row


def _history(engine) -> list[CatalogueHistory]:
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(CatalogueHistory).order_by(CatalogueHistory.id)))
        session.expunge_all()
        return rows


def _save(engine, actor=ADMIN, **values):
    with unit_of_work(engine) as session:
        save_seller_settings(session, actor=actor, values=values)


def test_a_valid_save_round_trips_normalised_and_leaves_nothing_missing(engine):
    _save(engine, **VALID)
    row = _saved(engine)
    assert row is not None
    assert (row.siren, row.siret, row.vat_number) == ("732829320", "73282932000074", "FR44732829320")
    assert (row.iban, row.bic, row.country) == ("FR7630006000011234567890189", "AGRIFRPP", "FR")
    assert row.late_penalty_rate == Decimal("12.150")
    assert row.invoice_pattern == "F{YYYY}-{counter:05}"
    assert row.invoice_paid_orders == "on_request"
    assert row.legal_name == "Festival des Lumières SAS"
    assert row.updated_by == ADMIN.email and row.updated_at is not None
    with unit_of_work(engine) as session:
        assert missing_settings(seller_settings(session)) == []


def test_the_first_save_creates_the_row_and_keeps_the_defaults_of_fields_not_given(engine):
    _save(engine, legal_name="Lumières SAS", iban="FR76 3000 6000 0112 3456 7890 189")
    row = _saved(engine)
    assert row is not None and row.legal_name == "Lumières SAS"
    assert (row.invoice_pattern, row.credit_note_pattern) == ("F{YYYY}-{counter:05}", "A{YYYY}-{counter:05}")
    with unit_of_work(engine) as session:
        missing = missing_settings(seller_settings(session))
    assert "IBAN" not in missing and "SIREN" in missing and "Legal form" in missing


@pytest.mark.parametrize(
    "field, value, named",
    [
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "IBAN"),
        ("bic", "AGRIXXPP", "BIC"),
        ("siren", "732829321", "SIREN"),
        ("siret", "73282932000075", "SIRET"),
        ("siret", "40483304800022", "SIRET"),  # a valid SIRET of another SIREN
        ("vat_number", "FR00732829320", "VAT number"),
        ("vat_number", "FR83404833048", "VAT number"),  # a valid French VAT number of another SIREN
        ("late_penalty_rate", "101", "Late-penalty rate"),
        ("late_penalty_rate", "-1", "Late-penalty rate"),
        ("late_penalty_rate", "a lot", "Late-penalty rate"),
        ("invoice_pattern", "F{YYYY}", "Invoice number pattern"),
        ("credit_note_pattern", "A{DD}-{counter}", "Credit-note number pattern"),
        ("invoice_paid_orders", "never", "Invoice for orders paid online or offline"),
    ],
)
def test_a_bad_value_is_named_in_the_message_and_nothing_is_saved(engine, field, value, named):
    _save(engine, **VALID)
    before = _saved(engine)
    with pytest.raises(SellerSettingsInvalid) as refused:
        _save(engine, **{**VALID, "legal_name": "Changed SAS", field: value})
    assert f"{named}:" in refused.value.message
    assert list(refused.value.errors) == [field]
    after = _saved(engine)
    assert after is not None and before is not None
    assert (after.legal_name, getattr(after, field)) == ("Festival des Lumières SAS", getattr(before, field))
    assert len(_history(engine)) == 1


def test_every_bad_field_is_named_at_once(engine):
    with pytest.raises(SellerSettingsInvalid) as refused:
        _save(engine, **{**VALID, "iban": "FR00 1234", "bic": "XX", "siren": "123", "vat_number": "ZZ1"})
    assert list(refused.value.errors) == ["siren", "vat_number", "iban", "bic"]
    for label in ("SIREN:", "VAT number:", "IBAN:", "BIC:"):
        assert label in refused.value.message
    assert _saved(engine) is None and _history(engine) == []


def test_the_message_is_translated(engine):
    # the request's language, as the app sets it (an environment default would lose to a
    # language an earlier test left set in this worker)
    set_locale("fr")
    try:
        with pytest.raises(SellerSettingsInvalid) as refused:
            _save(engine, iban="FR00 1234")
    finally:
        set_locale("en")
    assert refused.value.message.startswith("Les paramètres du vendeur n’ont pas été enregistrés.")
    assert "IBAN : ce n’est pas un IBAN valide" in refused.value.errors["iban"]


@pytest.mark.parametrize("role", ["finance", "event_manager", "marketer"])
def test_only_an_administrator_may_save(engine, role):
    with pytest.raises(NotAllowed):
        _save(engine, actor=Actor(f"{role}@example.org", role), **VALID)
    assert _saved(engine) is None and _history(engine) == []


def test_each_change_is_logged_with_old_and_new_values_and_an_unchanged_save_logs_nothing(engine):
    _save(engine, **VALID)
    _save(engine, **VALID)
    _save(engine, **{**VALID, "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"})
    first, second = _history(engine)
    assert (first.entity, first.entity_id, first.event_id, first.actor) == ("seller", 1, None, ADMIN.email)
    assert first.details["siren"] == {"old": "", "new": "732829320"}
    assert second.details == {
        "iban": {"old": "FR7630006000011234567890189", "new": "DE89370400440532013000"},
        "bic": {"old": "AGRIFRPP", "new": "COBADEFFXXX"},
    }
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(SellerSettings)) == 1


def _history_entry(entity: str) -> dict:
    return dict(
        at=datetime.now(UTC), actor="admin@example.org", entity=entity, entity_id=1, action="updated", details={}
    )


def test_the_migration_round_trip_deletes_the_seller_entries_and_narrows_the_check(engine, owner_url):
    _save(engine, **VALID)
    before = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0029_seller_history").down_revision
    downgrade(owner_url, before)
    owner = create_engine(owner_url)
    try:
        with owner.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM catalogue_history")).scalar() == 0
        with pytest.raises(IntegrityError), owner.begin() as conn:
            conn.execute(insert(CatalogueHistory.__table__), [_history_entry("seller")])
        with pytest.raises(DBAPIError, match="append-only"), owner.begin() as conn:  # the log is append-only again
            conn.execute(insert(CatalogueHistory.__table__), [_history_entry("event")])
            conn.execute(text("DELETE FROM catalogue_history"))
    finally:
        owner.dispose()
    upgrade(owner_url, "heads")
    owner = create_engine(owner_url)
    try:
        with owner.begin() as conn:
            conn.execute(insert(CatalogueHistory.__table__), [_history_entry("seller")])
            assert conn.execute(text("SELECT entity FROM catalogue_history")).scalars().all() == ["seller"]
    finally:
        owner.dispose()


def test_a_siret_alone_is_checked_against_the_siren_already_saved(engine):
    _save(engine, **VALID)
    with pytest.raises(SellerSettingsInvalid) as refused:
        _save(engine, siret="40483304800022")
    assert list(refused.value.errors) == ["siret"] and "(732829320)" in refused.value.message
    _save(engine, siret="73282932000082")
    saved = _saved(engine)
    assert saved is not None and saved.siret == "73282932000082"
