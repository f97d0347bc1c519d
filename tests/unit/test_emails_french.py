"""Every string the emails capability shows has its French translation in emails.po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "orders_core/emails/render.py",
    "orders_core/emails/labels.py",
    "orders_core/emails/outbox.py",
    "orders_core/emails/sender.py",
    "orders_core/emails/transports.py",
    "orders_core/services/emails.py",
    "orders_core/services/email_templates.py",
    "pages/emails.py",
    "pages/email_templates.py",
    "ui/order_emails.py",
]


def french() -> dict[str, str]:
    with (ROOT / "locale/fr/LC_MESSAGES/emails.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="fr") if m.id}


@pytest.mark.parametrize("path", FILES)
def test_every_string_of_the_emails_files_has_french(path):
    translations = french()
    missing = [
        message
        for _, message, _, _ in extract_from_file("python", ROOT / path, keywords={"_": None, "N_": None})
        if not translations.get(message)
    ]
    assert missing == []


def test_placeholders_are_kept_in_the_french():
    import re

    for english, translated in french().items():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", translated)), english
