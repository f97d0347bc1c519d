"""The password policy of issue 13 item 5: ten spaces, `1234567890` or the email itself no longer
make a password; a common password, the account's own email or name are refused with a message
that says why (in English and French); long passphrases are welcome up to 1,024 characters."""

from __future__ import annotations

import pytest

from orders_core import i18n
from orders_core.errors import InvalidInput
from orders_core.passwords import MAX_PASSWORD_LENGTH, check_password_policy

EMAIL, NAME = "fiona.nance@example.com", "Fiona Nance"
COMMON = "This password is one of the passwords attackers try first. Choose another one."
GUESSABLE = (
    "This password is too easy to guess (repeated characters, sequences, keyboard patterns, dates or common "
    "words). A few unrelated words make a strong password that is easy to remember."
)
PERSONAL = "The password must not contain the account's email address or name."


def refusal(password: str, language: str = "en") -> str:
    i18n.set_locale(language)
    try:
        with pytest.raises(InvalidInput) as refused:
            check_password_policy(password, email=EMAIL, name=NAME)
        return refused.value.message
    finally:
        i18n.set_locale("en")


@pytest.mark.parametrize(
    "password,message",
    [
        ("short", "The password must have at least 10 characters."),
        (" " * 10, GUESSABLE),
        ("1234567890", COMMON),
        ("password123", COMMON),
        ("qwertyuiop", COMMON),
        ("aaaaaaaaaaaa", GUESSABLE),
        ("abcdefghijkl", GUESSABLE),
        (EMAIL, PERSONAL),
        ("FIONA.NANCE@example.com!", PERSONAL),
        ("fiona.nance2026", PERSONAL),
        ("fiona nance rocks", PERSONAL),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "The password may have at most 1,024 characters."),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, message):
    assert refusal(password) == message


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "xK3-p9qL-z7Rw",
        "Tractor-Lantern-Pebble-42",
        "le petit chat boit du lait froid le matin " * 24,  # 1,008 characters: a long passphrase is fine
    ],
)
def test_strong_and_long_passwords_are_accepted(password):
    assert len(password) <= MAX_PASSWORD_LENGTH
    check_password_policy(password, email=EMAIL, name=NAME)


def test_a_long_password_made_of_one_repeated_character_is_still_refused():
    assert refusal("a" * 500) == GUESSABLE


def test_short_parts_of_a_name_are_not_forbidden_words():
    check_password_policy("Al-tractor-pebble-lantern", email="al@example.com", name="Al Bo")


def test_the_reasons_are_translated_into_french():
    assert refusal("1234567890", "fr") == (
        "Ce mot de passe fait partie de ceux que les attaquants essaient en premier. Choisissez-en un autre."
    )
    assert refusal(EMAIL, "fr") == "Le mot de passe ne doit contenir ni l'adresse e-mail ni le nom du compte."
    assert refusal("x" * 1025, "fr") == "Le mot de passe peut avoir au plus 1\u202f024 caractères."
