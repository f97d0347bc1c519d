"""Catalogue services (issue 7) on SQLite and PostgreSQL: what they write, what they refuse (and
that a refusal writes nothing), and the catalogue log with old and new values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import CatalogueHistory, DiscountCode, DiscountCodeTariff, Event, OrderLine, Tariff
from orders_core.permissions import Actor
from orders_core.services import catalogue
from tests.factories import NOW, make_code, make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")
MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")


def _count(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _log(engine) -> list[CatalogueHistory]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(CatalogueHistory).order_by(CatalogueHistory.id)))


def _event(engine, **overrides) -> int:
    with unit_of_work(engine) as session:
        return make_event(session, **overrides).id


def _refused(engine, call, message_part: str, model=CatalogueHistory):
    """Run a service that must be refused: the message says why and nothing is written."""
    before = (_count(engine, model), _count(engine, CatalogueHistory))
    with pytest.raises(InvalidInput) as refusal, unit_of_work(engine) as session:
        call(session)
    assert message_part in refusal.value.message
    assert (_count(engine, model), _count(engine, CatalogueHistory)) == before
    return refusal.value.message


# --- events ---------------------------------------------------------------------------------------


def test_creating_an_event_stores_utc_dates_and_logs_every_field(engine):
    starts = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with unit_of_work(engine) as session:
        event = catalogue.create_event(
            session,
            actor=MANAGER,
            name=" Montréal Summit ",
            starts_at=starts,
            timezone="America/Montreal",
            currency="cad",
            language="fr",
            bank_details="Desjardins 815",
        )
        event_id = event.id
    with unit_of_work(engine) as session:
        stored = session.get(Event, event_id)
        assert (stored.name, stored.currency, stored.timezone, stored.language) == (
            "Montréal Summit",
            "CAD",
            "America/Montreal",
            "fr",
        )
    (entry,) = _log(engine)
    assert (entry.entity, entry.entity_id, entry.event_id, entry.action, entry.actor) == (
        "event",
        event_id,
        event_id,
        "created",
        "manager@example.org",
    )
    assert entry.details["currency"] == {"old": None, "new": "CAD"}


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("timezone", "Europe/Atlantis", "not a known time zone"),
        ("currency", "EURO", "not an ISO 4217 currency"),
        ("language", "de", "English or French"),
        ("name", "  ", "needs a name"),
    ],
)
def test_creating_an_event_with_a_bad_field_is_refused_and_writes_nothing(engine, field, value, message):
    values = dict(name="Conf", starts_at=NOW, timezone="Europe/Paris", currency="EUR", language="en")
    values[field] = value
    _refused(engine, lambda s: catalogue.create_event(s, actor=ADMIN, **values), message, Event)


def test_an_event_ending_before_it_starts_is_refused(engine):
    _refused(
        engine,
        lambda s: catalogue.create_event(s, actor=ADMIN, name="Conf", starts_at=NOW, ends_at=NOW - timedelta(hours=1)),
        "start must be before the end",
        Event,
    )


def test_finance_may_not_manage_the_catalogue(engine):
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        catalogue.create_event(session, actor=FINANCE, name="Conf", starts_at=NOW)
    assert _count(engine, Event) == 0


def test_changing_the_currency_of_an_event_with_orders_is_refused(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        make_order(session, event, [(make_tariff(session, event), 1)])
        event_id = event.id
    message = _refused(
        engine, lambda s: catalogue.update_event(s, actor=ADMIN, event_id=event_id, currency="CHF"), "cannot change"
    )
    assert "EUR" in message
    with unit_of_work(engine) as session:
        assert session.get(Event, event_id).currency == "EUR"


def test_changing_the_currency_of_an_event_without_orders_moves_its_tariffs_and_logs_old_and_new(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        tariff_id = make_tariff(session, event).id
        event_id = event.id
    with unit_of_work(engine) as session:
        changes = catalogue.update_event(session, actor=ADMIN, event_id=event_id, currency="CHF", name="Renamed")
    assert changes["currency"] == {"old": "EUR", "new": "CHF"}
    with unit_of_work(engine) as session:
        assert session.get(Tariff, tariff_id).currency == "CHF"
    (entry,) = _log(engine)
    assert entry.action == "updated"
    assert entry.details["name"]["new"] == "Renamed"
    assert entry.details["currency"] == {"old": "EUR", "new": "CHF"}


def test_an_update_that_changes_nothing_writes_no_history(engine):
    event_id = _event(engine, name="Same")
    with unit_of_work(engine) as session:
        assert catalogue.update_event(session, actor=ADMIN, event_id=event_id, name="Same") == {}
    assert _log(engine) == []


def test_archiving_an_event_and_archiving_it_again(engine):
    event_id = _event(engine)
    with unit_of_work(engine) as session:
        catalogue.archive_event(session, actor=ADMIN, event_id=event_id)
    with unit_of_work(engine) as session:
        assert session.get(Event, event_id).archived_at is not None
    _refused(engine, lambda s: catalogue.archive_event(s, actor=ADMIN, event_id=event_id), "already archived")
    with unit_of_work(engine) as session:
        catalogue.archive_event(session, actor=ADMIN, event_id=event_id, archived=False)
    assert [e.action for e in _log(engine)] == ["archived", "unarchived"]


# --- tariffs --------------------------------------------------------------------------------------


def test_creating_a_tariff_with_the_quebec_rate_keeps_three_decimals(engine):
    event_id = _event(engine, currency="CAD")
    with unit_of_work(engine) as session:
        tariff = catalogue.create_tariff(
            session,
            actor=ADMIN,
            event_id=event_id,
            kind="ticket",
            name="Day pass",
            name_fr="Passe journée",
            unit_price_ht="150.00",
            tax_rate=catalogue.TAX_RATE_PRESETS["ca_qc"][1],
            capacity=100,
        )
        tariff_id = tariff.id
    with unit_of_work(engine) as session:
        stored = session.get(Tariff, tariff_id)
        assert (stored.tax_rate, stored.unit_price_ht, stored.currency, stored.name_fr) == (
            Decimal("14.975"),
            Decimal("150.00"),
            "CAD",
            "Passe journée",
        )
    (entry,) = _log(engine)
    assert (entry.entity, entry.action, entry.details["tax_rate"]) == (
        "tariff",
        "created",
        {"old": None, "new": "14.975"},
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("unit_price_ht", Decimal("-1.00"), "cannot be negative"),
        ("unit_price_ht", "abc", "is not a number"),
        ("unit_price_ht", "1.234", "at most 2 decimals"),
        ("tax_rate", Decimal("100.5"), "between 0 % and 100 %"),
        ("tax_rate", Decimal("-1"), "between 0 % and 100 %"),
        ("kind", "voucher", "badge, ticket or product"),
        ("capacity", -3, "whole number"),
    ],
)
def test_creating_a_tariff_with_a_bad_value_is_refused_and_writes_nothing(engine, field, value, message):
    event_id = _event(engine)
    values = dict(kind="badge", name="Badge", unit_price_ht=Decimal("10"), tax_rate=Decimal("20"))
    values[field] = value
    _refused(engine, lambda s: catalogue.create_tariff(s, actor=ADMIN, event_id=event_id, **values), message, Tariff)


def test_a_sales_window_must_start_before_it_ends(engine):
    event_id = _event(engine)
    _refused(
        engine,
        lambda s: catalogue.create_tariff(
            s,
            actor=ADMIN,
            event_id=event_id,
            kind="badge",
            name="B",
            unit_price_ht=1,
            tax_rate=0,
            sales_start=NOW,
            sales_end=NOW,
        ),
        "start must be before the end",
        Tariff,
    )


def test_capacity_below_the_units_already_sold_or_awaiting_is_refused(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event, capacity=10)
        make_order(session, event, [(tariff, 3)], status="paid")
        make_order(session, event, [(tariff, 2)], status="awaiting_payment")
        make_order(session, event, [(tariff, 4)], status="cancelled")
        tariff_id = tariff.id
    message = _refused(
        engine, lambda s: catalogue.update_tariff(s, actor=ADMIN, tariff_id=tariff_id, capacity=4), "cannot be 4"
    )
    assert "3 units are already sold and 2 are awaiting payment" in message
    with unit_of_work(engine) as session:
        catalogue.update_tariff(session, actor=ADMIN, tariff_id=tariff_id, capacity=5)
    assert _log(engine)[-1].details == {"capacity": {"old": 10, "new": 5}}


def test_a_price_change_leaves_existing_order_lines_untouched(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        order = make_order(session, event, [(tariff, 2)])
        tariff_id, order_id = tariff.id, order.id
    with unit_of_work(engine) as session:
        catalogue.update_tariff(
            session,
            actor=ADMIN,
            tariff_id=tariff_id,
            unit_price_ht=Decimal("80.00"),
            tax_rate=Decimal("5.5"),
            reason="early bird",
        )
    with unit_of_work(engine) as session:
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        assert (line.unit_price_ht, line.tax_rate, line.total_ht, line.total_ttc) == (
            Decimal("100.00"),
            Decimal("20.000"),
            Decimal("200.00"),
            Decimal("240.00"),
        )
        assert session.get(Tariff, tariff_id).unit_price_ht == Decimal("80.00")
    entry = _log(engine)[-1]
    assert entry.details == {
        "unit_price_ht": {"old": "100.00", "new": "80.00"},
        "tax_rate": {"old": "20.000", "new": "5.500"},
    }
    assert entry.reason == "early bird"


def test_a_tariff_with_orders_cannot_be_deleted_only_deactivated(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event, name="Full pass")
        make_order(session, event, [(tariff, 1)], status="cancelled")
        tariff_id = tariff.id
    message = _refused(
        engine, lambda s: catalogue.delete_tariff(s, actor=ADMIN, tariff_id=tariff_id), "cannot be deleted", Tariff
    )
    assert "Full pass" in message and "Deactivate it instead" in message
    with unit_of_work(engine) as session:
        catalogue.set_tariff_active(session, actor=ADMIN, tariff_id=tariff_id, active=False)
    with unit_of_work(engine) as session:
        assert session.get(Tariff, tariff_id).active is False
    assert _log(engine)[-1].details == {"active": {"old": True, "new": False}}


def test_a_tariff_never_ordered_is_deleted_with_its_code_links_and_its_log_stays(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event, name="Unsold")
        code = make_code(session, event, "ONLY")
        session.add(DiscountCodeTariff(discount_code_id=code.id, tariff_id=tariff.id))
        tariff_id = tariff.id
    with unit_of_work(engine) as session:
        catalogue.delete_tariff(session, actor=ADMIN, tariff_id=tariff_id)
    assert _count(engine, Tariff) == 0 and _count(engine, DiscountCodeTariff) == 0
    (entry,) = _log(engine)
    assert (entry.action, entry.entity_id, entry.details["name"]) == (
        "deleted",
        tariff_id,
        {"old": "Unsold", "new": None},
    )


# --- discount codes -------------------------------------------------------------------------------


def test_a_code_is_stored_upper_case_with_its_tariffs(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        event_id, badge_id = event.id, badge.id
    with unit_of_work(engine) as session:
        code = catalogue.create_code(
            session,
            actor=ADMIN,
            event_id=event_id,
            code=" early-bird ",
            percent_off="100",
            tariff_ids=[badge_id],
            max_uses=5,
        )
        code_id = code.id
    with unit_of_work(engine) as session:
        stored = session.get(DiscountCode, code_id)
        assert (stored.code, stored.percent_off, stored.amount_off) == ("EARLY-BIRD", Decimal("100.00"), None)
        assert catalogue.applicable_tariff_ids(session, code_id) == {badge_id}
    assert _log(engine)[0].details["tariff_ids"] == {"old": None, "new": [badge_id]}


def test_a_duplicate_code_in_any_case_is_refused(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_code(session, event, "SUMMER")
        event_id = event.id
    _refused(
        engine,
        lambda s: catalogue.create_code(s, actor=ADMIN, event_id=event_id, code="summer", percent_off=10),
        "already exists",
        DiscountCode,
    )
    # Another event may have the same code.
    other = _event(engine)
    with unit_of_work(engine) as session:
        catalogue.create_code(session, actor=ADMIN, event_id=other, code="Summer", amount_off="5.00")
    assert _count(engine, DiscountCode) == 2


@pytest.mark.parametrize(
    "values,message",
    [
        (dict(percent_off=0), "more than 0 %"),
        (dict(percent_off="100.01"), "at most 100 %"),
        (dict(amount_off="-5"), "more than zero"),
        (dict(percent_off=10, amount_off=5), "not both"),
        (dict(), "not both"),
        (dict(percent_off=10, code="NO SPACE"), "letters, digits"),
        (dict(percent_off=10, max_uses=0), "at least 1"),
    ],
)
def test_a_code_with_a_bad_value_is_refused_and_writes_nothing(engine, values, message):
    event_id = _event(engine)
    values = {"code": "OK", **values}
    _refused(
        engine, lambda s: catalogue.create_code(s, actor=ADMIN, event_id=event_id, **values), message, DiscountCode
    )


def test_a_code_cannot_apply_to_another_events_tariff(engine):
    with unit_of_work(engine) as session:
        event, other = make_event(session), make_event(session)
        foreign = make_tariff(session, other).id
        event_id = event.id
    _refused(
        engine,
        lambda s: catalogue.create_code(
            s, actor=ADMIN, event_id=event_id, code="X", percent_off=5, tariff_ids=[foreign]
        ),
        "do not belong",
        DiscountCode,
    )


def test_updating_a_code_switches_percent_to_amount_and_logs_the_tariffs(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        code = make_code(session, event, "SWITCH", percent_off=Decimal("10"))
        code_id, badge_id = code.id, badge.id
    with unit_of_work(engine) as session:
        changes = catalogue.update_code(
            session, actor=ADMIN, code_id=code_id, amount_off="15.00", tariff_ids=[badge_id]
        )
    assert changes == {
        "amount_off": {"old": None, "new": "15.00"},
        "percent_off": {"old": "10.00", "new": None},
        "tariff_ids": {"old": [], "new": [badge_id]},
    }
    with unit_of_work(engine) as session:
        stored = session.get(DiscountCode, code_id)
        assert (stored.percent_off, stored.amount_off) == (None, Decimal("15.00"))


def test_a_used_code_cannot_be_renamed_deleted_or_limited_below_its_uses(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        code = make_code(session, event, "USED")
        make_order(session, event, [(tariff, 1)], code=code, status="paid")
        make_order(session, event, [(tariff, 1)], code=code)
        code_id = code.id
    _refused(engine, lambda s: catalogue.update_code(s, actor=ADMIN, code_id=code_id, code="NEW"), "cannot be renamed")
    _refused(
        engine, lambda s: catalogue.delete_code(s, actor=ADMIN, code_id=code_id), "cannot be deleted", DiscountCode
    )
    _refused(engine, lambda s: catalogue.update_code(s, actor=ADMIN, code_id=code_id, max_uses=1), "below the 2 uses")


# --- for the order wizard -------------------------------------------------------------------------


def test_resolving_a_code_ignores_case_and_says_why_a_code_is_not_usable(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        make_code(session, event, "GOOD")
        make_code(session, event, "OFF", active=False)
        make_code(session, event, "LATER", valid_from=NOW + timedelta(days=1))
        make_code(session, event, "OLD", valid_until=NOW - timedelta(days=1))
        full = make_code(session, event, "ONCE", max_uses=1)
        order = make_order(session, event, [(tariff, 1)], code=full)
        event_id, order_id = event.id, order.id
    with unit_of_work(engine) as session:
        assert catalogue.resolve_discount_code(session, event_id=event_id, code=" good ", at=NOW).code == "GOOD"
        assert (
            catalogue.resolve_discount_code(
                session, event_id=event_id, code="once", at=NOW, exclude_order_id=order_id
            ).code
            == "ONCE"
        )
        for code, reason in [
            ("NOPE", "does not exist"),
            ("off", "not active"),
            ("LATER", "valid only from"),
            ("OLD", "expired on"),
            ("ONCE", "reached its usage limit"),
        ]:
            with pytest.raises(InvalidInput, match=reason):
                catalogue.resolve_discount_code(session, event_id=event_id, code=code, at=NOW)


def test_a_cancelled_order_gives_its_code_use_back(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        once = make_code(session, event, "ONCE", max_uses=1)
        make_order(session, event, [(make_tariff(session, event), 1)], code=once, status="cancelled")
        event_id = event.id
    with unit_of_work(engine) as session:
        assert catalogue.resolve_discount_code(session, event_id=event_id, code="once", at=NOW).code == "ONCE"


def test_applicable_tariff_ids_is_empty_for_a_code_valid_on_every_tariff(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        code_id = make_code(session, event, "ALL").id
    with unit_of_work(engine) as session:
        assert catalogue.applicable_tariff_ids(session, code_id) == frozenset()


def test_the_catalogue_log_refuses_edits_from_the_app_and_from_the_owner(engine, owner_engine):
    event_id = _event(engine)
    with unit_of_work(engine) as session:
        catalogue.update_event(session, actor=ADMIN, event_id=event_id, name="Logged")
    for statement in ("UPDATE catalogue_history SET actor = 'x'", "DELETE FROM catalogue_history"):
        # the app's role has no right to it on PostgreSQL; the trigger stops everyone else
        refusal = "permission denied" if engine.dialect.name == "postgresql" else "append-only"
        with pytest.raises(DBAPIError, match=refusal), engine.begin() as conn:
            conn.execute(text(statement))
        with pytest.raises(DBAPIError, match="catalogue_history is append-only"), owner_engine.begin() as conn:
            conn.execute(text(statement))
    assert len(_log(engine)) == 1
