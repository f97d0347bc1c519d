"""The wizard's drafts (issue 18), on SQLite and PostgreSQL: one per wizard run and user (and per
order, for a modify draft), replaced when saved again, invisible to another user and to another
order, deleted on demand, ignored then purged when old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from orders_core.db import read_only, unit_of_work
from orders_core.errors import InvalidInput
from orders_core.jobs import JOBS
from orders_core.models import WizardDraft
from orders_core.permissions import Actor
from orders_core.services.wizard_drafts import (
    discard_draft,
    load_draft,
    new_token,
    purge_drafts,
    purge_drafts_job,
    save_draft,
)
from orders_core.worker import JobRun
from tests.factories import make_event, make_order, make_tariff
from ui.wizard_state import WizardState

ANA = Actor("ana@example.org", "event_manager")
BOB = Actor("bob@example.org", "admin")


def save(engine, actor, token, state):
    with unit_of_work(engine) as session:
        return save_draft(session, actor=actor, token=token, state=state)


def load(engine, actor, token):
    with read_only(engine) as session:
        return load_draft(session, actor=actor, token=token)


def drafts(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(WizardDraft)).scalar_one()


def test_two_runs_keep_two_drafts_and_saving_again_replaces_one(engine):
    first, second = new_token(), new_token()
    typed = WizardState(step=2, event_id=4, quantities={"7": 2}, buyer={"first_name": "Hélène", "language": "fr"})
    save(engine, ANA, first, typed.to_json())
    save(engine, ANA, second, WizardState(step=1).to_json())
    assert WizardState.from_json(load(engine, ANA, first)) == typed
    typed.step = 3
    save(engine, ANA, first, typed.to_json())
    assert WizardState.from_json(load(engine, ANA, first)).step == 3
    assert WizardState.from_json(load(engine, ANA, second)).step == 1
    assert drafts(engine) == 2


def test_another_user_can_neither_read_nor_overwrite_nor_delete_a_draft(engine):
    token = new_token()
    save(engine, ANA, token, WizardState(step=2).to_json())
    assert load(engine, BOB, token) is None
    with pytest.raises(InvalidInput, match="This draft no longer exists."):
        save(engine, BOB, token, WizardState(step=4).to_json())
    with unit_of_work(engine) as session:
        assert discard_draft(session, actor=BOB, token=token) is False
    assert WizardState.from_json(load(engine, ANA, token)).step == 2


def test_a_discarded_draft_is_gone_and_discarding_twice_is_harmless(engine):
    token = new_token()
    save(engine, ANA, token, "{}")
    with unit_of_work(engine) as session:
        assert discard_draft(session, actor=ANA, token=token) is True
    with unit_of_work(engine) as session:
        assert discard_draft(session, actor=ANA, token=token) is False
    assert load(engine, ANA, token) is None and drafts(engine) == 0


def test_old_drafts_are_not_reopened_and_the_worker_purges_them(engine, monkeypatch):
    monkeypatch.setenv("ORDERS_WIZARD_DRAFT_DAYS", "3")
    old, recent = new_token(), new_token()
    save(engine, ANA, old, "{}")
    save(engine, ANA, recent, "{}")
    with unit_of_work(engine) as session:
        session.execute(
            update(WizardDraft).where(WizardDraft.token == old).values(updated_at=datetime.now(UTC) - timedelta(days=4))
        )
    assert load(engine, ANA, old) is None and load(engine, ANA, recent) == "{}"
    run = JobRun(engine=engine, now=datetime.now(UTC), should_stop=lambda: False)
    assert purge_drafts_job(run) == "1 wizard draft(s) older than 3 days deleted"
    assert purge_drafts_job(run) is None
    assert drafts(engine) == 1
    with unit_of_work(engine) as session:
        assert purge_drafts(session, now=datetime.now(UTC) + timedelta(days=4)) == 1
    assert "drafts" in {job.name for job in JOBS}


def test_a_marketer_may_not_keep_a_draft(engine):
    from orders_core.errors import NotAllowed

    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        save_draft(session, actor=Actor("m@example.org", "marketer"), token=new_token(), state="{}")


def two_orders(engine) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        return make_order(session, event, [(badge, 1)]).id, make_order(session, event, [(badge, 2)]).id


def test_a_modify_draft_opens_only_for_its_user_and_its_order(engine):
    order_id, other_id = two_orders(engine)
    token = new_token()
    typed = WizardState(mode="modify", step=2, order_id=order_id, number=7, version=1, buyer={"phone": "0102"})
    with unit_of_work(engine) as session:
        save_draft(session, actor=ANA, token=token, state=typed.to_json(), order_id=order_id)
    with read_only(engine) as session:
        assert WizardState.from_json(load_draft(session, actor=ANA, token=token, order_id=order_id)) == typed
        assert load_draft(session, actor=ANA, token=token) is None  # not a new order's draft
        assert load_draft(session, actor=ANA, token=token, order_id=other_id) is None
        assert load_draft(session, actor=BOB, token=token, order_id=order_id) is None
        assert load_draft(session, actor=ANA, token=token, order_id="not an id") is None
    with engine.connect() as conn:
        assert conn.execute(select(WizardDraft.order_id)).scalars().all() == [order_id]

    # the same token cannot be turned into a draft of another order, of a new order, or of someone else
    for actor, target in ((ANA, other_id), (ANA, None), (BOB, order_id)):
        with pytest.raises(InvalidInput, match="This draft no longer exists."), unit_of_work(engine) as session:
            save_draft(session, actor=actor, token=token, state="{}", order_id=target)
    with unit_of_work(engine) as session:
        assert discard_draft(session, actor=ANA, token=token, order_id=other_id) is False
        assert discard_draft(session, actor=ANA, token=token) is False
    with read_only(engine) as session:
        assert WizardState.from_json(load_draft(session, actor=ANA, token=token, order_id=order_id)).step == 2
    with unit_of_work(engine) as session:
        assert discard_draft(session, actor=ANA, token=token, order_id=order_id) is True
    assert drafts(engine) == 0


def test_a_modify_draft_names_an_existing_order(engine):
    with pytest.raises(InvalidInput, match="Unknown order id: 999999"), unit_of_work(engine) as session:
        save_draft(session, actor=ANA, token=new_token(), state="{}", order_id=999999)
    with pytest.raises(InvalidInput, match="“abc” is not an order id."), unit_of_work(engine) as session:
        save_draft(session, actor=ANA, token=new_token(), state="{}", order_id="abc")
    assert drafts(engine) == 0


def test_a_marketer_may_not_keep_a_modify_draft(engine):
    from orders_core.errors import NotAllowed

    order_id, _ = two_orders(engine)
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        save_draft(session, actor=Actor("m@example.org", "marketer"), token=new_token(), state="{}", order_id=order_id)
