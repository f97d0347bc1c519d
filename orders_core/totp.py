"""Issue 17: the pure part of two-factor sign-in - authenticator codes (TOTP, RFC 6238, through
pyotp), recovery codes and the QR code of an enrolment. No database, no Streamlit.

A code is accepted in its own 30-second step or the one before or after it (clocks of phones
drift), and only once: `matching_step` returns the step the code belongs to, and a step at or
before the last one accepted is refused (RFC 6238 §5.2). Recovery codes are random (50 bits),
shown once and kept only as salted SHA-256 hashes: at that entropy a slow password hash would
only make each sign-in slower (ten of them to try), not the codes harder to find."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno

DIGITS = 6
INTERVAL = 30  # seconds of one step (RFC 6238's default, what every authenticator app uses)
VALID_WINDOW = 1  # the step before and the step after are accepted too
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # 32 symbols, no 0/o, 1/l
_RECOVERY_LENGTH = 10  # 50 bits, written as two groups of five
ISSUER = "Orders back-office"


def new_secret() -> str:
    """A fresh shared secret: 32 base32 characters (160 bits, RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=email, issuer_name=issuer)


def grouped_secret(secret: str) -> str:
    """The secret to type by hand, in groups of four ("ABCD EFGH ...")."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code: str | None) -> str:
    """What was typed, without spaces and dashes, in lower case (codes are often copied so)."""
    return "".join(ch for ch in (code or "") if ch not in " -\u00a0\t").lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def step_at(moment: datetime) -> int:
    """The step (counter) a moment falls in. `moment` must be aware (pyotp reads a naive one as
    the server's local time)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return int(moment.timestamp()) // INTERVAL


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at `moment` (tests, and the enrolment's own check)."""
    return _totp(secret).at(moment)


def matching_step(secret: str, code: str, moment: datetime, *, last_step: int | None = None) -> int | None:
    """The step of the window around `moment` whose code is `code`, or None. A step at or before
    `last_step` (a code already used, or older than one already used) never matches."""
    code = normalize_code(code)
    if not secret or not looks_like_totp(code):
        return None
    totp = _totp(secret)
    now_step = step_at(moment)
    found = None
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        # Every step is compared (no early exit): the time taken says nothing about which matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Fresh recovery codes, as shown to the user once ("abcde-fghij")."""
    codes = []
    for _index in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    """ "sha256$<salt>$<digest>" of the normalized code."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((salt + normalize_code(code)).encode()).hexdigest()
    return f"sha256${salt}${digest}"


def recovery_code_matches(code_hash: str, code: str) -> bool:
    try:
        scheme, salt, digest = code_hash.split("$")
    except ValueError:
        return False
    if scheme != "sha256":
        return False
    candidate = hashlib.sha256((salt + normalize_code(code)).encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def qr_png(uri: str) -> bytes:
    """The QR code of an otpauth:// URI as a PNG (segno, pure Python)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()
