"""The modify wizard's drafts through AppTest (issue 18): a new browser session on the same
address `?modify=N&draft=...` (what a reload is) reopens the step and what was typed; saving the
changes deletes the draft; a draft opens only for its user and its order; a draft of an order
changed since it was started says so, and its save is refused by the version check."""

from __future__ import annotations

from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import Event, FieldValue, Order, Tariff, WizardDraft
from tests.app.conftest import open_page
from tests.app.test_order_wizard_page import WIZARD, errors, shop, wizard
from tests.app.test_wizard_drafts_page import draft_in_address
from tests.factories import make_order

__all__ = ["shop"]  # the fixture, shared with the wizard's page tests

OTHER_MANAGER = {"id": 2, "email": "other.manager@example.org", "role": "event_manager", "name": "Other"}


def drafts(engine) -> list[tuple[str, int | None]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(WizardDraft.token, WizardDraft.order_id))]


def an_order(engine, shop) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        event, badge = session.get(Event, shop["event"]), session.get(Tariff, shop["badge"])
        order = make_order(
            session,
            event,
            [(badge, 1)],
            source="organizer",
            buyer_first_name="Ada",
            buyer_last_name="Lovelace",
            holders=[("Ada", "Lovelace", "")],
        )
        session.add(FieldValue(order_id=order.id, order_item_id=None, field_id=shop["po"], value="PO-1"))
        return order.number, order.id


def type_a_phone(engine, shop, number: int, phone: str = "+33 1 02 03 04 05"):
    """Open the modify wizard, go to step 2 and type a phone: the draft is kept."""
    at = wizard({"modify": str(number)})
    assert not at.exception
    at.button(key="wizard.goto.2").click().run()
    at.text_input(key="wizard.w.buyer.phone").input(phone).run()
    return at


def phone_of(engine, order_id: int) -> str | None:
    with unit_of_work(engine) as session:
        return session.get(Order, order_id).buyer_phone


def test_a_reload_of_the_modify_wizard_reopens_the_step_and_what_was_typed(engine, shop):
    number, order_id = an_order(engine, shop)
    opened = wizard({"modify": str(number)})
    assert draft_in_address(opened)  # the run has its token in the address from the start
    assert drafts(engine) == []  # opening the order keeps nothing: nothing was typed

    at = type_a_phone(engine, shop, number)
    token = draft_in_address(at)
    assert drafts(engine) == [(token, order_id)]

    reloaded = wizard({"modify": str(number), "draft": token})  # a new browser session, same address
    assert not reloaded.exception and not reloaded.warning
    assert reloaded.title[0].value == f"Modify order {number}"
    assert reloaded.session_state["wizard"].step == 2
    assert reloaded.text_input(key="wizard.w.buyer.phone").value == "+33 1 02 03 04 05"
    assert draft_in_address(reloaded) == token
    assert phone_of(engine, order_id) == ""  # nothing saved on the order yet

    reloaded.button(key="wizard.goto.4").click().run()
    reloaded.button(key="wizard.save").click().run()
    assert not reloaded.exception and not errors(reloaded)
    assert phone_of(engine, order_id) == "+33 1 02 03 04 05"
    assert drafts(engine) == []  # deleted with the saved changes


def test_start_over_deletes_the_modify_draft_and_reopens_the_order(engine, shop):
    number, _ = an_order(engine, shop)
    at = type_a_phone(engine, shop, number)
    assert len(drafts(engine)) == 1
    at.button(key="wizard.reset").click().run()
    assert not at.exception
    assert drafts(engine) == []
    assert at.session_state["wizard"].number == number and at.session_state["wizard"].buyer.get("phone") in (None, "")


def test_a_draft_of_another_user_or_another_order_does_not_open(engine, shop):
    number, order_id = an_order(engine, shop)
    other_number, _ = an_order(engine, shop)
    token = draft_in_address(type_a_phone(engine, shop, number))

    someone_else = open_page(WIZARD, OTHER_MANAGER, query={"modify": str(number), "draft": token})
    assert any("This draft is no longer available" in info.value for info in someone_else.info)
    assert someone_else.session_state["wizard"].buyer.get("phone") in (None, "")
    assert draft_in_address(someone_else) != token

    other_order = wizard({"modify": str(other_number), "draft": token})
    assert any("the order opens as it is now" in info.value for info in other_order.info)
    assert other_order.session_state["wizard"].number == other_number
    assert other_order.session_state["wizard"].buyer.get("phone") in (None, "")

    new_order = wizard({"draft": token})  # a modify draft is not a new order's draft
    assert any("a new order starts" in info.value for info in new_order.info)
    assert new_order.session_state["wizard"].order_id is None

    assert drafts(engine) == [(token, order_id)]  # untouched by those who could not open it


def test_a_draft_of_an_order_changed_since_says_so_and_its_save_is_refused(engine, shop):
    number, order_id = an_order(engine, shop)
    token = draft_in_address(type_a_phone(engine, shop, number))

    colleague = type_a_phone(engine, shop, number, phone="+33 9 99 99 99 99")  # another tab saves first
    colleague.button(key="wizard.goto.4").click().run()
    colleague.button(key="wizard.save").click().run()
    assert not errors(colleague) and phone_of(engine, order_id) == "+33 9 99 99 99 99"

    reloaded = wizard({"modify": str(number), "draft": token})
    assert any(
        f"Order {number} has been changed by someone else since this draft was started" in w.value
        for w in reloaded.warning
    )
    assert reloaded.text_input(key="wizard.w.buyer.phone").value == "+33 1 02 03 04 05"
    reloaded.button(key="wizard.goto.4").click().run()
    reloaded.button(key="wizard.save").click().run()
    assert any(f"Order {number} was changed by someone else" in e for e in errors(reloaded))
    assert phone_of(engine, order_id) == "+33 9 99 99 99 99"  # the newer order is not overwritten
    assert [t for t, _ in drafts(engine)] == [token]  # kept: the refused save wrote nothing

    reloaded.button(key="wizard.reload").click().run()  # start again from the order as it is now
    assert drafts(engine) == []
    assert reloaded.session_state["wizard"].buyer.get("phone") == "+33 9 99 99 99 99"
