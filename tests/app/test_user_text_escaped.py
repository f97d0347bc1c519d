"""Issue 13 item 2: user text shown through Markdown reads as typed. Hostile values stored in
buyer, company, billing, UTM, note, holder, event, tariff and user-name fields render on the
order page, the grid page and the sidebar as escaped Markdown: no image, link, heading or HTML
comes out of them."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from orders_core.db import unit_of_work
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff
from ui.text import md

ROOT = Path(__file__).resolve().parents[2]
DETAIL = str(ROOT / "pages" / "order_detail.py")
IMAGE = "![x](http://evil.example/t.png)"
LINK = "[click](http://evil.example)"
HEADING = "# Heading"
HTML = "<img src=x>"
HOSTILE = (IMAGE, LINK, HEADING, HTML)
# Markdown that would render: an image, a link, a heading at a line start, raw HTML, an autolink.
RENDERS = re.compile(r"!\[x\]\(|(?<!\\)\[click(?<!\\)\]\(|(^|\n)# Heading|(?<!\\)<img|(?<!\\)http://evil(?!\\)")


@pytest.fixture
def hostile_order(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session, name=LINK)
        tariff = make_tariff(session, event, name=IMAGE, unit_price_ht=Decimal("10.00"))
        order = make_order(
            session,
            event,
            [(tariff, 1)],
            holders=[(IMAGE, HEADING, "holder@example.org")],
            buyer_first_name=IMAGE,
            buyer_last_name=LINK,
            company_name=HEADING,
            billing_address=HTML,
            billing_city=LINK,
            utm_source=IMAGE,
            utm_medium=LINK,
            utm_campaign=HEADING,
            utm_term=HTML,
            notes=f"{HEADING}\n{IMAGE}\n{LINK}\n{HTML}",
        )
        return order.number


def bodies(at) -> list[str]:
    """The Markdown source of every element that renders Markdown."""
    elements = [*at.markdown, *at.caption, *at.title, *at.subheader, *at.header]
    elements += [*at.info, *at.warning, *at.success, *at.error]
    return [element.value for element in elements]


def test_the_escape_helper_shows_each_character_as_typed():
    assert md(IMAGE) == "!\\[x\\](http\\:\u2060//evil.example/t.png)"  # U+2060: no autolink
    assert md(LINK) == "\\[click\\](http\\:\u2060//evil.example)"
    assert md(HEADING) == r"\# Heading" and md(HTML) == r"\<img src=x\>"
    assert md("www.evil.example :red[x] :smile:") == "www\u2060.evil.example \\:red\\[x\\] \\:smile:"
    assert md("- a\n1. b\n===") == "\\- a  \n1\\. b  \n\\==="
    assert md(None) == "" and md("jean.martin@example.org, SMTP 550: busy") == "jean.martin@example.org, SMTP 550: busy"


def test_the_order_page_shows_hostile_user_text_escaped(hostile_order):
    user = {"email": "admin@example.org", "role": "admin", "name": IMAGE}
    at = open_page(DETAIL, user, query={"order": str(hostile_order)}, state={"ui.timezone": "UTC"})
    assert not at.exception
    shown = "\n".join(bodies(at))
    for value in HOSTILE:
        assert md(value) in shown, value  # each stored value is on the page, escaped
    assert [body for body in bodies(at) if RENDERS.search(body)] == []
    assert f"**{md(IMAGE)}**" in bodies(at)  # the signed-in user's name in the sidebar


def test_the_grid_page_shows_no_rendered_user_markdown(hostile_order):
    at = open_page(str(ROOT / "pages" / "orders.py"), {"email": "finance@example.org", "role": "finance"})
    assert not at.exception and at.dataframe
    assert [body for body in bodies(at) if RENDERS.search(body)] == []
