"""Issue 17 in the pages: a user of one event sees that event's orders only (the grid, its
filters, the order page, the pending invoices), another event's order by URL reads exactly like
an order that does not exist; a marketer reads campaigns and amounts, never people."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.models import User, UserEvent
from orders_core.scope import MASK
from tests.app.conftest import open_orders_filters, open_page, signed_in_account
from tests.factories import make_event, make_order, make_tariff

MANAGER = {"email": "manager@lyon.example", "role": "event_manager", "name": "Lyon manager"}
FINANCE = {"email": "finance@lyon.example", "role": "finance", "name": "Lyon finance"}
MARKETER = {"email": "marketer@lyon.example", "role": "marketer", "name": "Lyon marketer"}
OURS_EMAIL = "claire@buyers.example"
THEIRS_EMAIL = "hidden@geneva.example"


@pytest.fixture
def two_events(engine, db_url, monkeypatch):
    """Ours (Lyon, EUR) and theirs (Geneva, CHF), each with one invoice order awaiting payment."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        lyon = make_event(session, name="Lyon fair", currency="EUR")
        geneva = make_event(session, name="Geneva fair", currency="CHF")
        ours = make_order(
            session,
            lyon,
            [(make_tariff(session, lyon, name="Lyon pass", unit_price_ht=Decimal("40.00")), 1)],
            buyer_first_name="Claire",
            buyer_last_name="Dupont",
            buyer_email=OURS_EMAIL,
            company_name="Dupont SARL",
            utm_source="newsletter",
            utm_campaign="lyon-spring",
        )
        theirs = make_order(
            session,
            geneva,
            [(make_tariff(session, geneva, name="Geneva pass", unit_price_ht=Decimal("90.00")), 1)],
            buyer_first_name="Hidden",
            buyer_last_name="Person",
            buyer_email=THEIRS_EMAIL,
        )
        return {"lyon": lyon.id, "geneva": geneva.id, "ours": ours.number, "theirs": theirs.number}


def scoped(engine, user: dict, event_id: int) -> dict:
    """`user` as an account of `event_id` only (the router re-reads the scope on every run)."""
    account = signed_in_account(user)
    with unit_of_work(engine) as session:
        session.execute(update(User).where(User.id == account["id"]).values(all_events=False))
        if session.scalar(select(UserEvent).where(UserEvent.user_id == account["id"])) is None:
            session.add(UserEvent(user_id=account["id"], event_id=event_id))
    return user


def page_text(at) -> str:
    texts = [
        e.value
        for kind in ("markdown", "caption", "title", "subheader", "info", "error", "warning")
        for e in getattr(at, kind)
    ]
    texts += [d.value.to_csv() for d in at.dataframe]
    texts += [m.label + str(m.value) for m in at.metric]
    return "\n".join(str(t) for t in texts)


def test_the_grid_of_a_manager_of_one_event_lists_its_orders_and_offers_its_event_only(engine, two_events):
    at = open_page("pages/orders.py", scoped(engine, MANAGER, two_events["lyon"]))
    assert not at.exception
    assert [int(n) for n in at.dataframe[0].value["number"]] == [two_events["ours"]]
    assert open_orders_filters(at).multiselect(key="orders.events").options == ["Lyon fair"]
    assert "Geneva" not in page_text(at) and "CHF" not in page_text(at)
    # their order's number typed in the search finds nothing
    at = open_page(
        "pages/orders.py", scoped(engine, MANAGER, two_events["lyon"]), query={"q": str(two_events["theirs"])}
    )
    assert not at.dataframe or at.dataframe[0].value.empty
    assert "No order matches these filters." in [i.value for i in at.info]


def test_another_events_order_by_url_reads_like_an_order_that_does_not_exist(engine, two_events):
    manager = scoped(engine, MANAGER, two_events["lyon"])
    theirs = open_page("pages/order_detail.py", manager, query={"order": str(two_events["theirs"])})
    unknown = open_page("pages/order_detail.py", manager, query={"order": "9999999"})
    assert not theirs.exception and not unknown.exception
    assert [e.value for e in theirs.error] == [f"No order with number {two_events['theirs']}."]
    assert [e.value for e in unknown.error] == ["No order with number 9999999."]
    assert THEIRS_EMAIL not in page_text(theirs) and "Geneva" not in page_text(theirs)
    ours = open_page("pages/order_detail.py", manager, query={"order": str(two_events["ours"])})
    assert not ours.error and OURS_EMAIL in page_text(ours)


def test_pending_invoices_of_finance_of_one_event_hold_its_orders_only(engine, two_events):
    # (the page is finance's and the administrator's: `orders.validate`, not an event manager's)
    at = open_page("pages/pending_invoices.py", scoped(engine, FINANCE, two_events["lyon"]))
    assert not at.exception
    assert [int(n) for n in at.dataframe[0].value["number"]] == [two_events["ours"]]
    assert [m.label for m in at.metric] == ["EUR: 1 order"]
    assert "CHF" not in page_text(at) and THEIRS_EMAIL not in page_text(at)


def test_a_marketer_reads_campaigns_and_amounts_in_the_grid_never_people(engine, two_events):
    at = open_page("pages/orders.py", scoped(engine, MARKETER, two_events["lyon"]), query={"utm": "1"})
    assert not at.exception
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["buyer_email"], row["buyer_last_name"], row["company_name"]) == (MASK, MASK, MASK)
    assert (row["utm_source"], row["utm_campaign"]) == ("newsletter", "lyon-spring")
    assert OURS_EMAIL not in page_text(at) and "Dupont" not in page_text(at)
    search = at.text_input(key="orders.search")
    assert "order number or discount code only" in (search.help or "")
    # a buyer's email typed in the search confirms nothing
    at = open_page("pages/orders.py", scoped(engine, MARKETER, two_events["lyon"]), query={"q": OURS_EMAIL})
    assert "No order matches these filters." in [i.value for i in at.info]


def test_a_marketer_reads_the_order_page_without_the_buyer(engine, two_events):
    at = open_page(
        "pages/order_detail.py", scoped(engine, MARKETER, two_events["lyon"]), query={"order": str(two_events["ours"])}
    )
    assert not at.exception and not at.error
    text = page_text(at)
    assert MASK in text
    assert OURS_EMAIL not in text and "Dupont" not in text and "Claire" not in text
    assert "newsletter" in text and "lyon-spring" in text  # the UTM tab
