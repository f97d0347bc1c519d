"""The new-order wizard's drafts through AppTest (issue 18): a new browser session on the same
address (what a reload is) finds what was typed; another tab gets a draft of its own; "Start
over" and creating the order delete the draft."""

from __future__ import annotations

from sqlalchemy import func, select

from orders_core.models import Order, WizardDraft
from tests.app.test_order_wizard_page import fill_step_one, shop, wizard

__all__ = ["shop"]  # the fixture, shared with the wizard's page tests


def drafts(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(WizardDraft.token)).scalars())


def draft_in_address(at) -> str:
    value = at.query_params["draft"]
    return value[0] if isinstance(value, list) else value


def test_a_reload_in_the_middle_of_the_wizard_finds_what_was_typed(engine, shop):
    at = wizard()
    assert drafts(engine) == []  # nothing typed, nothing kept
    fill_step_one(at, shop)
    at.button(key="wizard.next").click().run()
    at.text_input(key="wizard.w.buyer.first_name").input("Hélène").run()
    at.text_input(key="wizard.w.buyer.email").input("helene@example.org").run()
    token = draft_in_address(at)
    assert drafts(engine) == [token]

    reloaded = wizard({"draft": token})  # a new browser session at the same address
    assert not reloaded.exception
    assert reloaded.session_state["wizard"].step == 2
    assert reloaded.text_input(key="wizard.w.buyer.first_name").value == "Hélène"
    assert reloaded.text_input(key="wizard.w.buyer.email").value == "helene@example.org"
    reloaded.button(key="wizard.goto.1").click().run()
    assert reloaded.number_input(key=f"wizard.w.qty.{shop['badge']}").value == 2
    assert draft_in_address(reloaded) == token


def test_a_value_typed_then_a_step_of_the_menu_clicked_at_once_is_kept(engine, shop):
    """The browser sends the typed value with the click (the field loses focus): the step shown
    copies it back before the wizard moves, so neither the wizard nor its draft loses it."""
    at = wizard()
    fill_step_one(at, shop)
    at.button(key="wizard.next").click().run()
    at.text_input(key="wizard.w.buyer.email").input("helene@example.org")
    at.button(key="wizard.goto.1").click().run()
    assert not at.exception
    assert at.session_state["wizard"].step == 1
    assert at.session_state["wizard"].buyer["email"] == "helene@example.org"
    reloaded = wizard({"draft": draft_in_address(at)})
    assert reloaded.session_state["wizard"].buyer["email"] == "helene@example.org"
    at.button(key="wizard.goto.2").click().run()
    assert at.text_input(key="wizard.w.buyer.email").value == "helene@example.org"


def test_another_tab_gets_its_own_draft_and_an_unknown_one_says_so(engine, shop):
    first = wizard()
    fill_step_one(first, shop)
    other = wizard()
    fill_step_one(other, shop, badges=1)
    assert draft_in_address(first) != draft_in_address(other)
    assert sorted(drafts(engine)) == sorted([draft_in_address(first), draft_in_address(other)])
    gone = wizard({"draft": "no-such-draft-token-here"})
    assert any("This draft is no longer available" in info.value for info in gone.info)
    assert gone.session_state["wizard"].event_id is None


def test_start_over_deletes_the_draft(engine, shop):
    at = wizard()
    fill_step_one(at, shop)
    assert len(drafts(engine)) == 1
    at.button(key="wizard.reset").click().run()
    assert not at.exception
    assert drafts(engine) == []
    assert at.session_state["wizard"].event_id is None


def test_creating_the_order_deletes_its_draft(engine, shop):
    at = wizard()
    fill_step_one(at, shop, badges=1)
    at.session_state["wizard"].buyer.update(first_name="Ada", last_name="Lovelace", email="ada@example.org")
    at.session_state["wizard"].custom[str(shop["po"])] = "PO-9"
    at.session_state["wizard"].holders = {str(shop["badge"]): [{"first_name": "Ada", "last_name": "Lovelace"}]}
    at.session_state["wizard"].validated = 3
    at.run()
    assert len(drafts(engine)) == 1
    at.button(key="wizard.goto.4").click().run()
    at.button(key="wizard.save").click().run()
    assert not at.exception and not at.error
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order)).scalar_one() == 1
    assert drafts(engine) == []
