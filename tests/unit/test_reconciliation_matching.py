"""Statement reading and match suggestions, on the fixture statement of the issue's cases."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orders_core.reconciliation.matching import Matcher, OpenOrder, Transfer, numbers_in
from orders_core.reconciliation.parsing import CsvOptions, read_camt053, read_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
D = Decimal


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("CMD 1234567", [1234567]),
        ("cmd1234567", [1234567]),
        ("cmd 123 45 67", [1234567]),
        ("123-4567", [1234567]),
        ("Facture 0001234567", [1234567]),
        ("Paiement commande 12345\n67", [1234567]),
        ("Facture 1234567 du 12/10/2026", [1234567]),
        ("Orders 1234567 and 2345678", [1234567, 2345678]),
        ("no number here 12345", []),
    ],
)
def test_order_numbers_are_found_in_mangled_references(reference, expected):
    assert numbers_in(reference) == expected


def test_a_french_csv_is_read_with_its_separator_decimal_comma_and_date_format_detected():
    parsed = read_csv((FIXTURES / "statement.csv").read_bytes())
    assert len(parsed.lines) == 10  # the bank fees (outgoing) included
    first = parsed.lines[0]
    assert (first.booked_on, first.amount, first.currency, first.payer, first.reference) == (
        date(2026, 11, 3),
        D("240.00"),
        "EUR",
        "ACME SAS",
        "CMD 1000001",
    )
    assert parsed.lines[3].reference == "Paiement commande 10000\n04"
    assert [(ln.line_number, ln.direction, ln.amount) for ln in parsed.lines if ln.direction == "debit"] == [
        (12, "debit", D("45.00"))
    ]
    assert parsed.errors == ["Line 11: the amount 'abc' is not a number."]


def test_columns_can_be_mapped_by_hand_and_a_comma_separator_chosen():
    parsed = read_csv(
        'when,how much,who,why\n2026-11-02,"1,234.50",Ada,CMD 1000001\n',
        CsvOptions(
            separator=",",
            decimal_comma=False,
            columns={"date": "when", "amount": "how much", "payer": "who", "reference": "why"},
        ),
    )
    assert [(ln.amount, ln.payer, ln.reference) for ln in parsed.lines] == [(D("1234.50"), "Ada", "CMD 1000001")]


def test_the_same_line_has_the_same_checksum_and_a_bank_id_wins():
    a = read_csv((FIXTURES / "statement.csv").read_bytes()).lines
    b = read_csv((FIXTURES / "statement.csv").read_bytes()).lines
    assert [ln.checksum for ln in a] == [ln.checksum for ln in b]
    assert len({ln.checksum for ln in a}) == len(a)


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">240.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-03</Dt></BookgDt>
<AcctSvcrRef>BANK-1</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME SAS</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>CMD 1000001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-11-03</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_camt053_credits_are_read_with_payer_reference_and_bank_id():
    parsed = read_camt053(CAMT)
    assert [
        (ln.amount, ln.currency, ln.payer, ln.reference, ln.bank_id, ln.booked_on, ln.direction) for ln in parsed.lines
    ] == [
        (D("240.00"), "EUR", "ACME SAS", "CMD 1000001", "BANK-1", date(2026, 11, 3), "credit"),
        (D("12.00"), "EUR", "", "", None, date(2026, 11, 3), "debit"),
    ]


def open_order(number, balance, name, company="", currency="EUR", created=date(2026, 10, 1)):
    return OpenOrder(
        id=number - 1000000,
        number=number,
        currency=currency,
        balance_due=D(balance),
        created_on=created,
        buyer_name=name,
        company_name=company,
    )


ORDERS = [
    open_order(1000001, "240.00", "Paul Martin", "Acme SAS"),
    open_order(1000002, "120.00", "Zoé Lefèvre"),
    open_order(1000003, "360.00", "Jean Dupont"),
    open_order(1000004, "96.00", "Camille Martin"),
    open_order(1000005, "150.00", "Benoît Rousseau"),
    open_order(1000006, "100.00", "Klaus Weber", "Nordlicht GmbH"),
    open_order(1000007, "200.00", "Klaus Weber", "Nordlicht GmbH"),
    open_order(1000008, "80.00", "Hugo Bernard"),
    open_order(1000009, "450.00", "Léa Petit"),
    open_order(1000010, "80.00", "Anna Meier"),  # EUR order; the transfer is in CHF
    open_order(1000099, "150.00", "Someone Else"),
]


@pytest.fixture(scope="module")
def ranked():
    matcher = Matcher(ORDERS)
    lines = read_csv((FIXTURES / "statement.csv").read_bytes()).lines
    return {
        ln.line_number: matcher.suggest(
            Transfer(ln.line_number, ln.booked_on, ln.amount, ln.currency, ln.payer, ln.reference)
        )
        for ln in lines
    }


def best(ranked, line):
    return ranked[line][0] if ranked[line] else None


def test_an_exact_reference_with_the_right_amount_and_company_is_a_high_confidence_match(ranked):
    top = best(ranked, 2)
    assert top.order_numbers == (1000001,) and top.allocations == (D("240.00"),)
    assert top.score == 100 and top.high_confidence


@pytest.mark.parametrize("line,number", [(3, 1000002), (4, 1000003), (5, 1000004)])
def test_mangled_references_still_find_their_order(ranked, line, number):
    assert best(ranked, line).order_numbers == (number,)
    assert best(ranked, line).high_confidence


def test_without_reference_the_amount_and_the_name_decide(ranked):
    suggestions = ranked[6]
    assert suggestions[0].order_numbers == (1000005,)
    assert suggestions[0].score > suggestions[1].score  # the other 150.00 order has another name
    assert "payer name close to {name}" in [message for message, _ in suggestions[0].reasons]


def test_one_transfer_pays_two_orders_when_the_balances_add_up(ranked):
    top = best(ranked, 7)
    assert top.order_numbers == (1000006, 1000007)
    assert top.allocations == (D("100.00"), D("200.00"))


def test_an_underpayment_is_suggested_as_a_partial_payment(ranked):
    top = best(ranked, 8)
    assert top.order_numbers == (1000008,) and top.allocations == (D("50.00"),)
    assert not top.high_confidence  # a partial payment is never confirmed in bulk
    assert ("amount is less than the balance due (partial payment)", {}) in top.reasons


def test_an_overpayment_allocates_only_the_balance(ranked):
    top = best(ranked, 9)
    assert top.order_numbers == (1000009,) and top.allocations == (D("450.00"),)
    assert ("amount is more than the balance due (overpayment)", {}) in top.reasons


def test_a_transfer_in_another_currency_matches_nothing(ranked):
    assert ranked[10] == []
