"""The catalogue: events, tariffs, discount codes, custom form fields and their history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orders_core.models.base import Base, IntPk, Money, Rate, UtcTime, _in, enum_type
from orders_core.status import CatalogueEntity, FieldType, FormKind, TariffKind


class Event(Base):
    __tablename__ = "events"

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[UtcTime]
    ends_at: Mapped[UtcTime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(5), default="en")
    seated: Mapped[bool] = mapped_column(Boolean, default=False)
    community: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_details: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="", server_default="")  # issue 21: on the e-tickets
    # Payment terms (issue 15): due N days after the order, or N days before the event, the earlier
    # wins (None: that rule is off); unpaid invoice orders expire N days past due (None: never).
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    payment_due_days_before_event: Mapped[int | None] = mapped_column(Integer)
    expire_after_days: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[UtcTime | None]
    created_at: Mapped[UtcTime]

    tariffs: Mapped[list[Tariff]] = relationship(back_populates="event", order_by="Tariff.id")


class Tariff(Base):
    __tablename__ = "tariffs"
    __table_args__ = (
        CheckConstraint(_in("kind", TariffKind), name="kind"),
        CheckConstraint("unit_price_ht >= 0", name="price_not_negative"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[TariffKind] = mapped_column(enum_type(TariffKind, 10))
    name: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200), default="")
    unit_price_ht: Mapped[Money]
    tax_rate: Mapped[Rate]
    currency: Mapped[str] = mapped_column(String(3))
    capacity: Mapped[int | None] = mapped_column(Integer)
    sales_start: Mapped[UtcTime | None]
    sales_end: Mapped[UtcTime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[UtcTime]

    event: Mapped[Event] = relationship(back_populates="tariffs")


class DiscountCode(Base):
    """Codes are stored upper-case, which makes them case-insensitive and unique per event."""

    __tablename__ = "discount_codes"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("(percent_off IS NULL) <> (amount_off IS NULL)", name="percent_or_amount"),
        CheckConstraint("percent_off IS NULL OR (percent_off > 0 AND percent_off <= 100)", name="percent_range"),
        CheckConstraint("amount_off IS NULL OR amount_off > 0", name="amount_positive"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    percent_off: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_off: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[UtcTime | None]
    valid_until: Mapped[UtcTime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[UtcTime]


class DiscountCodeTariff(Base):
    """Tariffs a code applies to; a code without rows here applies to every tariff."""

    __tablename__ = "discount_code_tariffs"

    discount_code_id: Mapped[int] = mapped_column(ForeignKey("discount_codes.id"), primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"), primary_key=True)


class FormField(Base):
    """An extra field of an event's buyer, badge, order or product form (rule 6)."""

    __tablename__ = "form_fields"
    __table_args__ = (
        UniqueConstraint("event_id", "form", "key"),
        CheckConstraint(_in("form", FormKind), name="form"),
        CheckConstraint(_in("field_type", FieldType), name="field_type"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    form: Mapped[FormKind] = mapped_column(enum_type(FormKind, 10))
    key: Mapped[str] = mapped_column(String(64))
    field_type: Mapped[FieldType] = mapped_column(enum_type(FieldType, 12))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CatalogueHistory(Base):
    """Append-only log of every change to events, tariffs and discount codes (issue 7); triggers
    refuse edits on both databases (and privileges on PostgreSQL). `entity_id` has no foreign key
    so a deleted tariff or code keeps its log."""

    __tablename__ = "catalogue_history"
    __table_args__ = (CheckConstraint(_in("entity", CatalogueEntity), name="entity"),)

    id: Mapped[IntPk]
    at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))
    entity: Mapped[CatalogueEntity] = mapped_column(enum_type(CatalogueEntity, 20))
    entity_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
