"""A file uploader that says what Streamlit lets it say in the user's language (issue 18 item 10:
its texts were English in a French interface).

Streamlit (1.67) draws "Drag and drop file here", "Limit … per file" and "Browse files" itself,
in English, with no parameter to change them. What can be set is set: the label, the help, and
the size limit it announces, which is the import's own limit rather than Streamlit's 200 MB; in
another language than English a caption under it says the same in that language."""

from __future__ import annotations

import math

import streamlit as st

from orders_core.i18n import _, format_number, get_locale


def file_uploader(label: str, *, types: list[str], key: str, max_bytes: int):
    """`st.file_uploader` for one file of `types` (extensions) up to `max_bytes`."""
    megabytes = max_bytes / 1_000_000
    explained = _("Drop the file on the frame, or pick it with the button: {types}, {limit} MB at most.").format(
        types=", ".join(t.upper() for t in types), limit=format_number(round(megabytes, 1))
    )
    upload = st.file_uploader(label, type=types, key=key, help=explained, max_upload_size=max(1, math.ceil(megabytes)))
    if get_locale() != "en":  # Streamlit's own words in the frame stay English
        st.caption(explained)
    return upload
