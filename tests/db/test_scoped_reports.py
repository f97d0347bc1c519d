"""Issue 17 on both databases: the reporting read side for a principal of some events. The figures
that carry no event text (counts per status, UTM coverage, outbox counts) are the scope matrix's
blind spot, so their values are asserted here; and the rules of what belongs to no event (emails
without an order, the catalogue log of the seller settings, global templates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import CatalogueHistory, EmailTemplate, OutboxEmail
from orders_core.permissions import Actor
from orders_core.status import CatalogueEntity
from queries import catalogue, emails
from queries.dashboards import filters as dashboard_filters
from queries.dashboards import finance, marketing, sales
from tests.dashboard_dataset import FILTERS, build
from tests.factories import EVERYONE, NOW, make_event, make_order, make_tariff


def scoped(*event_ids: int, role: str = "admin") -> Actor:
    return Actor(f"{role}@scoped.example", role, event_ids=frozenset(event_ids))


@pytest.fixture
def data(engine):
    return build(engine)


def test_a_scoped_principal_counts_only_their_events_orders(engine, data):
    usd = scoped(data["usd"])
    by_status = sales.orders_by_status(engine, FILTERS, principal=usd)
    assert dict(zip(by_status["status"], by_status["orders"]))["paid"] == 1  # o8; an admin counts 3
    assert by_status["orders"].sum() == 1
    # Their filter naming the other event returns nothing of it, not everything.
    asked_other = sales.orders_by_status(engine, replace(FILTERS, event_ids=(data["eur"],)), principal=usd)
    assert asked_other["orders"].sum() == 0
    coverage = marketing.utm_coverage(engine, FILTERS, principal=scoped(data["eur"], role="marketer")).iloc[0]
    assert (coverage["orders"], coverage["with_utm"]) == (6, 3)  # an admin: 7 and 3
    assert marketing.abandoned_by_source(engine, FILTERS, principal=usd)["utm_source"].tolist() == [""]


def test_a_principal_of_no_event_reads_no_figure(engine, data):
    nobody = scoped()
    assert sales.headline(engine, FILTERS, principal=nobody).empty
    assert finance.receivables_by_age(engine, FILTERS, principal=nobody).empty
    assert dashboard_filters.event_choices(engine, principal=nobody).empty
    assert catalogue.events_list(engine, principal=nobody).empty
    assert sorted(dashboard_filters.event_choices(engine, principal=EVERYONE)["name"]) == ["Salon EUR", "Summit USD"]


def test_emails_are_read_by_their_orders_event_and_those_of_no_order_by_a_principal_of_every_event(engine):
    with unit_of_work(engine) as session:
        paris, london = make_event(session, name="Paris"), make_event(session, name="London")
        ours = make_order(session, paris, [(make_tariff(session, paris), 1)])
        theirs = make_order(session, london, [(make_tariff(session, london), 1)])
        queue_email(session, order=ours, kind="payment_details", now=NOW)
        failed = queue_email(session, order=theirs, kind="payment_details", now=NOW)
        failed.status = "failed"
        lonely = OutboxEmail(
            order_id=None,
            kind="test",
            recipient="ops@example.org",
            subject="Test send",
            body_text="A test",
            created_at=NOW,
            message_id="<lonely@example.org>",
        )
        session.add(lonely)
        for event_id, name in ((None, "Global"), (paris.id, "Paris wording"), (london.id, "London wording")):
            session.add(
                EmailTemplate(
                    event_id=event_id,
                    kind="payment_details",
                    language="en",
                    name=name,
                    subject="Pay",
                    body="Pay",
                    is_html=False,
                    updated_at=NOW,
                )
            )
        session.flush()
        ids = {"lonely": lonely.id, "ours": ours.id, "theirs": theirs.id, "paris": paris.id, "london": london.id}
    everyone = emails.outbox_counts(engine, principal=EVERYONE)
    in_paris = emails.outbox_counts(engine, principal=scoped(ids["paris"]))
    assert everyone["failed"] == 1 and in_paris["failed"] == 0
    assert sum(in_paris.values()) == sum(everyone.values()) - 2  # neither London's email nor the test send
    assert set(emails.outbox(engine, principal=scoped(ids["paris"]))["order_id"]) == {ids["ours"]}
    assert emails.email_message(engine, ids["lonely"], principal=scoped(ids["paris"])) is None
    assert emails.email_message(engine, ids["lonely"], principal=EVERYONE)["subject"] == "Test send"
    assert emails.order_emails(engine, ids["theirs"], principal=scoped(ids["paris"])).empty
    assert emails.order_summary(engine, ids["theirs"], principal=scoped(ids["paris"])) is None
    names = emails.templates(engine, principal=scoped(ids["paris"]))["name"].tolist()
    assert names == ["Global", "Paris wording"]  # the organisation's wording stays readable
    assert emails.latest_order_id(engine, principal=scoped(ids["paris"])) == ids["ours"]


def test_the_catalogue_log_of_no_event_is_read_by_a_principal_of_every_event_only(engine):
    with unit_of_work(engine) as session:
        paris, london = make_event(session, name="Paris"), make_event(session, name="London")
        at = datetime(2026, 11, 1, tzinfo=UTC)
        for event_id, entity in (
            (paris.id, CatalogueEntity.EVENT),
            (london.id, CatalogueEntity.EVENT),
            (None, CatalogueEntity.SELLER),
        ):
            session.add(
                CatalogueHistory(
                    at=at,
                    actor="a@example.org",
                    entity=entity,
                    entity_id=event_id or 1,
                    event_id=event_id,
                    action="updated",
                    details={},
                )
            )
        session.flush()
        paris_id = paris.id
    assert len(catalogue.catalogue_history(engine, principal=EVERYONE)) == 3
    log = catalogue.catalogue_history(engine, principal=scoped(paris_id, role="event_manager"))
    assert log["event_id"].tolist() == [paris_id]
