"""In Chromium (issue 18): an event manager fills the wizard's first two steps, reloads the tab,
and finds the same step with what was typed; a second tab opened on "New order" starts empty.
The same for the modify wizard: a phone typed in step 2 of `?modify=N` survives a reload."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.models import WizardDraft
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.browser.conftest import AppDatabase, wait_for_app
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "keeper@reload.example.org", "Lantern-Browser-2026!"  # not the name: the policy refuses it


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """A migrated SQLite database with one event, one badge, an order of one badge to modify, and
    an event manager."""
    url = f"sqlite:///{tmp_path_factory.mktemp('drafts_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Reload Summit")
        badge = make_tariff(session, event, name="Conference badge", unit_price_ht=Decimal("150.00"))
        make_order(session, event, [(badge, 1)], source="organizer", holders=[("Ada", "Lovelace", "")])
        add_user(
            session, actor=SYSTEM_ACTOR, email=EMAIL, role="event_manager", password=PASSWORD, full_name="Draft Keeper"
        )
    engine.dispose()
    return AppDatabase(url=url, accounts={"event_manager": (EMAIL, PASSWORD)})


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 2400, "height": 1600}, locale="en-GB")
    yield context.new_page()
    context.close()


def step_heading(page, title: str):
    return page.get_by_role("heading", name=re.compile(rf"^\d\. {re.escape(title)}$"))


def draft_saved(page, *, step: int):
    """The "Draft saved at HH:MM" caption of a run showing `step` (ui/wizard_drafts.py)."""
    return page.locator(f".st-key-wizard_draft_saved_step_{step}")


def test_a_reload_in_the_middle_of_the_wizard_keeps_what_was_typed(signed_in_page, app_database):
    page = signed_in_page("event_manager")
    page.get_by_role("link", name="New order").click()
    expect(step_heading(page, "Tariffs")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/new-order\?draft=[\w-]+$"))

    # 1. tariffs
    page.get_by_role("combobox", name="Event").click()
    page.get_by_role("option", name="Reload Summit").click()
    expect(page.get_by_role("spinbutton")).to_have_count(1)
    page.get_by_role("spinbutton").first.fill("2")
    page.keyboard.press("Enter")
    expect(page.get_by_text("€360.00")).to_be_visible()
    page.get_by_role("button", name="Next").click()

    # 2. buyer: typed, each field sent to the server (Enter), not yet validated
    expect(step_heading(page, "Buyer and billing")).to_be_visible()
    wait_for_app(page)
    for name, value in (("First name *", "Hélène"), ("Last name *", "Lefèvre"), ("Email *", "helene@example.org")):
        page.get_by_role("textbox", name=name).fill(value)
        page.keyboard.press("Enter")
        wait_for_app(page)
    # A step back and forth. Before reloading, the page must say that the server's draft is what
    # it shows ("Draft saved at ...", drawn after the save, in a container named after the step):
    # the idle marker, or a value typed in the browser, may still be those of a run that has not
    # saved yet on a busy machine.
    page.get_by_role("button", name="1. Tariffs").click()
    expect(page.get_by_role("spinbutton").first).to_have_value("2")
    expect(draft_saved(page, step=1)).to_contain_text("Draft saved at")
    expect(draft_saved(page, step=2)).to_have_count(0)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("textbox", name="Email *")).to_have_value("helene@example.org")
    expect(draft_saved(page, step=2)).to_contain_text("Draft saved at")
    wait_for_app(page)
    draft_url = page.url

    page.reload()
    expect(step_heading(page, "Buyer and billing")).to_be_visible()
    expect(page.get_by_role("textbox", name="First name *")).to_have_value("Hélène")
    expect(page.get_by_role("textbox", name="Last name *")).to_have_value("Lefèvre")
    expect(page.get_by_role("textbox", name="Email *")).to_have_value("helene@example.org")
    assert page.url == draft_url
    page.get_by_role("button", name="1. Tariffs").click()
    expect(page.get_by_role("spinbutton").first).to_have_value("2")

    # another tab: a wizard run of its own, empty
    other = page.context.new_page()
    other.goto(re.sub(r"\?.*$", "", draft_url))
    expect(step_heading(other, "Tariffs")).to_be_visible()
    expect(other).to_have_url(re.compile(r"/new-order\?draft=[\w-]+$"))
    assert other.url != draft_url
    expect(other.get_by_role("combobox", name="Event")).to_have_value("")  # nothing chosen there
    other.close()

    engine = get_engine(app_database.url)
    with unit_of_work(engine) as session:
        owners = session.scalars(select(WizardDraft.user_email)).all()
    assert owners == [EMAIL]  # the empty tab kept nothing
