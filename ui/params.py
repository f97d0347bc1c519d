"""Numbers read from the address (`?order=1234567`, `?attendee=42`): anything else is a clear
message on the page, never a traceback (`?order=²`, twenty digits, `?order=abc`)."""

from __future__ import annotations

import streamlit as st

# Ids and order numbers are INTEGER columns: nothing past this names a row.
MAX_NUMBER = 2**31 - 1


def parse_number(value: str | None) -> int | None:
    """A positive whole number of ASCII digits (a leading '#' allowed), or None."""
    text = (value or "").strip().lstrip("#")
    if not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_NUMBER else None


def number_param(name: str, refusal: str) -> int | None:
    """The number in `?name=`, or None when absent; when present but not a number, shows
    `refusal` (translated, with a `{value}` placeholder) and returns None."""
    raw = st.query_params.get(name)
    if raw is None or not str(raw).strip():
        return None
    number = parse_number(raw)
    if number is None:
        st.error(refusal.format(value=str(raw)[:40]))
    return number
