"""Issue 18 item 6: the order history reads as sentences in the viewer's language, built from
the stored action and details at display time (orders_core/history_text.py)."""

from __future__ import annotations

import pytest

from orders_core import i18n
from orders_core.history_text import BUILDERS, describe

NNBSP, NBSP = "\u202f", "\u00a0"
PAYMENT = {
    "amount_paid": {"old": "0.00", "new": "171.31"},
    "balance_due": {"old": "171.31", "new": "0.00"},
    "payment_state": {"old": "unpaid", "new": "paid"},
    "attendees_created": 2,
    "status": {"old": "awaiting_payment", "new": "paid"},
    "payment": {
        "method": "card",
        "amount": "171.31",
        "currency": "EUR",
        "received_at": "2026-11-30T00:00:00+00:00",
        "reference": "",
    },
}


@pytest.fixture
def french():
    i18n.set_locale("fr")
    yield
    i18n.set_locale("en")


def test_a_payment_reads_as_a_sentence_with_babel_money():
    assert describe("payment_recorded", PAYMENT, actor="Ana", currency="EUR") == [
        "Payment of €171.31 by card recorded by Ana.",
        "Balance due changed from €171.31 to €0.00.",
        "Status changed from Awaiting payment to Payment validated.",
        "2 attendee records created.",
    ]


def test_a_payment_reads_in_french(french):
    sentences = describe("payment_recorded", PAYMENT, actor="Ana", currency="EUR")
    assert sentences[0] == f"Paiement de 171,31{NBSP}€ par carte enregistré par Ana."
    assert sentences[-1] == "2 fiches participant créées."


def test_a_cancellation_names_who_and_why_and_never_nan():
    assert describe(
        "cancelled", {"status": {"old": "awaiting_payment", "new": "cancelled"}}, actor="Ana", reason="Duplicate"
    ) == ["Order cancelled by Ana: Duplicate."]
    assert describe("cancelled", {}, actor="Ana", reason=float("nan")) == ["Order cancelled by Ana."]


def test_a_cancellation_in_french(french):
    assert describe("cancelled", {}, actor="Ana", reason="Doublon") == ["Commande annulée par Ana : Doublon."]


def test_a_modification_lists_only_the_holders_that_changed():
    details = {
        "buyer_last_name": {"old": "Lovelace", "new": "Byron"},
        "holders": [
            {"n": 2, "name": {"old": "Jean Dupont", "new": "Jeanne Dupont"}},
            {"n": 3, "added": "Paul Roux"},
            {"n": 4, "removed": "Marie Curie"},
        ],
        "total_ttc": {"old": "120.00", "new": "240.00"},
    }
    assert describe("modified", details, actor="Ana", currency="EUR") == [
        "Order modified by Ana.",
        "Buyer's last name changed from Lovelace to Byron.",
        "Holder 2 renamed from Jean Dupont to Jeanne Dupont.",
        "Holder 3 added: Paul Roux.",
        "Holder Marie Curie removed.",
        "Total incl. tax changed from €120.00 to €240.00.",
    ]


def test_a_modification_in_french(french):
    details = {"holders": [{"n": 2, "name": {"old": "Jean Dupont", "new": "Jeanne Dupont"}}]}
    assert describe("modified", details, actor="Ana") == [
        "Commande modifiée par Ana.",
        "Titulaire 2 renommé de Jean Dupont en Jeanne Dupont.",
    ]


def test_an_unknown_action_reads_as_words_never_a_dict_or_a_code():
    sentences = describe(
        "seat_swapped", {"seat": {"old": "A1", "new": "B2"}, "extra": {"x": 1}}, actor="Ana", reason=None
    )
    assert sentences == ["Seat swapped by Ana.", "Seat changed from A1 to B2.", "Extra: X: 1."]
    assert not any("{" in s or "_" in s or "nan" in s for s in sentences)


def test_every_action_the_services_write_has_its_own_builder():
    written = {
        "created", "modified", "tickets_added", "payment_recorded", "validated", "approved", "payment_confirmed",
        "refunded", "cancelled", "rejected", "payment_failed", "deleted", "restored", "tickets_cancelled",
        "email_resent", "reminder_sent", "reminders_paused", "reminders_resumed", "follow_up_set", "follow_up_cleared",
    }  # fmt: skip
    assert written <= set(BUILDERS)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_builder_reads_without_codes_or_braces(language):
    i18n.set_locale(language)
    try:
        for action in BUILDERS:
            for sentence in describe(action, PAYMENT, actor="Ana", reason="Because", currency="EUR"):
                assert "{" not in sentence and "_" not in sentence and "nan" not in sentence, (action, sentence)
    finally:
        i18n.set_locale("en")


def test_a_figure_recomputed_to_the_same_value_is_not_told_and_a_refund_makes_no_balance_due():
    details = {
        "balance_due": {"old": "0.00", "new": "216.00"},
        "refund": {"method": "bank_transfer", "amount": "216.00", "currency": "GBP", "reference": "R1"},
        "refund_due": {"old": "0.00", "new": "0.00"},
    }
    assert describe("refunded", details, actor="Ana", reason="Cannot attend", currency="GBP") == [
        "Refund of £216.00 by bank transfer recorded by Ana (reference R1): Cannot attend."
    ]


def test_actors_that_are_not_people_are_named_in_the_language(french):
    assert describe("payment_failed", {}, actor="payment provider") == [
        "Échec du paiement, signalé par le prestataire de paiement."
    ]


def test_dates_name_the_zone_they_are_days_of():
    details = {"due_date": {"old": None, "new": "2026-12-11"}}
    assert describe("modified", details, actor="Ana", event_zone="Asia/Tokyo", viewer_zone="Europe/Paris") == [
        "Order modified by Ana.",
        "Due date set to 11 Dec 2026 (Asia/Tokyo).",
    ]


def test_a_note_reads_with_its_author_in_both_languages():
    assert describe("note_added", {"note": "Call back Monday"}, actor="Ana") == ["Note added by Ana: Call back Monday"]
    i18n.set_locale("fr")
    try:
        assert describe("note_added", {"note": "Rappeler lundi"}, actor="Ana") == [
            "Note ajoutée par Ana : Rappeler lundi"
        ]
    finally:
        i18n.set_locale("en")
