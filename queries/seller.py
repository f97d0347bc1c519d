"""The seller settings page's reads (issue 21): the settings as the form shows them, which
mandatory ones are missing, and the number the next invoice or credit note would take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from orders_core.documents.numbering import check_pattern, format_number, series_of
from orders_core.documents.seller import MANDATORY, missing_settings, seller_settings
from orders_core.errors import InvalidInput
from orders_core.models import CatalogueHistory, Counter, SellerSettings
from orders_core.status import CatalogueEntity

# The columns a person edits (the rest is bookkeeping).
EDITABLE = tuple(c.name for c in SellerSettings.__table__.columns if c.name not in {"id", "updated_at", "updated_by"})


@dataclass(frozen=True)
class SellerForm:
    """The settings as text for the form, and the labels (in `language`) of those missing."""

    values: dict[str, str]
    missing: list[str]
    saved: bool  # False until an administrator first saves them
    updated_at: datetime | None
    updated_by: str


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def seller_form(engine: Engine, *, language: str) -> SellerForm:
    """The seller settings for the form. `language` is part of the cache key: the missing
    settings are named in it (the caller sets the locale)."""
    del language  # only a cache key: missing_settings translates in the current locale
    with Session(engine) as session:
        settings = seller_settings(session)
        return SellerForm(
            values={name: _shown(getattr(settings, name)) for name in EDITABLE},
            missing=missing_settings(settings),
            saved=session.get(SellerSettings, 1) is not None,
            updated_at=settings.updated_at,
            updated_by=settings.updated_by or "",
        )


@dataclass(frozen=True)
class NumberPreview:
    """The number the next document of a pattern would take today, or why there is none."""

    number: str | None
    error: str | None = None


def next_document_number(engine: Engine, pattern: str, on: date) -> NumberPreview:
    """What `numbering.next_number` would hand out on `on` (its counter read, not taken)."""
    try:
        pattern = check_pattern(pattern)
    except InvalidInput as error:
        return NumberPreview(None, error.message)
    with engine.connect() as conn:
        counter = conn.execute(
            select(Counter.value).where(Counter.name == f"invoice:{series_of(pattern, on)}")
        ).scalar_one_or_none()
    return NumberPreview(format_number(pattern, on, int(counter or 0) + 1))


def seller_history(engine: Engine, *, limit: int = 100) -> pd.DataFrame:
    """The changes of the seller settings, newest first: when, who, and {field: {old, new}}."""
    query = (
        select(CatalogueHistory.at, CatalogueHistory.actor, CatalogueHistory.details)
        .where(CatalogueHistory.entity == CatalogueEntity.SELLER)
        .order_by(CatalogueHistory.at.desc(), CatalogueHistory.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["at", "actor", "details"])


__all__ = [
    "EDITABLE",
    "MANDATORY",
    "NumberPreview",
    "SellerForm",
    "next_document_number",
    "seller_form",
    "seller_history",
]
