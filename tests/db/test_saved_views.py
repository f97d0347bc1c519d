"""Saved views: private to their owner unless shared with the owner's role; only the owner
deletes; saving under the same name replaces."""

from __future__ import annotations

import pytest

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.permissions import Actor
from orders_core.services.saved_views import delete_view, save_view, visible_views

ANNA = Actor("anna@example.org", "marketer")
BOB = Actor("bob@example.org", "marketer")
FRED = Actor("fred@example.org", "finance")
PAGE = "dashboard_marketing"


def _names(engine, actor, page=PAGE):
    with unit_of_work(engine) as session:
        return [v["name"] for v in visible_views(session, actor=actor, page=page)]


def test_a_private_view_is_seen_by_its_owner_only(engine):
    with unit_of_work(engine) as session:
        save_view(session, actor=ANNA, page=PAGE, name="Mine", params={"from": "2026-11-01", "events": "1,2"})
    assert _names(engine, ANNA) == ["Mine"]
    assert _names(engine, BOB) == []
    with unit_of_work(engine) as session:
        view = visible_views(session, actor=ANNA, page=PAGE)[0]
    assert view["params"] == {"from": "2026-11-01", "events": "1,2"} and view["mine"] and not view["shared"]


def test_a_shared_view_is_seen_by_the_same_role_only_and_on_its_page(engine):
    with unit_of_work(engine) as session:
        save_view(session, actor=ANNA, page=PAGE, name="Team", params={"by": "week"}, shared=True)
    assert _names(engine, BOB) == ["Team"]
    assert _names(engine, FRED) == []
    assert _names(engine, BOB, page="dashboard_sales") == []
    with unit_of_work(engine) as session:
        view = visible_views(session, actor=BOB, page=PAGE)[0]
    assert view["owner"] == ANNA.email and not view["mine"]


def test_saving_under_the_same_name_replaces_the_view(engine):
    with unit_of_work(engine) as session:
        save_view(session, actor=ANNA, page=PAGE, name="Q4", params={"by": "day"})
        save_view(session, actor=ANNA, page=PAGE, name=" Q4 ", params={"by": "month"}, shared=True)
    with unit_of_work(engine) as session:
        views = visible_views(session, actor=ANNA, page=PAGE)
    assert [(v["name"], v["params"], v["shared"]) for v in views] == [("Q4", {"by": "month"}, True)]


def test_only_the_owner_deletes_a_view(engine):
    with unit_of_work(engine) as session:
        view_id = save_view(session, actor=ANNA, page=PAGE, name="Team", params={}, shared=True)
    with pytest.raises(NotAllowed, match="Only the person who saved"), unit_of_work(engine) as session:
        delete_view(session, actor=BOB, view_id=view_id)
    with unit_of_work(engine) as session:
        delete_view(session, actor=ANNA, view_id=view_id)
    assert _names(engine, ANNA) == []
    with pytest.raises(InvalidInput, match="no longer exists"), unit_of_work(engine) as session:
        delete_view(session, actor=ANNA, view_id=view_id)


def test_a_view_needs_a_name(engine):
    with pytest.raises(InvalidInput, match="name"), unit_of_work(engine) as session:
        save_view(session, actor=ANNA, page=PAGE, name="  ", params={})
