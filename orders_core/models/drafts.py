"""Issue 18: the new-order wizard's drafts, kept on the server so that a reload keeps what was
typed. One row per wizard run (a browser tab): its token is in the page's address (`?draft=`).
A modify wizard's draft also names the order it modifies (`order_id`, migration 0026)."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime


class WizardDraft(Base):
    """The JSON of one `ui.wizard_state.WizardState`, owned by the user who typed it."""

    __tablename__ = "wizard_drafts"
    __table_args__ = (
        Index("ix_wizard_drafts_user_email", "user_email"),
        Index("ix_wizard_drafts_updated_at", "updated_at"),  # the purge of old drafts
    )

    id: Mapped[IntPk]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_email: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(
        Integer
    )  # the order a modify wizard changes; None for a new order's draft
    created_at: Mapped[UtcTime]
    updated_at: Mapped[UtcTime]
