"""Attendees (issue 18): the registered people of one event (`?event=12`), searched by name or
email with or without accents, filtered by tariff, order status and attendance (cancelled
attendees stay, marked cancelled), a page at a time, each linked to its order and to its
attendee record; exported as CSV or XLSX by the roles that may. Filters live in the address."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_number, get_locale, ngettext
from orders_core.status import STATUS_LABELS, Status
from queries.attendees import (
    DEFAULT_PAGE_SIZE,
    AttendeeFilters,
    attendee_count,
    attendee_events,
    attendee_page,
    attendee_tariffs,
)
from ui.attendee_params import filters_from_params, filters_to_params, page_from_params
from ui.data import cached_query
from ui.export_format import export_kind_choice
from ui.format import status_label
from ui.guard import require_router
from ui.session import can
from ui.timezone import local_time, user_timezone
from web.exports import attendees_export_url
from web.session_routes import base_path

require_router()

CURSORS_KEY = "attendees.cursors"
ATTENDANCE_LABELS = {"all": _("All"), "active": _("Registered"), "cancelled": _("Cancelled")}

st.title(_("Attendees"))
timezone = user_timezone()
events = cached_query(attendee_events)
if not events:
    st.info(_("No event yet: an administrator creates events in the catalogue."))
    st.stop()
names = {e["id"]: e["name"] for e in events}
asked = filters_from_params(st.query_params.get_all)
if asked is not None and asked.event_id not in names:
    st.error(_("There is no event {id}.").format(id=asked.event_id))
    asked = None
event_id = st.selectbox(
    _("Event"),
    list(names),
    index=list(names).index(asked.event_id) if asked else None,
    format_func=names.get,
    placeholder=_("Choose an event"),
    key="attendees.event",
)
if event_id is None:
    st.info(_("Choose an event to see its attendees."))
    st.stop()
if asked is None or asked.event_id != event_id:  # another event: its own filters, from scratch
    asked = AttendeeFilters(event_id=event_id)

# --- filters -----------------------------------------------------------------------------------
tariffs = {t["id"]: t["name"] for t in cached_query(attendee_tariffs, event_id)}
left, middle, right = st.columns([2, 2, 2])
search = left.text_input(
    _("Search"), value=asked.search, placeholder=_("Name or email, with or without accents"), key="attendees.search"
)
tariff_ids = middle.multiselect(
    _("Tariffs"),
    list(tariffs),
    default=[t for t in asked.tariff_ids if t in tariffs],
    format_func=tariffs.get,
    placeholder=_("Every tariff"),
    key=f"attendees.tariffs.{event_id}",
)
statuses = right.multiselect(
    _("Order status"),
    [s.value for s in Status],
    default=list(asked.statuses),
    format_func=lambda s: _(STATUS_LABELS[Status(s)]),
    placeholder=_("Every status"),
    key="attendees.statuses",
)
attendance = st.segmented_control(
    _("Attendance"),
    list(ATTENDANCE_LABELS),
    default=asked.attendance,
    format_func=ATTENDANCE_LABELS.get,
    key="attendees.attendance",
)
filters = AttendeeFilters(
    event_id=event_id,
    search=search,
    tariff_ids=tuple(tariff_ids),
    statuses=tuple(statuses),
    attendance=attendance or "all",
).cleaned()
params = filters_to_params(filters)
page_no = page_from_params(st.query_params.get_all) if filters == asked else 1
if page_no > 1:
    params["page"] = str(page_no)
st.query_params.from_dict(params)  # the address shows what is shown

# --- one page, by keyset after the first (OFFSET for a page opened by its address) -------------
count = cached_query(attendee_count, filters)
last_page = max(1, -(-count // DEFAULT_PAGE_SIZE))
page_no = min(page_no, last_page)
cursors = st.session_state.get(CURSORS_KEY)
if not cursors or cursors.get("filters") != filters:
    cursors = {"filters": filters, "after": {}}
after = cursors["after"].get(page_no)
rows = cached_query(
    attendee_page,
    filters,
    after=tuple(after) if after else None,
    offset=0 if after else (page_no - 1) * DEFAULT_PAGE_SIZE,
)
if len(rows) == DEFAULT_PAGE_SIZE:
    last = rows.iloc[-1]
    cursors["after"][page_no + 1] = (last["last_name"], last["first_name"], int(last["id"]))
st.session_state[CURSORS_KEY] = cursors

if count == 0:
    unfiltered = filters == AttendeeFilters(event_id=event_id)
    st.info(
        _("Nobody is registered for this event yet: attendees appear when their order is paid.")
        if unfiltered
        else _("No attendee matches these filters.")
    )
else:
    st.caption(
        ngettext("{count} attendee", "{count} attendees", count).format(count=format_number(count))
        + " · "
        + _("page {page} of {pages}").format(page=format_number(page_no), pages=format_number(last_page))
    )
    base = base_path()

    def _status(row) -> str:
        if pd.isna(row.order_status):
            return _("No order")
        label = status_label(row.order_status)
        return _("{status} (order deleted)").format(status=label) if pd.notna(row.order_deleted_at) else label

    shown = pd.DataFrame(
        {
            "first_name": rows["first_name"],
            "last_name": rows["last_name"],
            "email": rows["email"],
            "tariff": rows["tariff"].fillna(""),
            "attendance": [
                ATTENDANCE_LABELS["cancelled"] if pd.notna(c) else ATTENDANCE_LABELS["active"]
                for c in rows["cancelled_at"]
            ],
            "registered_at": [local_time(v) for v in rows["registered_at"]],
            "cancelled_at": [local_time(v) for v in rows["cancelled_at"]],
            "order": [None if pd.isna(n) else f"{base}/order?order={int(n)}" for n in rows["order_number"]],
            "order_status": [_status(row) for row in rows.itertuples()],
            "record": [f"{base}/order?attendee={int(i)}" for i in rows["id"]],
        }
    )
    text = st.column_config.TextColumn
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="attendees.table",
        column_config={
            "first_name": text(_("First name")),
            "last_name": text(_("Last name")),
            "email": text(_("Email")),
            "tariff": text(_("Tariff")),
            "attendance": text(_("Attendance")),
            "registered_at": text(_("Registered on ({zone})").format(zone=timezone)),
            "cancelled_at": text(_("Cancelled on ({zone})").format(zone=timezone)),
            "order": st.column_config.LinkColumn(_("Order"), display_text=r"order=(\d+)$"),
            "order_status": text(_("Order status")),
            "record": st.column_config.LinkColumn(_("Attendee record"), display_text=_("Open")),
        },
    )
    previous_col, next_col = st.columns(2)
    if previous_col.button(_("Previous page"), key="attendees.previous", disabled=page_no <= 1):
        st.query_params["page"] = str(page_no - 1)
        st.rerun()
    if next_col.button(_("Next page"), key="attendees.next", disabled=page_no >= last_page):
        st.query_params["page"] = str(page_no + 1)
        st.rerun()

# --- exports -------------------------------------------------------------------------------------
# Only roles with `attendees.export` see this; the route checks the session and the role again.
if can("attendees.export"):
    with st.expander(_("Export the {count} filtered attendees").format(count=format_number(count))):
        kind = export_kind_choice("attendees.export_kind")
        st.link_button(
            ngettext("Download {rows} attendee", "Download {rows} attendees", count).format(rows=format_number(count)),
            attendees_export_url(kind, filters_to_params(filters), timezone=timezone, language=get_locale()),
            icon=":material/download:",
            disabled=count == 0,
        )
        st.caption(
            _("Dates in {zone}. The download starts at once; large events take a few seconds.").format(zone=timezone)
        )
