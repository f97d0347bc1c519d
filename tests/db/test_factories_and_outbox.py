from decimal import Decimal

from sqlalchemy import select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import OutboxEmail
from tests.factories import make_code, make_event, make_order, make_tariff


def test_factory_orders_satisfy_every_invariant(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        lunch = make_tariff(session, event, kind="product", unit_price_ht=Decimal("12.50"), tax_rate=Decimal("10"))
        make_order(session, event, [(badge, 2), (lunch, 1)], status="paid")
        make_order(
            session,
            event,
            [(badge, 1)],
            code=make_code(session, event, "FREE", percent_off=Decimal("100")),
            status="paid",
        )
        make_order(session, event, [(badge, 3)])
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_a_queued_email_is_rendered_in_the_order_language_with_its_number(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, language="fr")
        order = make_order(session, event, [(make_tariff(session, event), 1)], buyer_first_name="Zoé {{ 7*7 }}")
        queue_email(session, order=order, kind="payment_details")
    with unit_of_work(engine) as session:
        email = session.scalars(select(OutboxEmail)).one()
        assert email.status == "queued"
        assert email.subject.startswith(f"Détails de paiement de votre commande {order.number}")
        assert "Bonjour Zoé {{ 7*7 }}," in email.body_text
        assert "120,00" in email.body_text
