"""Issue 16: payer names decide with the exact amount, look-alike order numbers are read at a
lower score. One case per test, on a small set of open orders."""

from datetime import date
from decimal import Decimal

import pytest

from orders_core.reconciliation.matching import (
    EXTRACT_LIMIT,
    HIGH_CONFIDENCE,
    REASON_LOOK_ALIKE,
    REASON_NAME_DECIDED,
    Matcher,
    NumberMention,
    OpenOrder,
    Transfer,
    numbers_in,
    order_number_mentions,
)
from orders_core.reconciliation.names import NAME_CLOSE, NAME_DECIDED, name_key, name_score

D = Decimal


def order(number, balance, buyer, company="", currency="EUR"):
    return OpenOrder(number - 1000000, number, currency, D(balance), date(2026, 10, 1), buyer, company)


def best(orders, payer, amount, reference="", currency="EUR"):
    ranked = Matcher(orders).suggest(Transfer(1, date(2026, 11, 5), D(amount), currency, payer, reference))
    return ranked[0] if ranked else None


OTHERS = [order(1000090, "120.00", "Someone Else"), order(1000091, "80.00", "Anne Other", "Other SARL")]


@pytest.mark.parametrize(
    "payer,buyer",
    [
        ("Mueller Hans", "Hans Müller"),
        ("HANS MULLER", "Hans Müller"),
        ("Hans Muller", "Hans Mueller"),
        ("Hans Müller", "HANS MUELLER"),
        ("SCHROEDER ANNA", "Anna Schröder"),
        ("Jaeger Lena", "Lena Jäger"),
        ("STRAUSS PAUL", "Paul Strauß"),
        ("LEFEVRE ZOE", "Zoé Lefèvre"),
        ("M. JEAN DUPONT", "Jean Dupont"),
        ("Dupont Jean", "Jean Dupont"),
    ],
)
def test_an_exact_amount_and_the_same_name_written_another_way_is_decided(payer, buyer):
    top = best([order(1000001, "120.00", buyer), *OTHERS], payer, "120.00")
    assert top.order_numbers == (1000001,)
    assert top.decided and top.high_confidence
    assert (REASON_NAME_DECIDED, {}) in top.reasons


def test_a_name_decision_scores_as_high_as_an_order_number():
    orders = [order(1000001, "120.00", "Hans Müller"), order(1000002, "120.00", "Zoé Lefèvre"), *OTHERS]
    by_name = best(orders, "MUELLER HANS", "120.00")
    by_number = best(orders, "LEFEVRE ZOE", "120.00", reference="CMD 1000002")
    assert by_name.score == by_number.score == 100
    assert by_name.decided and by_number.decided


def test_an_initial_stands_for_the_first_name():
    assert name_score("J. Dupont", "Jean Dupont") >= NAME_DECIDED
    top = best([order(1000001, "360.00", "Jean Dupont"), *OTHERS], "J. DUPONT", "360.00")
    assert top.order_numbers == (1000001,) and top.decided


def test_an_initial_shared_by_two_buyers_of_the_same_amount_is_left_to_a_person():
    orders = [order(1000001, "360.00", "Jean Dupont"), order(1000002, "360.00", "Jacques Dupont"), *OTHERS]
    ranked = Matcher(orders).suggest(Transfer(1, date(2026, 11, 5), D("360.00"), "EUR", "J. Dupont", ""))
    assert {s.order_numbers for s in ranked[:2]} == {(1000001,), (1000002,)}
    assert not any(s.decided for s in ranked)


def test_the_company_name_decides_too():
    top = best([order(1000001, "240.00", "Paul Martin", "Nordlicht GmbH"), *OTHERS], "NORDLICHT", "240.00")
    assert top.order_numbers == (1000001,) and top.decided
    assert ("payer name close to {name}", {"name": "Nordlicht GmbH"}) in top.reasons


def test_two_close_names_with_the_same_amount_are_not_decided():
    orders = [order(1000001, "120.00", "Jean Dupont"), order(1000002, "120.00", "Jeanne Dupont"), *OTHERS]
    assert NAME_CLOSE <= name_score("Jean Dupont", "Jeanne Dupont") < NAME_DECIDED
    ranked = Matcher(orders).suggest(Transfer(1, date(2026, 11, 5), D("120.00"), "EUR", "Jean Dupont", ""))
    assert ranked[0].order_numbers == (1000001,)  # still ranked first, for a person to confirm
    assert not ranked[0].decided and ranked[0].score < HIGH_CONFIDENCE
    assert all((REASON_NAME_DECIDED, {}) not in s.reasons for s in ranked)


def test_two_orders_of_the_same_buyer_and_amount_are_not_decided():
    orders = [order(1000001, "120.00", "Hans Müller"), order(1000002, "120.00", "Hans Müller"), *OTHERS]
    ranked = Matcher(orders).suggest(Transfer(1, date(2026, 11, 5), D("120.00"), "EUR", "Hans Mueller", ""))
    assert [s.order_numbers for s in ranked[:2]] == [(1000001,), (1000002,)]
    assert not any(s.decided for s in ranked)


def test_a_different_person_one_letter_away_is_not_decided():
    assert name_score("Peter Müller", "Petra Müller") < NAME_DECIDED
    top = best([order(1000001, "120.00", "Petra Müller"), *OTHERS], "PETER MUELLER", "120.00")
    assert top.order_numbers == (1000001,) and not top.decided


