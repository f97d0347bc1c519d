"""Invoice and credit-note numbers quoted in statement lines (issue 21): a transfer quoting
"F2026-00042" names the order of that invoice, as its order number would. Set-based: the words
that may be a document number (references.document_number_candidates) of a whole batch of lines
are looked up together, through the unique index on `invoices.number`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import Invoice, Order
from orders_core.reconciliation.references import NumberMention, document_number_candidates, order_number_mentions

CHUNK = 500  # IN lists of bounded size (SQLite's variable limit; one round trip per 500 words)


def document_mentions(session: Session, references: Iterable[str]) -> dict[str, list[NumberMention]]:
    """For each reference that quotes an invoice or credit-note number: one exact mention of the
    order of each document quoted (in order of appearance, one per order)."""
    candidates = {reference: document_number_candidates(reference) for reference in set(references)}
    words = sorted({word for found in candidates.values() for word in found})
    documents: dict[str, tuple[int, str, str]] = {}  # number -> (order number, number, kind)
    for start in range(0, len(words), CHUNK):
        query = (
            select(Invoice.number, Invoice.kind, Order.number.label("order_number"))
            .join(Order, Order.id == Invoice.order_id)
            .where(Invoice.number.in_(words[start : start + CHUNK]))
        )
        for row in session.execute(query):
            documents[row.number] = (row.order_number, row.number, row.kind)
    mentions: dict[str, list[NumberMention]] = {}
    for reference, found in candidates.items():
        seen: list[NumberMention] = []
        for word in found:
            document = documents.get(word)
            if document is not None and all(m.number != document[0] for m in seen):
                seen.append(NumberMention(document[0], True, document[1], document[1], document[2]))
        if seen:
            mentions[reference] = seen
    return mentions


def mentions_with_documents(session: Session, references: dict[int, str]) -> dict[int, list[NumberMention]]:
    """Per line id: the order numbers its reference mentions (references.order_number_mentions:
    exact, then look-alike), then the orders of the documents it quotes that are not among them."""
    documents = document_mentions(session, references.values())
    mentions = {}
    for line_id, reference in references.items():
        said = order_number_mentions(reference)
        numbers = {m.number for m in said}
        mentions[line_id] = said + [m for m in documents.get(reference, ()) if m.number not in numbers]
    return mentions
