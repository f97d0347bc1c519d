"""The read side of the issued documents (issue 21), on SQLite and PostgreSQL: finance's Invoices
page filters by number, issue date, status, event and kind, totals each currency apart (never
across), and the sales journal gives one row per document and VAT rate with exact sums."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_credit_note, issue_invoice, standing_invoice
from orders_core.errors import NotAllowed
from orders_core.models import Invoice
from orders_core.permissions import Actor
from queries.invoices import (
    InvoiceFilters,
    document_order,
    invoice_events,
    invoice_ids,
    invoice_list,
    invoice_totals,
    order_documents,
)
from queries.sales_journal import journal_csv, sales_journal, vat_totals
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

FINANCE = Actor("finance@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
MARKETER = Actor("marketer@example.org", "marketer")
NOV = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December already in Paris
DEC = datetime(2026, 12, 5, 10, tzinfo=UTC)


def invoice_of(session, order_id: int, now: datetime) -> Invoice:
    """The order's invoice: the one a service already issued, else one issued now."""
    return standing_invoice(session, order_id) or issue_invoice(session, actor=FINANCE, order_id=order_id, now=now)


@pytest.fixture
def documents(engine):
    """F2026-00001: unpaid, Paris event, 3 x 100 € at 20 %.
    F2026-00002: paid, Paris event, 2 x 10 € at 5.5 % and 1 x 50 € at 20 %.
    F2026-00003: London event in GBP, 1 x 80 £ at 20 %, credited for its whole: A2026-00001."""
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        paris = make_event(session, name="Paris Summit")
        london = make_event(session, name="London Forum", currency="GBP")
        badge = make_tariff(session, paris, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        book = make_tariff(session, paris, kind="product", unit_price_ht=Decimal("10.00"), tax_rate=Decimal("5.5"))
        lunch = make_tariff(session, paris, kind="product", unit_price_ht=Decimal("50.00"), tax_rate=Decimal("20"))
        pass_ = make_tariff(session, london, unit_price_ht=Decimal("80.00"), tax_rate=Decimal("20"))
        unpaid = make_order(session, paris, [(badge, 3)], company_name="=HYPERLINK(1)")
        first = invoice_of(session, unpaid.id, NOV)
        with time_machine.travel(DEC, tick=False):  # its payment issues its invoice, on 5 December
            paid = make_order(session, paris, [(book, 2), (lunch, 1)], status="paid")
        gbp = make_order(session, london, [(pass_, 1)])
        second = invoice_of(session, paid.id, DEC)
        third = invoice_of(session, gbp.id, DEC)
        note = issue_credit_note(session, actor=FINANCE, invoice_id=third.id, reason="Cancelled", now=DEC)
        return {
            "paris": paris.id,
            "london": london.id,
            "orders": (unpaid.id, paid.id, gbp.id),
            "numbers": (first.number, second.number, third.number, note.number),
            "ids": (first.id, second.id, third.id, note.id),
        }


def numbers(engine, **filters) -> list[str]:
    return list(invoice_list(engine, InvoiceFilters(timezone="Europe/Paris", **filters), principal=FINANCE)["number"])


def test_every_document_is_listed_newest_first_with_its_status_and_what_it_corrects(engine, documents):
    rows = invoice_list(engine, InvoiceFilters(), principal=FINANCE)
    assert list(rows["number"]) == ["A2026-00001", "F2026-00003", "F2026-00002", "F2026-00001"]
    assert list(rows["status"]) == ["credit_note", "credited", "paid", "unpaid"]
    assert list(rows["corrects_number"].fillna("")) == ["F2026-00003", "", "", ""]
    assert list(rows["total_ttc"]) == [Decimal("-96.00"), Decimal("96.00"), Decimal("81.10"), Decimal("360.00")]
    assert rows["buyer"].iloc[-1] == "=HYPERLINK(1)" and rows["buyer"].iloc[1] == "Ada Lovelace"


def test_the_search_finds_a_number_by_any_part_in_any_case(engine, documents):
    assert numbers(engine, search="f2026-0000") == ["F2026-00003", "F2026-00002", "F2026-00001"]
    assert numbers(engine, search=" a2026 ") == ["A2026-00001"]
    assert numbers(engine, search="%") == [] and numbers(engine, search="_") == []


def test_issue_dates_are_calendar_days_of_the_chosen_zone(engine, documents):
    # 30 November 23:30 UTC is 1 December in Paris, still 30 November in New York.
    assert numbers(engine, issued_from=date(2026, 12, 1), issued_to=date(2026, 12, 1)) == ["F2026-00001"]
    new_york = invoice_list(
        engine,
        InvoiceFilters(issued_to=date(2026, 11, 30), timezone="America/New_York"),
        principal=FINANCE,
    )
    assert list(new_york["number"]) == ["F2026-00001"]
    assert numbers(engine, issued_from=date(2026, 12, 2)) == ["A2026-00001", "F2026-00003", "F2026-00002"]
    # dates given the wrong way round are the same range
    assert numbers(engine, issued_from=date(2026, 12, 31), issued_to=date(2026, 12, 2)) == numbers(
        engine, issued_from=date(2026, 12, 2)
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [("paid", ["F2026-00002"]), ("unpaid", ["F2026-00001"]), ("credited", ["F2026-00003"])],
)
def test_the_status_filter_keeps_paid_unpaid_or_credited_invoices(engine, documents, status, expected):
    assert numbers(engine, status=status) == expected


def test_event_and_kind_filters(engine, documents):
    assert numbers(engine, event_id=documents["london"]) == ["A2026-00001", "F2026-00003"]
    assert numbers(engine, event_id=documents["paris"], kind="invoice") == ["F2026-00002", "F2026-00001"]
    assert numbers(engine, kind="credit_note") == ["A2026-00001"]
    assert numbers(engine, kind="nonsense", status="nonsense") == numbers(engine)  # unknown values are ignored
    assert invoice_events(engine, principal=FINANCE) == [
        (documents["london"], "London Forum"),
        (documents["paris"], "Paris Summit"),
    ]


def test_totals_are_exact_and_kept_apart_per_currency(engine, documents):
    totals = invoice_totals(engine, InvoiceFilters(), principal=FINANCE).set_index("currency")
    assert list(totals.index) == ["EUR", "GBP"]
    eur, gbp = totals.loc["EUR"], totals.loc["GBP"]
    assert (eur["documents"], eur["total_ht"], eur["total_tax"], eur["total_ttc"]) == (
        2,
        Decimal("370.00"),
        Decimal("71.10"),
        Decimal("441.10"),
    )
    # the credit note nets the invoice it corrects
    assert (gbp["documents"], gbp["total_ht"], gbp["total_ttc"]) == (2, Decimal("0.00"), Decimal("0.00"))
    paid = invoice_totals(engine, InvoiceFilters(status="paid"), principal=FINANCE)
    assert paid.to_dict("records") == [
        {
            "currency": "EUR",
            "documents": 1,
            "total_ht": Decimal("70.00"),
            "total_tax": Decimal("11.10"),
            "total_ttc": Decimal("81.10"),
        }
    ]


def test_the_sales_journal_has_a_row_per_document_and_vat_rate_with_exact_sums(engine, documents):
    journal = sales_journal(engine, InvoiceFilters(), principal=FINANCE)
    rows = [
        (r["number"], r["tax_rate"], r["total_ht"], r["total_tax"], r["total_ttc"]) for r in journal.to_dict("records")
    ]
    assert rows == [
        ("F2026-00001", Decimal("20"), Decimal("300.00"), Decimal("60.00"), Decimal("360.00")),
        ("F2026-00002", Decimal("5.5"), Decimal("20.00"), Decimal("1.10"), Decimal("21.10")),
        ("F2026-00002", Decimal("20"), Decimal("50.00"), Decimal("10.00"), Decimal("60.00")),
        ("F2026-00003", Decimal("20"), Decimal("80.00"), Decimal("16.00"), Decimal("96.00")),
        ("A2026-00001", Decimal("20"), Decimal("-80.00"), Decimal("-16.00"), Decimal("-96.00")),
    ]
    assert journal["issued_on"].iloc[0] == date(2026, 12, 1)  # the Paris day of 30 November 23:30 UTC
    assert list(journal["kind"]) == ["invoice"] * 4 + ["credit_note"]


def test_the_journal_csv_is_for_french_excel_and_never_holds_a_formula(engine, documents):
    text = b"".join(journal_csv(engine, InvoiceFilters(), principal=FINANCE)).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Date;Document number;Kind;Buyer;Currency;VAT rate (%);Total excl. tax;VAT;Total incl. tax"
    assert lines[1] == "2026-12-01;F2026-00001;Invoice;'=HYPERLINK(1);EUR;20;300,00;60,00;360,00"
    assert lines[2] == "2026-12-05;F2026-00002;Invoice;Ada Lovelace;EUR;5,5;20,00;1,10;21,10"
    assert lines[5] == "2026-12-05;A2026-00001;Credit note;Ada Lovelace;GBP;20;-80,00;-16,00;-96,00"
    comma = b"".join(journal_csv(engine, InvoiceFilters(kind="credit_note"), principal=FINANCE, separator=","))
    assert comma.decode("utf-8").lstrip("\ufeff").splitlines()[1].endswith(",GBP,20,-80.00,-16.00,-96.00")


def test_an_order_lists_its_documents_oldest_first(engine, documents):
    gbp = documents["orders"][2]
    rows = order_documents(engine, gbp, principal=MANAGER)
    assert list(rows["number"]) == ["F2026-00003", "A2026-00001"]
    assert document_order(engine, documents["ids"][3], principal=MANAGER) == gbp
    assert document_order(engine, 999_999, principal=MANAGER) is None
    assert invoice_ids(engine, InvoiceFilters(event_id=documents["london"]), principal=FINANCE) == list(
        documents["ids"][2:]
    )


@pytest.mark.parametrize(
    "read",
    [
        lambda engine: invoice_list(engine, InvoiceFilters(), principal=MARKETER),
        lambda engine: invoice_totals(engine, InvoiceFilters(), principal=MARKETER),
        lambda engine: sales_journal(engine, InvoiceFilters(), principal=MARKETER),
        lambda engine: vat_totals(engine, InvoiceFilters(), principal=MARKETER),
        lambda engine: journal_csv(engine, InvoiceFilters(), principal=MARKETER),
        lambda engine: order_documents(engine, 1, principal=MARKETER),
        lambda engine: document_order(engine, 1, principal=MARKETER),
    ],
)
def test_a_marketer_reads_no_document(engine, documents, read):
    with pytest.raises(NotAllowed):
        read(engine)


def test_vat_totals_sum_each_rate_of_each_currency_apart(engine, documents):
    totals = vat_totals(engine, InvoiceFilters(), principal=FINANCE)
    assert totals.to_dict("records") == [
        {
            "currency": "EUR",
            "tax_rate": Decimal("5.5"),
            "total_ht": Decimal("20.00"),
            "total_tax": Decimal("1.10"),
            "total_ttc": Decimal("21.10"),
        },
        {
            "currency": "EUR",
            "tax_rate": Decimal("20"),
            "total_ht": Decimal("350.00"),
            "total_tax": Decimal("70.00"),
            "total_ttc": Decimal("420.00"),
        },
        {
            "currency": "GBP",
            "tax_rate": Decimal("20"),
            "total_ht": Decimal("0.00"),
            "total_tax": Decimal("0.00"),
            "total_ttc": Decimal("0.00"),
        },
    ]
