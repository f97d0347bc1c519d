"""Issue 17: the export route (web/exports.py) reads the session's user with their event scope:
a finance user of one event downloads that event's orders only, never another's (the route
built its principal from the role alone before)."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from decimal import Decimal

import pytest
from sqlalchemy import update
from starlette.requests import Request

from orders_core import sessions
from orders_core.db import unit_of_work
from orders_core.models import User, UserEvent
from tests.accounts import add_account
from tests.accounts import cheap_password_hashing as cheap_password_hashing  # the fixture
from tests.factories import make_event, make_order, make_tariff
from web.exports import orders_export


def _download(path: str, token: str) -> tuple[int, bytes]:
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"tz=UTC&sep=comma",
            "headers": [(b"cookie", f"{sessions.COOKIE_NAME}={token}".encode())],
        }
    )
    response = orders_export(request)

    async def body() -> bytes:
        return b"".join([piece async for piece in response.body_iterator])  # type: ignore[attr-defined]

    return response.status_code, asyncio.run(body())


@pytest.mark.usefixtures("cheap_password_hashing")
def test_a_finance_user_of_one_event_exports_its_orders_only(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        lyon = make_event(session, name="Lyon fair", currency="EUR")
        geneva = make_event(session, name="Geneva fair", currency="CHF")
        ours = make_order(session, lyon, [(make_tariff(session, lyon, unit_price_ht=Decimal("40.00")), 1)])
        make_order(session, geneva, [(make_tariff(session, geneva, unit_price_ht=Decimal("90.00")), 1)])
        lyon_id, our_number = lyon.id, ours.number
    user_id = add_account(engine, "finance@lyon.example", "finance", secrets.token_urlsafe(16))
    with unit_of_work(engine) as session:
        session.execute(update(User).where(User.id == user_id).values(all_events=False))
        session.add(UserEvent(user_id=user_id, event_id=lyon_id))
        token = sessions.start_session(session, user_id=user_id).token
    status, body = _download("/export/orders.csv", token)
    assert status == 200
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [int(row[0]) for row in rows] == [our_number]
    assert "Geneva" not in body.decode("utf-8-sig") and "CHF" not in body.decode("utf-8-sig")
