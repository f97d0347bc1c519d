"""Reading statements (issue 16): one fixture per case in tests/fixtures/statements/, every line
asserted exactly: date, amount (magnitude), currency, direction, payer, reference, bank id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orders_core.reconciliation.parsing import (
    CsvOptions,
    ParsedStatement,
    detect_encoding,
    detect_format,
    read_statement,
    statement_headers,
)
from orders_core.reconciliation.parsing.lines import StatementLine
from orders_core.status import BankDirection

STATEMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "statements"
D = Decimal
IN, OUT = "credit", "debit"


def read(name: str, options: CsvOptions | None = None) -> ParsedStatement:
    return read_statement((STATEMENTS / name).read_bytes(), "auto", options)


def rows(parsed: ParsedStatement) -> list[tuple]:
    return [
        (ln.line_number, ln.booked_on, ln.amount, ln.currency, ln.direction.value, ln.payer, ln.reference, ln.bank_id)
        for ln in parsed.lines
    ]


def test_a_latin1_export_keeps_its_accents_and_its_chf_currency():
    parsed = read("latin1_chf.csv")
    assert detect_encoding((STATEMENTS / "latin1_chf.csv").read_bytes()) in ("cp1252", "latin_1")
    assert rows(parsed) == [
        (2, date(2026, 11, 3), D("80.00"), "CHF", IN, "Jürgen Größ", "Bestellung 1000010", None),
        (3, date(2026, 11, 4), D("120.00"), "EUR", IN, "Zoé Lefèvre", "Commande 1000002 réglée", None),
        (4, date(2026, 11, 5), D("15.50"), "EUR", OUT, "Gebühren Bank", "Kontoführung", None),
    ]
    assert parsed.errors == []


def test_a_windows_1252_export_reads_its_euro_sign_typographic_quotes_and_ligatures():
    parsed = read("cp1252.csv")
    assert rows(parsed) == [
        (
            2,
            date(2026, 11, 3),
            D("240.00"),
            "EUR",
            IN,
            "Œuvres Sociales Société",
            "Réf. commande 1000001 – acompte",
            None,
        ),
        (3, date(2026, 11, 4), D("360.00"), "EUR", IN, "Benoît Müller", "“CMD 1000003”", None),
    ]
    assert not any("\ufffd" in ln.payer + ln.reference for ln in parsed.lines)


def test_a_utf8_export_with_a_byte_order_mark_reads_its_first_header_and_currencies():
    parsed = read("bom.csv")
    assert rows(parsed) == [
        (2, date(2026, 11, 3), D("240.00"), "EUR", IN, "Zoë Smith", "CMD 1000001", "TX-1"),
        (3, date(2026, 11, 4), D("1234.50"), "GBP", IN, "Ægir Ltd", "Invoice 1000002", "TX-2"),
    ]


def test_a_comma_separated_file_with_quoted_multi_line_references_is_read_row_by_row():
    parsed = read("multiline.csv")
    assert rows(parsed) == [
        (2, date(2026, 11, 3), D("96.00"), "EUR", IN, "Martin, Camille", "Paiement commande 10000\n04, merci", None),
        (3, date(2026, 11, 4), D("150.00"), "EUR", IN, "Benoît Rousseau", 'Facture 1000005\n"solde"', None),
        (5, date(2026, 11, 6), D("50.00"), "EUR", IN, "Hugo Bernard", "1000008", None),
    ]
    assert parsed.errors == ["Line 4: the amount 'abc' is not a number."]


def test_separate_debit_and_credit_columns_give_the_direction_and_bad_rows_are_reported():
    parsed = read("debit_credit.csv")
    assert rows(parsed) == [
        (2, date(2026, 11, 3), D("240.00"), "EUR", IN, "", "VIR CMD 1000001 ACME", None),
        (3, date(2026, 11, 4), D("120.00"), "EUR", OUT, "", "REMBOURSEMENT CMD 1000002", None),
        (4, date(2026, 11, 5), D("4.50"), "EUR", OUT, "", "FRAIS TENUE DE COMPTE", None),
    ]
    assert parsed.errors == ["Line 5: an amount in both the debit and the credit column.", "Line 6: no amount."]


def test_outgoing_lines_and_zero_amounts_are_read_with_their_direction():
    parsed = read("outgoing.csv")
    assert rows(parsed) == [
        (2, date(2026, 11, 3), D("240.00"), "EUR", IN, "ACME SAS", "CMD 1000001", "B-1"),
        (3, date(2026, 11, 4), D("120.00"), "EUR", OUT, "Zoé Lefèvre", "Refund order 1000002", "B-2"),
        (4, date(2026, 11, 5), D("0.00"), "EUR", IN, "Bank", "Interest", "B-3"),
        (5, date(2026, 11, 6), D("0.00"), "EUR", IN, "Bank", "Zero fee", "B-4"),
    ]


def test_a_currency_column_with_an_unknown_header_is_found_by_its_values():
    parsed = read("currency_by_content.csv", CsvOptions(default_currency="EUR"))
    assert [(ln.amount, ln.currency) for ln in parsed.lines] == [(D("80.00"), "CHF"), (D("240.00"), "EUR")]


def test_the_page_mapping_without_currency_still_reads_the_currency_column():
    content = (STATEMENTS / "latin1_chf.csv").read_bytes()
    headers = statement_headers(content)
    assert headers == ["Buchungsdatum", "Betrag", "Währung", "Auftraggeber", "Verwendungszweck"]
    parsed = read_statement(content, "csv", CsvOptions(columns={"date": "Buchungsdatum", "amount": "Betrag"}))
    assert [ln.currency for ln in parsed.lines] == ["CHF", "EUR", "EUR"]


def test_a_mapped_column_the_file_does_not_have_is_refused_not_ignored():
    parsed = read_statement(
        (STATEMENTS / "latin1_chf.csv").read_bytes(),
        "csv",
        CsvOptions(columns={"date": "Buchungsdatum", "amount": "Betrag", "currency": "Devise"}),
    )
    assert parsed.lines == []
    assert parsed.errors == ["Columns not in the file: Devise. Map them again."]


def test_without_a_currency_column_the_statement_currency_is_used_unless_the_amount_names_one():
    content = "Date;Montant;Communication\n03/11/2026;80,00 CHF;A\n04/11/2026;10,00;B\n05/11/2026;5,00 €;C\n"
    parsed = read_statement(content, "csv", CsvOptions(default_currency="CAD"))
    assert [(ln.amount, ln.currency) for ln in parsed.lines] == [
        (D("80.00"), "CHF"),
        (D("10.00"), "CAD"),
        (D("5.00"), "EUR"),
    ]


def test_an_amount_in_another_currency_than_the_currency_column_is_refused_with_its_line():
    content = "Date;Montant;Devise\n03/11/2026;80,00 CHF;EUR\n04/11/2026;10,00;\n05/11/2026;1,00;XYZ\n"
    parsed = read_statement(content, "csv")
    assert parsed.lines == []
    assert parsed.errors == [
        "Line 2: the amount is in CHF, the currency column says EUR.",
        "Line 3: the currency is missing.",
        "Line 4: the currency 'XYZ' is not an ISO code.",
    ]


def test_a_direction_column_and_a_trailing_minus_give_the_direction():
    content = "Buchungstag;Betrag;Soll/Haben;Währung\n03.11.2026;80,00;S;EUR\n04.11.2026;10,00;H;EUR\n"
    assert [(ln.amount, ln.direction.value) for ln in read_statement(content).lines] == [
        (D("80.00"), OUT),
        (D("10.00"), IN),
    ]
    content = "Buchungstag;Betrag;Währung\n03.11.2026;80,00-;EUR\n"
    assert [(ln.amount, ln.direction.value) for ln in read_statement(content).lines] == [(D("80.00"), OUT)]


@pytest.mark.parametrize("separator", [";", ",", "\t", "|"])
def test_any_separator_is_found_even_with_quoted_separators_and_line_breaks(separator):
    s = separator
    content = (
        f"Date{s}Amount{s}Currency{s}Payer{s}Reference\n"
        f'2026-11-03{s}240.00{s}EUR{s}"A{s}B"{s}"x{s}\ny"\n'
        f"2026-11-04{s}-5.00{s}EUR{s}C{s}z\n"
    )
    parsed = read_statement(content)
    assert [(ln.payer, ln.reference, ln.direction.value) for ln in parsed.lines] == [
        (f"A{s}B", f"x{s}\ny", IN),
        ("C", "z", OUT),
    ]


def test_a_camt_entry_that_batches_three_transfers_gives_one_line_per_transfer():
    parsed = read("camt_batch.xml")
    assert parsed.file_format == "camt053"
    assert rows(parsed) == [
        (1, date(2026, 11, 3), D("240.00"), "EUR", IN, "ACME SAS", "CMD 1000001", "BATCH-1/E2E-A"),
        (2, date(2026, 11, 3), D("120.00"), "EUR", IN, "Zoé Lefèvre", "cmd 100 00 02", "BATCH-1/2"),
        (3, date(2026, 11, 3), D("96.00"), "EUR", IN, "Camille Martin", "RF18 1000004", "TX-96"),
        (4, date(2026, 11, 4), D("80.00"), "CHF", IN, "Anna Meier", "CMD 1000010", "SINGLE-1"),
        (5, date(2026, 11, 5), D("120.00"), "EUR", OUT, "Zoé Lefèvre", "Remboursement 1000002", "OUT-1"),
    ]
    assert [ln.end_to_end_id for ln in parsed.lines] == ["E2E-A", None, "E2E-C", "E2E-D", None]
    assert parsed.errors == ["Entry 4: amount, currency, credit/debit mark or booking date missing or unreadable."]


def test_a_camt_file_declaring_entities_is_refused_without_expanding_them():
    parsed = read("camt_billion_laughs.xml")
    assert parsed.lines == []
    assert parsed.errors == [
        "The XML file declares entities or external resources, which a bank statement never does: refused."
    ]


def test_an_mt940_statement_gives_payer_reference_and_direction_from_its_details():
    content = (STATEMENTS / "statement.sta").read_bytes()
    assert detect_format(content, "csv") == "mt940"  # a .txt picked as CSV on the page
    parsed = read_statement(content, "csv")
    assert parsed.file_format == "mt940"
    assert rows(parsed) == [
        (1, date(2026, 11, 3), D("240.00"), "EUR", IN, "ACME SAS", "CMD 1000001 Danke", "BANKREF1"),
        (2, date(2026, 11, 4), D("45.00"), "EUR", OUT, "", "Frais bancaires novembre KREF1", "BANKREF2"),
        (3, date(2026, 11, 5), D("80.00"), "EUR", IN, "Anna Meier", "CMD 1000010", None),
        (4, date(2026, 11, 6), D("120.00"), "EUR", OUT, "Zoé Lefèvre", "Remboursement 1000002", "BANKREF4"),
    ]
    assert [ln.end_to_end_id for ln in parsed.lines] == ["E2E-1", None, "ABC-9", None]
    assert parsed.errors == []


def test_a_malformed_mt940_transaction_is_reported_with_its_number_and_the_others_read():
    content = (
        ":20:X\n:25:Y\n:60F:C261102EUR1000,00\n"
        ":61:2611031103C240,00NTRFNONREF\n:86:/REMI/CMD 1000001/ORDP//NAME/Ada Lovelace\n"
        ":61:26110\n"
        ":61:2611041104D5,00NTRFNONREF\n:62F:C261104EUR1235,00\n"
    )
    parsed = read_statement(content, "mt940")
    assert [(ln.line_number, ln.amount, ln.direction.value, ln.payer, ln.reference) for ln in parsed.lines] == [
        (1, D("240.00"), IN, "Ada Lovelace", "CMD 1000001"),
        (3, D("5.00"), OUT, "", ""),
    ]
    assert parsed.errors == ["Transaction 2: not readable: ':61:26110'."]


def test_a_reused_bank_id_with_other_values_has_another_checksum_an_exact_repeat_the_same():
    reused = read("reused_bank_id.csv").lines
    assert [ln.bank_id for ln in reused] == ["ID-7", "ID-7"]
    assert reused[0].checksum != reused[1].checksum
    repeated = read("exact_duplicate.csv").lines
    assert repeated[0].checksum == repeated[1].checksum  # same id, amount, date (the payer differs)
    assert repeated[2].checksum == repeated[3].checksum  # no id: same date, amount, payer, reference
    assert repeated[0].legacy_checksum == repeated[1].legacy_checksum


def test_direction_is_part_of_the_identity():
    kwargs = dict(
        line_number=2,
        booked_on=date(2026, 11, 3),
        amount=D("10.00"),
        currency="EUR",
        payer="X",
        reference="Y",
        bank_id="B",
    )
    credit, debit = StatementLine(**kwargs), StatementLine(**kwargs, direction=BankDirection.DEBIT)
    assert credit.checksum != debit.checksum


def test_a_mapping_read_with_replacement_characters_still_names_the_latin1_columns():
    content = (STATEMENTS / "latin1_chf.csv").read_bytes()
    as_the_page_read_it = content.decode("utf-8", errors="replace").splitlines()[0].split(";")
    assert as_the_page_read_it[2] == "W\ufffdhrung"
    mapping = {"date": as_the_page_read_it[0], "amount": as_the_page_read_it[1], "currency": as_the_page_read_it[2]}
    parsed = read_statement(content, "csv", CsvOptions(columns=mapping))
    assert [(ln.currency, ln.payer) for ln in parsed.lines] == [
        ("CHF", "Jürgen Größ"),
        ("EUR", "Zoé Lefèvre"),
        ("EUR", "Gebühren Bank"),
    ]


def test_a_utf16_export_with_its_mark_is_read():
    content = "Date\tMontant\tDevise\tNom\n03/11/2026\t12,50\tCHF\tÉloïse\n".encode("utf-16")
    assert [(ln.amount, ln.currency, ln.payer) for ln in read_statement(content).lines] == [
        (D("12.50"), "CHF", "Éloïse")
    ]


def test_a_quote_left_open_is_reported_not_stored_as_one_huge_line():
    rows = "".join(f"2026-11-{i % 28 + 1:02d},{i}.00,EUR,P{i},R{i}\n" for i in range(20))
    content = 'date,amount,currency,payer,reference\n2026-11-03,5.00,EUR,Ada,"CMD 1000001\n' + rows
    parsed = read_statement(content)
    assert parsed.lines == []
    assert parsed.errors == ["Line 2: a quote opened on this line is never closed; what follows it was not read."]
