"""The e-ticket download routes (issue 21), called as Starlette calls them, on SQLite and
PostgreSQL: no session, no file; a marketer's session is refused; an event manager gets the PDF of
one ticket or of the whole order; a cancelled ticket and an unknown order answer 404 with why."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import Match

from orders_core import sessions
from orders_core.db import unit_of_work
from orders_core.models import Attendee
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)
from tests.factories import make_event, make_order, make_tariff
from web.routes import ROUTES

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Forum", venue="Nantes")
        order = make_order(
            session, event, [(make_tariff(session, event, name="Day pass"), 2)], status="paid",
            holders=[("Zoé", "Lefèvre", ""), ("Marc", "Dubois", "")],
        )  # fmt: skip
        attendees = session.scalars(select(Attendee.id).where(Attendee.order_id == order.id).order_by(Attendee.id))
        return {"engine": engine, "order_id": order.id, "number": order.number, "attendees": list(attendees)}


def cookie(engine, role: str) -> str:
    user_id = add_account(engine, f"{role}@example.org", role, "a long enough password")
    with unit_of_work(engine) as session:
        return f"{sessions.COOKIE_NAME}={sessions.start_session(session, user_id=user_id).token}"


def get(path: str, cookie_header: str | None = None):
    """The response of the route that matches `path`, as the server would give it."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"cookie", cookie_header.encode())] if cookie_header else [],
    }
    for route in ROUTES:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return route.endpoint(Request({**scope, **child}))
    raise AssertionError(f"no route for {path}")


def test_without_a_session_no_ticket_is_sent(app_db):
    response = get(f"/tickets/{app_db['attendees'][0]}.pdf")
    assert response.status_code == 401 and response.body == b"Sign in again to download e-tickets."


def test_a_marketers_session_is_refused(app_db):
    response = get(f"/tickets/{app_db['attendees'][0]}.pdf", cookie(app_db["engine"], "marketer"))
    assert response.status_code == 403 and response.body == b"Your role (Marketer) does not allow this action."


def test_an_event_manager_downloads_one_ticket_and_the_whole_order(app_db):
    manager = cookie(app_db["engine"], "event_manager")
    first = app_db["attendees"][0]
    one = get(f"/tickets/{first}.pdf", manager)
    assert one.status_code == 200 and one.media_type == "application/pdf"
    assert one.headers["content-disposition"] == f'attachment; filename="E-ticket-{app_db["number"]}-{first}.pdf"'
    text = PdfReader(io.BytesIO(one.body)).pages[0].extract_text()
    assert "Zoé Lefèvre" in text and "Day pass" in text and "Nantes" in text
    whole = get(f"/tickets/order/{app_db['number']}.pdf", manager)
    assert whole.status_code == 200
    assert whole.headers["content-disposition"] == f'attachment; filename="E-tickets-{app_db["number"]}.pdf"'
    assert len(PdfReader(io.BytesIO(whole.body)).pages) == 2


def test_a_cancelled_ticket_and_an_unknown_order_answer_not_found(app_db):
    first = app_db["attendees"][0]
    with unit_of_work(app_db["engine"]) as session:
        item = session.get_one(Attendee, first).order_item_id
        cancel_tickets(
            session, actor=Actor("f@example.org", "finance"), order_id=app_db["order_id"], reason="x", item_ids=[item]
        )
    finance = cookie(app_db["engine"], "finance")
    response = get(f"/tickets/{first}.pdf", finance)
    assert response.status_code == 404 and b"cancelled" in response.body
    assert get("/tickets/order/9999999.pdf", finance).status_code == 404
    assert get("/tickets/999999.pdf", finance).body == b"This e-ticket does not exist."
