"""Where the documents show (issue 21), through AppTest: the order page's Invoices tab lists the
order's invoices and credit notes, issues an invoice or (after a summary) a credit note for
finance, shows no issue button to others; finance's Invoices page filters by the address and
totals each currency apart."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_credit_note, issue_invoice, standing_invoice
from orders_core.models import Invoice
from orders_core.permissions import Actor
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

DETAIL = "pages/order_detail.py"
INVOICES = "pages/invoices.py"
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}
MANAGER = {"email": "manager@example.org", "role": "event_manager", "name": "Manager"}
MARKETER = {"email": "marketer@example.org", "role": "marketer", "name": "Marketer"}
ISSUER = Actor("finance@example.org", "finance")
DEC = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture
def shop(engine, db_url, monkeypatch):
    """Seller settings, an EUR event with an invoiced order (2 x 100 € at 20 %) and an order
    without any document, a GBP event with an invoiced order."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        paris = make_event(session, name="Paris Summit")
        london = make_event(session, name="London Forum", currency="GBP")
        badge = make_tariff(session, paris, name="Badge", unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        pass_ = make_tariff(session, london, name="Pass", unit_price_ht=Decimal("50.00"), tax_rate=Decimal("20"))
        invoiced = make_order(session, paris, [(badge, 2)])
        bare = make_order(session, paris, [(badge, 1)])
        pounds = make_order(session, london, [(pass_, 1)])
        for order in (invoiced, pounds):
            if standing_invoice(session, order.id) is None:
                issue_invoice(session, actor=ISSUER, order_id=order.id, now=DEC)
        for invoice in session.scalars(select(Invoice).where(Invoice.order_id == bare.id)).all():
            issue_credit_note(session, actor=ISSUER, invoice_id=invoice.id, reason="test reset", now=DEC)
        return {
            "invoiced": invoiced.number,
            "bare": bare.number,
            "bare_id": bare.id,
            "invoiced_id": invoiced.id,
            "invoice_id": standing_invoice(session, invoiced.id).id,
            "paris": paris.id,
        }


def tab(at: AppTest):
    return next(t for t in at.tabs if t.label == "Invoices")


def tab_texts(at: AppTest) -> list[str]:
    return [m.value for m in tab(at).markdown]


def order_page(user: dict, number: int) -> AppTest:
    return open_page(DETAIL, user, query={"order": str(number)}, state={"ui.timezone": "UTC"})


def documents_of(engine, order_id: int) -> list[tuple[str, str, Decimal]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Invoice.kind, Invoice.number, Invoice.total_ttc)
            .where(Invoice.order_id == order_id)
            .order_by(Invoice.id)
        ).all()
    return [(kind, number, Decimal(str(total)).quantize(Decimal("0.01"))) for kind, number, total in rows]


def test_the_tab_lists_the_invoice_with_its_dates_amounts_and_download(shop):
    at = order_page(FINANCE, shop["invoiced"])
    assert not at.exception
    text = "\n".join(tab_texts(at))
    assert "**Invoice F2026-00001**" in text
    assert "Issued 1 Dec 2026, 10:00:00 UTC" in text
    assert "Excl. tax €200.00 · VAT €40.00 · Incl. tax €240.00" in text
    assert not [b for b in tab(at).button if b.key == "order_invoices.issue"]  # one invoice stands


def test_the_pdf_is_a_link_to_the_audited_document_route_with_no_download_button(shop):
    at = order_page(FINANCE, shop["invoiced"])
    invoice_id = shop["invoice_id"]
    links = [(b.proto.label, b.proto.url) for b in at.get("link_button") if "/documents/" in b.proto.url]
    assert links == [("Download PDF", f"/documents/{invoice_id}.pdf")]
    assert not at.get("download_button")  # a deferred download raced the rerun its click started


def test_an_order_without_documents_shows_the_empty_state_and_finance_issues_its_invoice(shop, engine):
    at = order_page(FINANCE, shop["bare"])
    assert "No invoice or credit note for this order yet." in [i.value for i in tab(at).info]
    at.button(key="order_invoices.issue").click().run()
    assert not at.exception and not at.error
    issued = documents_of(engine, shop["bare_id"])
    assert issued[-1][0] == "invoice" and issued[-1][2] == Decimal("120.00")
    assert f"Invoice {issued[-1][1]} issued." in [s.value for s in at.success]


def test_issuing_with_incomplete_seller_settings_says_what_is_missing(shop, engine):
    with unit_of_work(engine) as session:
        make_seller_settings(session, siren="", iban="")
    at = order_page(FINANCE, shop["bare"])
    at.button(key="order_invoices.issue").click().run()
    assert not at.exception
    assert any("Missing: SIREN, IBAN" in e.value for e in at.error)


def test_a_partial_credit_note_is_issued_only_after_its_summary_is_confirmed(shop, engine):
    at = order_page(FINANCE, shop["invoiced"])
    at.radio(key="order_invoices.scope").set_value("Some units").run()
    line_key = next(n.key for n in at.number_input if n.key.startswith("order_invoices.units."))
    at.number_input(key=line_key).set_value(1)
    at.text_input(key="order_invoices.reason").input("One badge unused")
    at.button(key="order_invoices.review").click().run()
    assert not at.exception
    assert "- “Badge”: 1 of 2 units" in tab_texts(at)
    assert len(documents_of(engine, shop["invoiced_id"])) == 1  # nothing issued by the review
    at.button(key="order_invoices.confirm_issue").click().run()
    assert not at.exception and not at.error
    assert documents_of(engine, shop["invoiced_id"])[1] == ("credit_note", "A2026-00001", Decimal("-120.00"))
    assert "Credit note A2026-00001 issued." in [s.value for s in at.success]
    text = "\n".join(tab_texts(at))
    assert "**Credit note A2026-00001** · corrects F2026-00001" in text


