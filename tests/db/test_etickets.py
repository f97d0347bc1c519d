"""E-tickets (issue 21), on SQLite and PostgreSQL: the PDF of an attendee reads back with the event,
its date and zone, the venue, the holder, the tariff, the seat and the order number; the QR code
holds the attendee's secret; changing the holder renews the secret and voids the old one; a
cancelled ticket's secret is void and its PDF refused."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.documents.tickets import (
    order_tickets_pdf,
    qr_data_uri,
    qr_payload,
    ticket_filename,
    ticket_of,
    ticket_pdf,
    tickets_html,
    tickets_of_order,
)
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.history_text import describe
from orders_core.models import Attendee, OrderHistory, OrderItem, TicketVoid
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from orders_core.services.refunds import record_refund
from orders_core.services.tickets import change_holder
from tests.factories import make_event, make_order, make_seat_plan, make_tariff

MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")
MARKETER = Actor("marketer@example.org", "marketer")
ADMIN = Actor("admin@example.org", "admin")
STARTS = datetime(2027, 6, 12, 17, 30, tzinfo=UTC)  # 19:30 in Paris (summer time)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def paid(engine):
    """A paid order of two tickets for a seated concert, holders Zoé Lefèvre and Marc Dubois."""
    with unit_of_work(engine) as session:
        event = make_event(
            session, name="Concert d'été", venue="Salle Pleyel, 252 rue du Faubourg Saint-Honoré, Paris",
            starts_at=STARTS, seated=True,
        )  # fmt: skip
        make_seat_plan(session, event)
        ticket = make_tariff(session, event, kind="ticket", name="Orchestra")
        order = make_order(
            session,
            event,
            [(ticket, 2)],
            status="paid",
            holders=[("Zoé", "Lefèvre", "zoe@example.org"), ("Marc", "Dubois", "")],
            seats=["A-1-1", "A-1-2"],
        )
        attendees = session.scalars(select(Attendee).where(Attendee.order_id == order.id).order_by(Attendee.id)).all()
        return {"order_id": order.id, "number": order.number, "attendees": [a.id for a in attendees]}


def attendee(engine, attendee_id: int) -> Attendee:
    with unit_of_work(engine) as session:
        return session.get_one(Attendee, attendee_id)


def voids(engine) -> list[tuple[int, str, str]]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(TicketVoid.attendee_id, TicketVoid.secret, TicketVoid.reason).order_by(TicketVoid.id)
        )
        return [tuple(row) for row in rows]


def test_an_attendees_ticket_pdf_reads_back_event_date_zone_venue_holder_tariff_seat_and_order(engine, paid):
    with unit_of_work(engine) as session:
        pdf = ticket_pdf(session, paid["attendees"][0], principal=ADMIN)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    assert "Concert d'été" in text or "Concert d’été" in text
    assert "12 Jun 2027, 19:30:00 CEST" in text
    assert "Salle Pleyel" in text
    assert "Zoé Lefèvre" in text and "Marc Dubois" not in text
    assert "Orchestra" in text
    assert "A-1-1" in text
    assert str(paid["number"]) in text


def test_a_french_order_gets_its_ticket_in_french(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Salon", language="fr", starts_at=STARTS, venue="Lyon")
        order = make_order(session, event, [(make_tariff(session, event, name="Entrée"), 1)], status="paid")
        attendee_id = session.scalar(select(Attendee.id).where(Attendee.order_id == order.id))
        text = pdf_text(ticket_pdf(session, attendee_id, principal=ADMIN))
    assert "Billet électronique" in text and "Titulaire" in text and "Commande" in text
    assert "12 juin 2027, 19:30:00 CEST" in text


def test_the_qr_code_holds_the_attendees_secret_and_the_ticket_shows_that_code(engine, paid):
    with unit_of_work(engine) as session:
        ticket = ticket_of(session, paid["attendees"][0], principal=ADMIN)
        html = tickets_html([ticket])
    secret = attendee(engine, paid["attendees"][0]).ticket_secret
    assert ticket.secret == secret and qr_payload(secret) == secret
    assert ticket.qr == qr_data_uri(secret) and ticket.qr.startswith("data:image/svg+xml")
    assert qr_data_uri(secret) in html
    assert ticket_filename(ticket) == f"E-ticket-{paid['number']}-{paid['attendees'][0]}.pdf"


def test_user_text_on_a_ticket_is_escaped(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="<b>Gala</b> & co", starts_at=STARTS)
        order = make_order(session, event, [(make_tariff(session, event), 1)], status="paid")
        html = tickets_html(tickets_of_order(session, order.id, principal=ADMIN))
    assert "&lt;b&gt;Gala&lt;/b&gt; &amp; co" in html and "<b>Gala" not in html


def test_an_orders_tickets_come_as_one_pdf_a_page_per_attendee(engine, paid):
    with unit_of_work(engine) as session:
        pdf = order_tickets_pdf(session, paid["order_id"], principal=ADMIN)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert "Zoé Lefèvre" in reader.pages[0].extract_text() and "Marc Dubois" in reader.pages[1].extract_text()


def test_every_attendee_has_its_own_unguessable_secret(engine, paid):
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_order(session, event, [(make_tariff(session, event), 5)], status="paid")
        secrets = session.scalars(select(Attendee.ticket_secret)).all()
    assert len(secrets) == 7 and len(set(secrets)) == 7
    assert all(secret and len(secret) >= 32 for secret in secrets)


def test_changing_the_holder_renews_the_secret_voids_the_old_one_and_writes_history(engine, paid):
    first = paid["attendees"][0]
    old_secret = attendee(engine, first).ticket_secret
    with unit_of_work(engine) as session:
        done = change_holder(
            session, actor=MANAGER, attendee_id=first, first_name=" Jeanne ", last_name="Martin", email="J@Example.org"
        )
    assert (done.old_holder, done.new_holder, done.order_number) == ("Zoé Lefèvre", "Jeanne Martin", paid["number"])
    after = attendee(engine, first)
    assert (after.first_name, after.last_name, after.email) == ("Jeanne", "Martin", "j@example.org")
    assert after.ticket_secret != old_secret and len(after.ticket_secret) >= 32
    assert voids(engine) == [(first, old_secret, "holder_changed")]
    with unit_of_work(engine) as session:
        item = session.scalars(select(OrderItem).where(OrderItem.id == after.order_item_id)).one()
        assert (item.holder_first_name, item.holder_last_name, item.holder_email) == (
            "Jeanne",
            "Martin",
            "j@example.org",
        )
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == paid["order_id"]).order_by(OrderHistory.id.desc())
        ).first()
        assert (entry.action, entry.actor) == ("holder_changed", MANAGER.email)
        assert entry.details["holder"] == {"old": "Zoé Lefèvre", "new": "Jeanne Martin"}
        assert describe(entry.action, entry.details, actor=entry.actor) == [
            "Ticket of Zoé Lefèvre given to Jeanne Martin by manager@example.org: "
            "a new e-ticket was issued, the old one is void.",
            "Email changed from zoe@example.org to j@example.org.",
        ]
        text = pdf_text(ticket_pdf(session, first, principal=ADMIN))
        assert "Jeanne Martin" in text and "Zoé" not in text


def test_a_second_holder_change_voids_the_second_secret_too(engine, paid):
    first = paid["attendees"][0]
    secrets = [attendee(engine, first).ticket_secret]
    for name in ("Jeanne", "Louise"):
        with unit_of_work(engine) as session:
            change_holder(session, actor=MANAGER, attendee_id=first, first_name=name, last_name="Martin")
        secrets.append(attendee(engine, first).ticket_secret)
    assert len(set(secrets)) == 3
    assert [secret for _id, secret, _why in voids(engine)] == secrets[:2]


def test_changing_the_holder_is_refused_to_a_marketer_and_for_the_same_holder(engine, paid):
    first = paid["attendees"][0]
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        change_holder(session, actor=MARKETER, attendee_id=first, first_name="Jeanne", last_name="Martin")
    with pytest.raises(InvalidInput, match="already Zoé Lefèvre"), unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=first, first_name="Zoé", last_name="Lefèvre")
    with pytest.raises(InvalidInput, match="required"), unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=first, first_name=" ", last_name="Martin")
    with pytest.raises(InvalidInput, match="not a valid email"), unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=first, first_name="Jo", last_name="Martin", email="jo@")
    with pytest.raises(InvalidInput, match="does not exist"), unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=999999, first_name="Jo", last_name="Martin")
    assert voids(engine) == []


def test_cancelling_a_ticket_voids_its_secret_and_its_pdf_is_refused(engine, paid):
    first, second = paid["attendees"]
    secret = attendee(engine, first).ticket_secret
    with unit_of_work(engine) as session:
        item_id = attendee(engine, first).order_item_id
        cancel_tickets(session, actor=FINANCE, order_id=paid["order_id"], reason="cannot come", item_ids=[item_id])
    assert voids(engine) == [(first, secret, "cancelled")]
    with pytest.raises(InvalidInput, match="cancelled"), unit_of_work(engine) as session:
        ticket_pdf(session, first, principal=ADMIN)
    with unit_of_work(engine) as session:
        assert [t.attendee_id for t in tickets_of_order(session, paid["order_id"], principal=ADMIN)] == [second]
    with pytest.raises(TransitionRefused, match="cancelled"), unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=first, first_name="Jo", last_name="Martin")


def test_a_refund_that_cancels_the_order_voids_every_ticket(engine, paid):
    with unit_of_work(engine) as session:
        total = session.get_one(Attendee, paid["attendees"][0]).order_id
        record_refund(
            session,
            actor=FINANCE,
            order_id=total,
            amount=Decimal("240.00"),
            method="bank_transfer",
            refunded_at=date(2026, 12, 1),
            reason="event moved",
            cancel_order=True,
        )
    assert sorted((a, why) for a, _secret, why in voids(engine)) == [(a, "cancelled") for a in paid["attendees"]]
    with pytest.raises(InvalidInput, match="no e-ticket"), unit_of_work(engine) as session:
        order_tickets_pdf(session, paid["order_id"], principal=ADMIN)


def test_a_void_secret_is_recorded_once(engine, paid):
    from orders_core.services.tickets import void_cancelled

    with unit_of_work(engine) as session:
        void_cancelled(session, actor=FINANCE, order_ids=[paid["order_id"]])
        void_cancelled(session, actor=FINANCE, order_ids=[paid["order_id"]])
        count = session.scalar(select(func.count()).select_from(TicketVoid))
    assert count == 2
    with pytest.raises(InvalidInput, match="void"), unit_of_work(engine) as session:
        ticket_pdf(session, paid["attendees"][1], principal=ADMIN)


def test_the_venue_set_on_the_event_is_printed_on_its_tickets(engine, paid):
    from orders_core.services.catalogue import update_event

    with unit_of_work(engine) as session:
        event_id = session.get_one(Attendee, paid["attendees"][0]).event_id
        changes = update_event(session, actor=MANAGER, event_id=event_id, venue="  Olympia, Paris ")
        assert changes["venue"]["new"] == "Olympia, Paris"
        assert "Olympia, Paris" in pdf_text(ticket_pdf(session, paid["attendees"][0], principal=ADMIN))


def test_a_bulk_cancel_leaves_the_tickets_of_the_orders_it_refuses(engine, paid):
    from orders_core.services.lifecycle import cancel_orders

    with unit_of_work(engine) as session:
        event = make_event(session)
        unpaid = make_order(session, event, [(make_tariff(session, event), 1)]).id
        result = cancel_orders(session, actor=FINANCE, order_ids=[paid["order_id"], unpaid], reason="duplicate")
    assert len(result.done) == 1 and [r.number for r in result.refused] == [paid["number"]]
    assert voids(engine) == []
    with unit_of_work(engine) as session:
        assert len(tickets_of_order(session, paid["order_id"], principal=ADMIN)) == 2


def test_another_events_e_ticket_does_not_exist_for_a_manager_scoped_to_one_event(engine, paid):
    with unit_of_work(engine) as session:
        other_event = make_event(session, name="Other team's event")
        elsewhere = MANAGER.scoped_to([other_event.id])
        with pytest.raises(InvalidInput, match="This e-ticket does not exist"):
            ticket_of(session, paid["attendees"][0], principal=elsewhere)
        with pytest.raises(InvalidInput, match="This order has no e-ticket"):
            tickets_of_order(session, paid["order_id"], principal=elsewhere)
        event_id = session.get_one(Attendee, paid["attendees"][0]).event_id
        assert ticket_of(session, paid["attendees"][0], principal=MANAGER.scoped_to([event_id])).holder == "Zoé Lefèvre"
