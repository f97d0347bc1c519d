"""recon-weak: the matcher's suggestion says what linked it; one only the amount links ranks
after a linked one and is never decided."""

from datetime import date
from decimal import Decimal

from orders_core.reconciliation.matching import Matcher, OpenOrder, Transfer

D = Decimal
MOREAU = OpenOrder(1, 1000011, "EUR", D("93.50"), date(2026, 11, 1), "Louis Moreau", "Studio Lumière")
HUBER = OpenOrder(2, 1000012, "EUR", D("150.00"), date(2026, 11, 1), "Mia Huber")


def transfer(payer: str, reference: str = "virement facture", amount: str = "93.50") -> Transfer:
    return Transfer(7, date(2026, 11, 4), D(amount), "EUR", payer, reference)


def test_a_suggestion_only_the_amount_links_says_so_and_is_never_decided():
    [only] = Matcher([MOREAU]).suggest(transfer("HUBER Mia"))
    assert (only.order_numbers, only.amount_only, only.payer_contradicts, only.decided) == (
        (1000011,),
        True,
        True,
        False,
    )
    assert only.name_score is not None and only.name_score < 60


def test_without_a_payer_name_the_amount_alone_does_not_contradict():
    [only] = Matcher([MOREAU]).suggest(transfer(""))
    assert (only.amount_only, only.payer_contradicts, only.name_score, only.decided) == (True, False, None, False)


def test_the_payer_name_or_the_order_number_links_it():
    by_name = Matcher([MOREAU]).suggest(transfer("MOREAU Louis"))[0]
    by_number = Matcher([MOREAU]).suggest(transfer("HUBER Mia", "CMD 1OOOO11"))[0]
    assert (by_name.by_name, by_name.amount_only, by_name.decided) == (True, False, True)
    assert (by_number.by_reference, by_number.amount_only) == (True, False)


def test_the_payers_own_order_ranks_before_one_that_merely_owes_the_amount():
    ranked = Matcher([MOREAU, HUBER]).suggest(transfer("HUBER Mia"))
    assert [(s.order_numbers, s.amount_only) for s in ranked] == [((1000012,), False), ((1000011,), True)]
    assert ranked[0].score == ranked[1].score == 30  # a tie on points: the link decides
