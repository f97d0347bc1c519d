"""Widgets shared by the catalogue pages (events, tariffs, discount codes): the event selector
kept in the URL, date-time inputs in the event's timezone, the catalogue log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from orders_core.i18n import N_, _, as_utc, format_datetime_in_zone
from queries.catalogue import catalogue_history, events_list
from ui.data import cached_query

ENTITY_LABELS = {"event": N_("Event"), "tariff": N_("Tariff"), "discount_code": N_("Discount code")}
ACTION_LABELS = {
    "created": N_("Created"),
    "updated": N_("Updated"),
    "archived": N_("Archived"),
    "unarchived": N_("Unarchived"),
    "activated": N_("Activated"),
    "deactivated": N_("Deactivated"),
    "deleted": N_("Deleted"),
    "seats_added": N_("Seats added"),
    "seats_removed": N_("Seats removed"),
}

FIELD_LABELS = {
    "name": N_("Name"),
    "starts_at": N_("Starts"),
    "ends_at": N_("Ends"),
    "timezone": N_("Time zone"),
    "currency": N_("Currency"),
    "language": N_("Language"),
    "seated": N_("Seated"),
    "community": N_("Community"),
    "bank_details": N_("Bank details"),
    "venue": N_("Venue"),
    "payment_terms_days": N_("Due days after the order"),
    "payment_due_days_before_event": N_("Due days before the event"),
    "expire_after_days": N_("Expiry days past due"),
    "archived_at": N_("Archived"),
    "tariffs_currency": N_("Tariffs' currency"),
    "kind": N_("Kind"),
    "name_fr": N_("Name (French)"),
    "unit_price_ht": N_("Price excl. tax"),
    "tax_rate": N_("Tax rate"),
    "capacity": N_("Capacity"),
    "sales_start": N_("Sales open"),
    "sales_end": N_("Sales close"),
    "active": N_("Active"),
    "code": N_("Code"),
    "percent_off": N_("Percent off"),
    "amount_off": N_("Amount off"),
    "max_uses": N_("Usage limit"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "tariff_ids": N_("Applies to"),
    "section": N_("Section"),
    "rows": N_("Rows"),
    "seats": N_("Seats"),
    "added": N_("Added"),
    "removed": N_("Removed"),
    "legacy_seats_assigned": N_("Seats already sold, now assigned"),
}


def event_selector(page: str) -> dict | None:
    """The event chosen in the URL (`?event=<id>`), with a selector; None when there is none."""
    events = cached_query(events_list)
    if events.empty:
        return None
    ids = events["id"].tolist()
    wanted = st.query_params.get("event")
    current = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else ids[0]
    names = dict(zip(events["id"], events["name"]))
    key = f"{page}.event"
    if st.session_state.get(key) not in ids:
        st.session_state[key] = current
    chosen = st.selectbox(_("Event"), ids, format_func=names.get, key=key)
    st.query_params["event"] = str(chosen)
    return events[events["id"] == chosen].iloc[0].to_dict()


def datetime_input(
    label: str, value: datetime | None, timezone: str, key: str, optional: bool = True
) -> datetime | None:
    """A date and a time in the event's timezone, returned as UTC (None when the date is empty)."""
    local = as_utc(value).astimezone(ZoneInfo(timezone)) if value is not None and not pd.isna(value) else None
    left, right = st.columns([3, 2])
    day = left.date_input(
        label,
        value=local.date() if local else (None if optional else date.today()),
        key=f"{key}.date",
        format="YYYY-MM-DD",
    )
    clock = right.time_input(
        _("Time ({tz})").format(tz=timezone), value=local.time() if local else time(0, 0), key=f"{key}.time", step=900
    )
    if day is None:
        return None
    return datetime.combine(day, clock or time(0, 0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def when(value, timezone: str) -> str:
    """A stored UTC time shown in the event's timezone, naming it ('' when empty): an event starts at
    a time of its own place, whoever reads it."""
    return "" if value is None or pd.isna(value) else format_datetime_in_zone(value, timezone)


def _details(details: dict) -> str:
    parts = []
    for field, value in (details or {}).items():
        if isinstance(value, dict) and set(value) == {"old", "new"}:
            parts.append(
                f"{_(FIELD_LABELS.get(field, field))}: {value['old'] if value['old'] is not None else '∅'} → "
                f"{value['new'] if value['new'] is not None else '∅'}"
            )
        else:
            parts.append(f"{_(FIELD_LABELS.get(field, field))}: {value}")
    return "; ".join(parts)


def history(event_id: int, timezone: str, entity: str | None = None) -> None:
    """The catalogue log of the event (optionally of one kind of entity), newest first."""
    log = cached_query(catalogue_history, event_id=event_id)
    if entity is not None:
        log = log[log["entity"] == entity]
    if log.empty:
        st.caption(_("No change recorded yet."))
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("When"): [when(v, timezone) for v in log["at"]],
                _("Who"): log["actor"],
                _("What"): [_(ENTITY_LABELS.get(e, e)) + f" #{i}" for e, i in zip(log["entity"], log["entity_id"])],
                _("Action"): [_(ACTION_LABELS.get(a, a)) for a in log["action"]],
                _("Changes (old → new)"): [_details(d) for d in log["details"]],
                _("Reason"): log["reason"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )
