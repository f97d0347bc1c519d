"""Events (admin, event manager): create, edit, archive; the event's dates are entered and shown in
its own timezone. Every change is written to the catalogue log."""

from __future__ import annotations

from zoneinfo import available_timezones

import pandas as pd
import streamlit as st

from orders_core.i18n import LANGUAGES, _, format_number, ngettext
from orders_core.payment_terms import MAX_DAYS, Terms, describe_terms
from orders_core.services.catalogue import archive_event, create_event, update_event
from queries.catalogue import events_list
from ui.catalogue import datetime_input, history, when
from ui.data import cached_query
from ui.guard import require_router
from ui.reminder_ladder import render_reminder_ladder
from ui.seat_plan_editor import render_seat_plan
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

require_router()

PAGE = "events"
DONE = f"{PAGE}.done"  # the success message shown after the rerun
TIMEZONES = sorted(available_timezones())
COMMON_CURRENCIES = ["EUR", "CAD", "CHF", "USD", "GBP"]

st.title(_("Events"))
show_notice(DONE)
show_archived = st.toggle(_("Show archived events"), key="events.show_archived")
events = cached_query(events_list, include_archived=show_archived)

if events.empty:
    st.info(_("No event yet. Create the first one below."))
else:
    st.dataframe(
        pd.DataFrame(
            {
                _("Event"): events["name"],
                _("Starts"): [when(v, tz) for v, tz in zip(events["starts_at"], events["timezone"])],
                _("Ends"): [when(v, tz) for v, tz in zip(events["ends_at"], events["timezone"])],
                _("Time zone"): events["timezone"],
                _("Currency"): events["currency"],
                _("Language"): [LANGUAGES.get(v, v) for v in events["language"]],
                _("Seated"): events["seated"].astype(bool),
                _("Payment terms"): [
                    describe_terms(Terms(a, b, c))
                    for a, b, c in zip(
                        events["payment_terms_days"],
                        events["payment_due_days_before_event"],
                        events["expire_after_days"],
                    )
                ],
                _("Tariffs"): events["tariffs"],
                _("Orders"): events["orders"],
                _("Archived"): events["archived_at"].notna(),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def event_fields(prefix: str, current: dict | None) -> dict:
    """The event form's widgets (inside an st.form); returns the service's keyword arguments."""
    current = current or {}
    name = st.text_input(_("Name"), value=current.get("name", ""), key=f"{prefix}.name", max_chars=200)
    timezone = st.selectbox(
        _("Time zone"),
        TIMEZONES,
        key=f"{prefix}.timezone",
        index=TIMEZONES.index(current.get("timezone") or "Europe/Paris"),
    )
    starts_at = datetime_input(_("Starts on"), current.get("starts_at"), timezone, f"{prefix}.starts", optional=False)
    ends_at = datetime_input(_("Ends on (optional)"), current.get("ends_at"), timezone, f"{prefix}.ends")
    left, right = st.columns(2)
    currency = left.text_input(
        _("Default currency (ISO 4217)"),
        value=current.get("currency", "EUR"),
        key=f"{prefix}.currency",
        max_chars=3,
        help=_("e.g. {examples}").format(examples=", ".join(COMMON_CURRENCIES)),
    )
    languages = list(LANGUAGES)
    language = right.selectbox(
        _("Default language"),
        languages,
        format_func=LANGUAGES.get,
        key=f"{prefix}.language",
        index=languages.index(current.get("language") or "en"),
    )
    seated = st.checkbox(_("Reserved seating"), value=bool(current.get("seated", False)), key=f"{prefix}.seated")
    community = st.checkbox(
        _("Community event (orders need an admin's approval)"),
        value=bool(current.get("community", False)),
        key=f"{prefix}.community",
    )
    venue = st.text_input(
        _("Venue (printed on the e-tickets)"),
        value=current.get("venue", "") or "",
        key=f"{prefix}.venue",
        max_chars=300,
        placeholder=_("e.g. Palais des congrès, 2 place de la Porte Maillot, Paris"),
    )
    bank_details = st.text_area(
        _("Organiser's bank details (used in payment-details emails)"),
        value=current.get("bank_details", "") or "",
        key=f"{prefix}.bank_details",
    )
    terms = payment_terms_fields(prefix, current, timezone)
    return dict(
        **terms,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        currency=currency,
        language=language,
        seated=seated,
        community=community,
        bank_details=bank_details,
        venue=venue,
    )


def _days(current: dict, name: str) -> int | None:
    value = current.get(name)
    return None if value is None or pd.isna(value) else int(value)


def payment_terms_fields(prefix: str, current: dict, timezone: str) -> dict:
    """Payment terms and expiry (issue 15): each left empty is off."""
    st.markdown(_("**Payment terms of invoice orders**"))
    st.caption(
        _(
            "An invoice order is due on the earlier of the two days, counted in the event's time zone "
            "({tz}). Leave a box empty to turn that rule off."
        ).format(tz=timezone)
    )

    def days(where, column: str, label: str, placeholder: str, help: str | None = None) -> int | None:
        return where.number_input(
            label,
            min_value=0,
            max_value=MAX_DAYS,
            step=1,
            value=_days(current, column),
            key=f"{prefix}.{column}",
            placeholder=placeholder,
            help=help,
        )

    left, right = st.columns(2)
    after = days(left, "payment_terms_days", _("Due N days after the order"), _("Off"))
    before = days(right, "payment_due_days_before_event", _("Due at the latest N days before the event"), _("Off"))
    expire = days(
        st,
        "expire_after_days",
        _("Cancel unpaid invoice orders N days past due (empty: never, the default)"),
        _("Never"),
        help=_("Never an order that has received any payment. The buyer is told by email."),
    )
    return dict(payment_terms_days=after, payment_due_days_before_event=before, expire_after_days=expire)


with st.expander(_("New event"), expanded=events.empty), st.form("events.new"):
    values = event_fields("events.new", None)
    if st.form_submit_button(_("Create the event"), type="primary"):
        run_service(
            lambda s: create_event(s, actor=current_actor(), **values),
            success=_("Event {name} created.").format(name=md(values["name"].strip())),
            notice=DONE,
        )

if events.empty:
    st.stop()

st.subheader(_("Edit an event"))
ids = events["id"].tolist()
wanted = st.query_params.get("event")
if st.session_state.get("events.selected") not in ids:
    st.session_state["events.selected"] = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else ids[0]
names = dict(zip(events["id"], events["name"]))
event_id = st.selectbox(_("Event"), ids, format_func=names.get, key="events.selected")
st.query_params["event"] = str(event_id)
event = events[events["id"] == event_id].iloc[0].to_dict()

with st.form(f"events.edit.{event_id}"):
    values = event_fields(f"events.edit.{event_id}", event)
    reason = st.text_input(_("Reason for the change (optional)"), key=f"events.edit.{event_id}.reason")
    if event["orders"]:
        st.caption(_("This event has orders: its currency can no longer change."))
    if st.form_submit_button(_("Save changes"), type="primary"):
        run_service(
            lambda s: update_event(s, actor=current_actor(), event_id=event_id, reason=reason or None, **values),
            success=_("Event {name} saved.").format(name=md(values["name"].strip())),
            notice=DONE,
        )

render_reminder_ladder(event_id, md(event["name"]))
render_seat_plan(event_id, event["name"], bool(event["seated"]))

confirm_key = "events.confirm_archive"
if event["archived_at"] is None or pd.isna(event["archived_at"]):
    if st.session_state.get(confirm_key) == event_id:
        st.warning(
            _(
                "Archive {name}? It disappears from the selectors; its {orders}, tariffs and codes "
                "are kept and it can be brought back."
            ).format(
                name=event["name"],
                orders=ngettext("{n} order", "{n} orders", int(event["orders"])).format(
                    n=format_number(event["orders"])
                ),
            )
        )
        yes, no = st.columns(2)
        if yes.button(_("Confirm archive"), key="events.archive_yes", type="primary"):
            st.session_state.pop(confirm_key, None)
            run_service(
                lambda s: archive_event(s, actor=current_actor(), event_id=event_id),
                success=_("Event {name} archived.").format(name=md(event["name"])),
                notice=DONE,
            )
        if no.button(_("Cancel"), key="events.archive_no"):
            st.session_state.pop(confirm_key, None)
            st.rerun()
    elif st.button(_("Archive this event"), key="events.archive", icon=":material/archive:"):
        st.session_state[confirm_key] = event_id
        st.rerun()
elif st.button(_("Bring this event back"), key="events.unarchive", icon=":material/unarchive:"):
    run_service(
        lambda s: archive_event(s, actor=current_actor(), event_id=event_id, archived=False),
        success=_("Event {name} is back.").format(name=md(event["name"])),
        notice=DONE,
    )

with st.expander(_("Catalogue log of this event")):
    history(event_id, event["timezone"])
