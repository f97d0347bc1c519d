"""Issue 17: authenticator codes (RFC 6238 through pyotp) at fixed times, the validity window, a
code accepted only once, and recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from orders_core import totp

# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes; ours are the last 6.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
T0 = datetime(2026, 12, 2, 9, 0, 0, tzinfo=UTC)  # a step boundary: 09:00:00


@pytest.mark.parametrize(("seconds", "rfc_code"), RFC_VECTORS)
def test_codes_are_those_of_rfc_6238(seconds, rfc_code):
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    assert totp.code_at(RFC_SECRET, moment) == rfc_code[-6:]
    assert totp.matching_step(RFC_SECRET, rfc_code[-6:], moment) == seconds // 30


def test_the_step_before_and_after_are_accepted_and_no_further():
    secret = totp.new_secret()
    code = totp.code_at(secret, T0)
    assert totp.matching_step(secret, code, T0 - timedelta(seconds=30)) == totp.step_at(T0)
    assert totp.matching_step(secret, code, T0 + timedelta(seconds=59)) == totp.step_at(T0)
    assert totp.matching_step(secret, code, T0 + timedelta(seconds=60)) is None
    assert totp.matching_step(secret, code, T0 - timedelta(seconds=31)) is None


def test_a_code_of_a_step_already_used_or_older_is_refused():
    secret = totp.new_secret()
    step = totp.step_at(T0)
    assert totp.matching_step(secret, totp.code_at(secret, T0), T0, last_step=step) is None
    older = totp.code_at(secret, T0 - timedelta(seconds=30))
    assert totp.matching_step(secret, older, T0, last_step=step) is None
    newer = totp.code_at(secret, T0 + timedelta(seconds=30))
    assert totp.matching_step(secret, newer, T0, last_step=step) == step + 1


def test_typed_spaces_are_forgiven_and_other_shapes_refused():
    secret = totp.new_secret()
    code = totp.code_at(secret, T0)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", T0) == totp.step_at(T0)
    assert totp.matching_step(secret, code[:5], T0) is None
    assert totp.matching_step(secret, code + "0", T0) is None
    assert totp.matching_step(secret, "", T0) is None
    assert totp.matching_step(secret, "١٢٣٤٥٦", T0) is None  # digits, but not ASCII


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        totp.step_at(datetime(2026, 12, 2, 9, 0))


def test_the_uri_is_what_authenticator_apps_read():
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "ada@example.org")
    assert uri.startswith("otpauth://totp/Orders%20back-office:ada%40example.org?secret=" + secret)
    assert "issuer=Orders%20back-office" in uri
    assert pyotp.parse_uri(uri).at(T0) == totp.code_at(secret, T0)
    assert len(secret) == 32 and totp.grouped_secret(secret).count(" ") == 7


def test_recovery_codes_are_ten_distinct_and_checked_by_salted_hash():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    stored = totp.hash_recovery_code(codes[0])
    assert codes[0] not in stored and stored != totp.hash_recovery_code(codes[0])  # salted
    assert totp.recovery_code_matches(stored, codes[0])
    assert totp.recovery_code_matches(stored, codes[0].upper().replace("-", " "))
    assert not totp.recovery_code_matches(stored, codes[1])
    assert not totp.recovery_code_matches("garbage", codes[0])


def test_the_qr_code_is_a_png():
    assert totp.qr_png(totp.provisioning_uri(totp.new_secret(), "a@example.org")).startswith(b"\x89PNG")
