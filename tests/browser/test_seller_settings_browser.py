"""In Chromium: an administrator opens the seller settings, types an IBAN with a wrong check digit,
is told so under the field, corrects it and saves; the page says it is saved and shows the IBAN
as stored (compact), and the database holds it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine
from orders_core.models import SellerSettings
from tests.browser.conftest import create_database, wait_for_app

pytestmark = pytest.mark.browser

BAD_IBAN = "FR76 3000 6000 0112 3456 7890 188"
GOOD_IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_ERROR = "IBAN: not a valid IBAN (check its country code, length and check digits)."


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    return create_database(tmp_path_factory.mktemp("seller_browser") / "orders.db", orders=0, roles=("admin",))


def test_an_admin_corrects_a_bad_iban_and_saves_the_seller_settings(signed_in_page, app_server, app_database):
    page = signed_in_page("admin", path="seller-settings")
    expect(page.get_by_role("heading", name="Seller settings")).to_be_visible()
    expect(page.get_by_text("No invoice can be issued until these settings are filled in:")).to_be_visible()

    iban = page.get_by_role("textbox", name="IBAN", exact=True)
    iban.fill(BAD_IBAN)
    iban.blur()  # a text input commits on blur: the click must not be the blur
    wait_for_app(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(IBAN_ERROR, exact=True)).to_be_visible()
    expect(page.get_by_text("The seller settings were not saved: correct IBAN.")).to_be_visible()
    wait_for_app(page)

    iban.fill(GOOD_IBAN)
    iban.blur()
    wait_for_app(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Seller settings saved.")).to_be_visible()
    expect(page.get_by_text(IBAN_ERROR, exact=True)).to_have_count(0)
    expect(iban).to_have_value("FR7630006000011234567890189")

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        assert conn.execute(select(SellerSettings.iban, SellerSettings.updated_by)).one() == (
            "FR7630006000011234567890189",
            app_database.accounts["admin"][0],
        )
