"""The states of a bank transaction in reconciliation, and what each allows: one answer for the
page and the services (the page never compares state strings)."""

from __future__ import annotations

from enum import StrEnum

from orders_core.i18n import N_


class TransactionStatus(StrEnum):
    UNMATCHED = "unmatched"
    PARTIAL = "partial"  # part of the amount is allocated to orders
    MATCHED = "matched"
    IGNORED = "ignored"


STATUS_LABELS = {
    TransactionStatus.UNMATCHED: N_("Unmatched"),
    TransactionStatus.PARTIAL: N_("Partially matched"),
    TransactionStatus.MATCHED: N_("Matched"),
    TransactionStatus.IGNORED: N_("Ignored"),
}
# What the page's "Show" choice lists.
VIEWS: dict[str, tuple[TransactionStatus, ...]] = {
    "open": (TransactionStatus.UNMATCHED, TransactionStatus.PARTIAL),
    "matched": (TransactionStatus.MATCHED,),
    "ignored": (TransactionStatus.IGNORED,),
}


def is_open(status: str) -> bool:
    """Money still to allocate: suggestions and manual assignment apply."""
    return status in VIEWS["open"]


def is_partial(status: str) -> bool:
    return status == TransactionStatus.PARTIAL


def is_ignored(status: str) -> bool:
    return status == TransactionStatus.IGNORED


def may_ignore(status: str) -> bool:
    """Only a transaction nothing was allocated from can be set aside."""
    return status == TransactionStatus.UNMATCHED