def test_the_name_without_the_exact_amount_is_not_decided():
    top = best([order(1000001, "120.00", "Hans Müller"), *OTHERS], "Hans Mueller", "100.00")
    assert top.order_numbers == (1000001,) and top.allocations == (D("100.00"),)
    assert not top.decided


def test_a_stranger_paying_a_common_amount_is_not_decided():
    ranked = Matcher([order(1000001, "120.00", "Hans Müller"), *OTHERS]).suggest(
        Transfer(1, date(2026, 11, 5), D("120.00"), "EUR", "Karl Fremder", "")
    )
    assert not any(s.decided for s in ranked)


def test_a_name_in_another_currency_decides_nothing():
    orders = [order(1000001, "120.00", "Hans Müller", currency="CHF"), *OTHERS]
    ranked = Matcher(orders).suggest(Transfer(1, date(2026, 11, 5), D("120.00"), "EUR", "Hans Mueller", ""))
    assert [s.order_numbers for s in ranked] == [(1000090,)]  # the EUR order of that amount, by amount alone
    assert not ranked[0].decided


def test_name_keys_ignore_case_accents_umlaut_spellings_titles_legal_forms_and_word_order():
    assert name_key("Müller") == name_key("Mueller") == name_key("MULLER") == "muller"
    assert name_key("Mme Zoé LEFÈVRE") == name_key("lefevre, zoe")
    assert name_key("ACME SAS") == name_key("Acme") == "acme"


# --- order numbers written with look-alike characters ---------------------------------------


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("CMD 1OOOO42", [NumberMention(1000042, False, "1OOOO42")]),
        ("cmd1OOOO42", [NumberMention(1000042, False, "1OOOO42")]),
        ("Facture l0OOO42", [NumberMention(1000042, False, "l0OOO42")]),
        ("Ref 1OOO84S", [NumberMention(1000845, False, "1OOO84S")]),
        ("Ref 1O0OOB2", [NumberMention(1000082, False, "1O0OOB2")]),
        ("CMD 1234567", [NumberMention(1234567, True, "1234567")]),
        (
            "1OOOO42 et 1000043",
            [NumberMention(1000043, True, "1000043"), NumberMention(1000042, False, "1OOOO42")],
        ),
        ("1OOOO42/1OOOO43", [NumberMention(1000042, False, "1OOOO42"), NumberMention(1000043, False, "1OOOO43")]),
    ],
)
def test_look_alike_characters_are_read_as_digits(reference, expected):
    assert order_number_mentions(reference) == expected


@pytest.mark.parametrize(
    "reference", ["1OO OO42", "1OOO-OO42", "ISO 9001", "BOOKING SOS", "1OOOO421OOOO43", "Lot 1OO 42 Bis"]
)
def test_look_alike_numbers_never_join_words_nor_read_words_as_numbers(reference):
    assert [m for m in order_number_mentions(reference) if not m.exact] == []


def test_numbers_in_still_returns_only_the_exact_numbers():
    assert numbers_in("CMD 1OOOO42 and 1000043") == [1000043]


def test_a_look_alike_number_scores_below_the_exact_number():
    orders = [order(1000042, "120.00", "Hans Müller"), *OTHERS]
    exact = best(orders, "Karl Fremder", "120.00", reference="CMD 1000042")
    look_alike = best(orders, "Karl Fremder", "120.00", reference="CMD 1OOOO42")
    assert exact.order_numbers == look_alike.order_numbers == (1000042,)
    assert look_alike.score < exact.score
    assert (REASON_LOOK_ALIKE, {"number": "1000042", "text": "1OOOO42"}) in look_alike.reasons
    assert exact.decided and not look_alike.decided  # with the amount alone, a person confirms it


def test_a_look_alike_number_with_the_amount_and_the_name_is_decided():
    top = best([order(1000042, "120.00", "Hans Müller"), *OTHERS], "Hans Mueller", "120.00", reference="1OOOO42")
    assert top.order_numbers == (1000042,) and top.decided


def test_two_look_alike_numbers_can_pay_two_orders_at_a_lower_score():
    orders = [order(1000042, "100.00", "Klaus Weber"), order(1000043, "200.00", "Klaus Weber"), *OTHERS]
    look_alike = best(orders, "Klaus Weber", "300.00", reference="1OOOO42 1OOOO43")
    exact = best(orders, "Klaus Weber", "300.00", reference="1000042 1000043")
    assert look_alike.order_numbers == exact.order_numbers == (1000042, 1000043)
    assert look_alike.score < exact.score


def test_among_more_names_of_one_amount_than_the_first_pass_reads_a_close_name_still_stops_the_decision():
    crowd = [order(3000000 + i, "120.00", f"Person{i} Nobody{i}") for i in range(EXTRACT_LIMIT + 50)]
    alone = best([order(2000001, "120.00", "Hans Müller"), *crowd], "HANS MUELLER", "120.00")
    assert alone.order_numbers == (2000001,) and alone.decided
    # Shares no word with the payer, so only the check over the whole bucket finds it.
    twin = order(2000002, "120.00", "Hanz Muler")
    assert name_score("Hans Mueller", "Hanz Muler") >= NAME_CLOSE
    crowded = best([order(2000001, "120.00", "Hans Müller"), twin, *crowd], "HANS MUELLER", "120.00")
    assert crowded.order_numbers == (2000001,) and not crowded.decided
