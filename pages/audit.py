"""Audit (administrators of every event, issue 17): who signed in, exported, changed a role or a
scope, erased personal data; newest first, filtered by days, actions and who, exported as CSV
(that export is itself audited). Below, the erasure of a buyer on request (ui/erasure.py)."""

import pandas as pd
import streamlit as st

from orders_core import audit
from orders_core.errors import OrderError
from orders_core.i18n import _, format_number, ngettext
from queries.audit import LIMIT, AuditFilters, audit_count, audit_entries
from queries.dashboards.export import to_csv
from ui.audit_params import action_label, details_text, filters_from_params, filters_to_params
from ui.data import cached_query
from ui.erasure import render_erasure
from ui.exports import audited_download
from ui.guard import require_router
from ui.session import can
from ui.timezone import local_time, user_timezone
from ui.transactions import show_notice

require_router()

PAGE = "audit"

st.title(_("Audit"))
st.caption(
    _(
        "Sign-ins, exports, changes of roles and events, users added or deactivated, erasures. "
        "Entries are written with the action they record and are never changed."
    )
)
show_notice(f"{PAGE}.done")

zone = user_timezone()
# The address fills the filters on arrival (a shared link opens the same view).
if f"{PAGE}.filters_read" not in st.session_state:
    start = filters_from_params(st.query_params.get_all, zone)
    st.session_state[f"{PAGE}.from"] = start.date_from
    st.session_state[f"{PAGE}.to"] = start.date_to
    st.session_state[f"{PAGE}.actions"] = list(start.actions)
    st.session_state[f"{PAGE}.actor"] = start.actor
    st.session_state[f"{PAGE}.filters_read"] = True

with st.container(border=True):
    first, second, third, fourth = st.columns([1, 1, 2, 2])
    date_from = first.date_input(_("From"), value=None, key=f"{PAGE}.from", format="YYYY-MM-DD")
    date_to = second.date_input(_("Until"), value=None, key=f"{PAGE}.to", format="YYYY-MM-DD")
    actions = third.multiselect(
        _("Actions"),
        list(audit.ACTION_LABELS),
        format_func=action_label,
        key=f"{PAGE}.actions",
        placeholder=_("All actions"),
    )
    actor = fourth.text_input(_("Who (contains)"), key=f"{PAGE}.actor")
    st.caption(_("Days in {zone}.").format(zone=zone))

filters = AuditFilters(
    date_from=date_from or None, date_to=date_to or None, actions=tuple(actions), actor=actor, timezone=zone
).cleaned()
if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
    st.warning(_("The first day is after the last: no entry can match."))
st.query_params.from_dict(filters_to_params(filters))

try:
    total = cached_query(audit_count, filters)
    entries = cached_query(audit_entries, filters, limit=LIMIT)
except OrderError as refusal:
    st.error(refusal.message)
    st.stop()

if entries.empty:
    st.info(_("No audit entry matches these filters."), icon=":material/info:")
else:
    shown = len(entries)
    if total > shown:
        st.caption(
            _("{total} entries match; the newest {shown} are shown. Narrow the filters to see older ones.").format(
                total=format_number(total), shown=format_number(shown)
            )
        )
    else:
        st.caption(ngettext("{n} entry.", "{n} entries.", total).format(n=format_number(total)))
    when = _("When ({zone})").format(zone=zone)
    table = pd.DataFrame(
        {
            when: [local_time(at) for at in entries["at"]],
            _("Who"): entries["actor"],
            _("Action"): [action_label(a) for a in entries["action"]],
            _("Subject"): entries["subject"],
            _("Details"): [details_text(d) for d in entries["details"]],
            _("Source"): entries["source"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key=f"{PAGE}.table")
    audited_download(
        _("Export these entries (CSV)"),
        to_csv(table, separator=";"),
        file_name="audit.csv",
        mime="text/csv",
        key=f"{PAGE}.export",
        what="audit",
        rows=len(table),
        filters=filters_to_params(filters),
    )

if can("personal.erase"):
    st.divider()
    render_erasure()
