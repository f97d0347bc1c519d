"""Passwords: argon2id hashing (argon2-cffi's defaults) and the policy a new password must meet.
Passwords are never logged.

The policy follows NIST SP 800-63B rather than composition rules: long enough, not too long to
hash, not one of the passwords attackers try first, not the account's own email or name.
Guessability is zxcvbn's estimate (Dropbox's estimator with its lists of the most common
passwords, words and names, shipped in the package; nothing is downloaded)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from orders_core.errors import InvalidInput
from orders_core.i18n import _, format_number

MIN_PASSWORD_LENGTH = 10
# Passphrases are welcome; argon2 takes any length, the cap only bounds the work per attempt.
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score: 3 = "safely unguessable" (~10^8 guesses), what Dropbox asks for an account.
MIN_STRENGTH = 3
# zxcvbn's run time grows quickly with length; its author advises judging a prefix. A prefix
# as strong as this is already far beyond guessing, so the rest cannot make it weaker.
_JUDGED_PREFIX = 72
_MIN_PERSONAL_PART = 4  # shorter parts of a name or email ("Al", "jo") are too common to refuse

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A fresh random password for a bootstrap account (never a fixed one in the code)."""
    return secrets.token_urlsafe(12)


def _personal_parts(email: str, name: str) -> list[str]:
    """The account's own data a password must not contain: the email, its local part, the name."""
    email = (email or "").strip().lower()
    parts = [email, email.split("@", 1)[0], "".join((name or "").lower().split())]
    parts += (name or "").lower().split()
    return [part for part in dict.fromkeys(parts) if len(part) >= _MIN_PERSONAL_PART]


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a new password that is too short, too long, the account's own email or name, or
    easy to guess; the message says which and what to do instead."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("The password must have at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password may have at most {n} characters.").format(n=format_number(MAX_PASSWORD_LENGTH))
        )
    folded = "".join(password.lower().split())
    personal = _personal_parts(email, name)
    if any(part in folded for part in personal):
        raise InvalidInput(_("The password must not contain the account's email address or name."))
    estimate = zxcvbn(password[:_JUDGED_PREFIX], user_inputs=personal, max_length=_JUDGED_PREFIX)
    if estimate["score"] >= MIN_STRENGTH:
        return
    if any(match.get("dictionary_name") == "passwords" for match in estimate["sequence"]):
        raise InvalidInput(_("This password is one of the passwords attackers try first. Choose another one."))
    raise InvalidInput(
        _(
            "This password is too easy to guess (repeated characters, sequences, keyboard patterns, dates or "
            "common words). A few unrelated words make a strong password that is easy to remember."
        )
    )