def test_a_whole_credit_note_leaves_the_order_without_a_standing_invoice(shop, engine):
    at = order_page(FINANCE, shop["invoiced"])
    at.text_input(key="order_invoices.reason").input("Order cancelled")
    at.button(key="order_invoices.review").click().run()
    at.button(key="order_invoices.confirm_issue").click().run()
    assert not at.exception and not at.error
    assert documents_of(engine, shop["invoiced_id"])[1] == ("credit_note", "A2026-00001", Decimal("-240.00"))
    assert at.button(key="order_invoices.issue")  # nothing stands: a new invoice may be issued
    assert "Reason: Order cancelled" in [c.value for c in tab(at).caption]


def test_going_back_from_the_summary_issues_nothing(shop, engine):
    at = order_page(FINANCE, shop["invoiced"])
    at.text_input(key="order_invoices.reason").input("Cancelled")
    at.button(key="order_invoices.review").click().run()
    assert "- “Badge”: 2 units, €240.00" in tab_texts(at)
    at.button(key="order_invoices.back").click().run()
    assert len(documents_of(engine, shop["invoiced_id"])) == 1
    assert at.button(key="order_invoices.review")


def test_an_event_manager_sees_documents_but_no_issue_button(shop):
    at = order_page(MANAGER, shop["invoiced"])
    assert "**Invoice F2026-00001**" in "\n".join(tab_texts(at))
    keys = {b.key for b in tab(at).button}
    assert not {"order_invoices.issue", "order_invoices.review"} & keys
    assert not list(tab(at).expander)


def test_a_marketer_sees_no_document_and_no_issue_button(shop):
    at = order_page(MARKETER, shop["invoiced"])
    assert not at.exception
    assert [i.value for i in tab(at).info] == ["Invoices are shown to finance, event managers and administrators."]
    assert not tab(at).button and "F2026-00001" not in "\n".join(tab_texts(at))


def invoices_page(user: dict = FINANCE, **query) -> AppTest:
    return open_page(INVOICES, user, query=query, state={"ui.timezone": "UTC"})


def listed(at: AppTest) -> list[str]:
    tables = [d.value for d in at.dataframe if "number" in d.value.columns]
    return list(tables[0]["number"]) if tables else []


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_invoices_page_lists_every_document_with_totals_per_currency(shop):
    at = invoices_page()
    assert not at.exception
    assert listed(at) == ["F2026-00002", "F2026-00001"]
    assert metrics(at) == {"Total incl. tax in EUR": "€240.00", "Total incl. tax in GBP": "£60.00"}
    vat = next(d.value for d in at.dataframe if "tax_rate" in d.value.columns)
    assert vat.to_dict("records") == [
        {"currency": "EUR", "tax_rate": "20%", "total_ht": "€200.00", "total_tax": "€40.00", "total_ttc": "€240.00"},
        {"currency": "GBP", "tax_rate": "20%", "total_ht": "£50.00", "total_tax": "£10.00", "total_ttc": "£60.00"},
    ]
    links = [b.proto.url for b in at.get("link_button")]
    assert any("/documents/invoices.zip?" in url for url in links)
    assert any("/documents/sales-journal.csv?" in url and "tz=UTC" in url for url in links)


def test_the_filters_come_from_the_address_and_go_back_to_it(shop):
    at = invoices_page(event=str(shop["paris"]))
    assert listed(at) == ["F2026-00001"]
    assert metrics(at) == {"Total incl. tax in EUR": "€240.00"}
    at.selectbox(key="invoices.status").set_value("credited").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No invoice or credit note matches these filters."]
    assert at.query_params["status"] in ("credited", ["credited"])
    assert at.query_params["event"] in (str(shop["paris"]), [str(shop["paris"])])


def test_a_credit_note_shows_as_credited_and_nets_the_total(shop, engine):
    with unit_of_work(engine) as session:
        invoice = standing_invoice(session, shop["invoiced_id"])
        issue_credit_note(session, actor=ISSUER, invoice_id=invoice.id, reason="Cancelled", now=DEC)
    at = invoices_page(event=str(shop["paris"]))
    assert listed(at) == ["A2026-00001", "F2026-00001"]
    assert metrics(at) == {"Total incl. tax in EUR": "€0.00"}
    at.text_input(key="invoices.search").input("a2026").run()
    assert listed(at) == ["A2026-00001"]
    assert at.query_params["q"] in ("a2026", ["a2026"])


def test_an_empty_installation_says_how_invoices_appear(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    at = invoices_page()
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No invoice has been issued yet: invoices appear here as soon as they are issued."
    ]


def test_the_tab_and_the_page_speak_french(shop, monkeypatch):
    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    at = order_page(FINANCE, shop["invoiced"])
    assert not at.exception
    invoices_tab = next(t for t in at.tabs if t.label == "Factures")
    text = "\n".join(m.value for m in invoices_tab.markdown)
    assert "**Facture F2026-00001**" in text and "HT 200,00" in text
    assert [e.label for e in invoices_tab.expander] == ["Émettre un avoir"]
    page = invoices_page()
    assert page.title[0].value == "Factures"
    assert "Total TTC en EUR" in metrics(page)
