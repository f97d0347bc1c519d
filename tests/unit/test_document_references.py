"""Issue 21: which words of a bank reference may be an invoice or credit-note number, and how the
matcher weighs an order named by one (as its order number: the amount then decides it)."""

from datetime import date
from decimal import Decimal

import pytest

from orders_core.reconciliation.matching import REASON_CREDIT_NOTE, REASON_INVOICE, Matcher, OpenOrder, Transfer
from orders_core.reconciliation.references import NumberMention, document_number_candidates

D = Decimal
MOREAU = OpenOrder(1, 1000011, "EUR", D("93.50"), date(2026, 11, 1), "Louis Moreau")
HUBER = OpenOrder(2, 1000012, "EUR", D("150.00"), date(2026, 11, 1), "Mia Huber")


def invoice_of(order: OpenOrder, number: str, kind: str = "invoice") -> NumberMention:
    return NumberMention(order.number, True, number, number, kind)


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("Facture F2026-00042", ["F2026-00042", "f2026-00042", "F2026", "f2026"]),
        ("paiement f2026-00042.", ["f2026-00042", "F2026-00042", "f2026", "F2026"]),
        ("INV/2026/7", ["INV/2026/7", "inv/2026/7", "INV/2026", "inv/2026", "2026/7"]),
        ("No 202600042", ["202600042"]),  # digits only, too many for an order number
    ],
)
def test_the_words_that_may_be_a_document_number_are_kept_in_every_case(reference, expected):
    assert document_number_candidates(reference) == expected


@pytest.mark.parametrize("reference", ["CMD 1000042", "Virement Dupont", "F12", "", "cmd 100 00 42"])
def test_an_order_number_or_a_word_without_digits_is_no_document_number(reference):
    assert document_number_candidates(reference) == []


def test_a_document_number_joined_to_other_words_is_found_in_its_parts():
    assert "F2026-00004" in document_number_candidates("REF/F2026-00004")
    assert "A2026-00001" in document_number_candidates("AVOIR_A2026-00001")


def test_an_invoice_number_weighs_as_the_order_number_and_the_exact_amount_decides():
    transfer = Transfer(
        7, date(2026, 11, 4), D("93.50"), "EUR", "ACME", "F2026-00042", (invoice_of(MOREAU, "F2026-00042"),)
    )
    [best] = Matcher([MOREAU, HUBER]).suggest(transfer)
    assert (best.order_numbers, best.by_reference, best.decided, best.score) == ((1000011,), True, True, 90)
    assert (REASON_INVOICE, {"document": "F2026-00042", "number": "1000011"}) in best.reasons


def test_without_the_document_the_same_transfer_is_no_decided_match():
    transfer = Transfer(7, date(2026, 11, 4), D("93.50"), "EUR", "ACME", "F2026-00042")
    ranked = Matcher([MOREAU, HUBER]).suggest(transfer)
    assert [s.decided for s in ranked] == [False] and ranked[0].amount_only


def test_two_documents_of_two_orders_paid_together_are_one_suggestion():
    mentions = (invoice_of(MOREAU, "F2026-00042"), invoice_of(HUBER, "A2026-00003", "credit_note"))
    transfer = Transfer(7, date(2026, 11, 4), D("243.50"), "EUR", "ACME", "F2026-00042 A2026-00003", mentions)
    best = Matcher([MOREAU, HUBER]).suggest(transfer)[0]
    assert (best.order_numbers, best.exact_amount) == ((1000011, 1000012), True)
    assert (REASON_CREDIT_NOTE, {"document": "A2026-00003", "number": "1000012"}) in best.reasons


def test_an_order_named_by_its_number_and_its_invoice_is_one_suggestion():
    transfer = Transfer(
        7, date(2026, 11, 4), D("93.50"), "EUR", "", "CMD 1000011 F2026-00042", (invoice_of(MOREAU, "F2026-00042"),)
    )
    [best] = Matcher([MOREAU, HUBER]).suggest(transfer)
    assert best.order_numbers == (1000011,) and best.decided
