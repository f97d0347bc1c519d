"""The progress of a background validation (issue 19), on the page that started it: a bar read
from the job's committed progress every second (a fragment: only this part reruns), then the
summary when the worker is done, with the whole page drawn again once (the orders it lists were
validated meanwhile: the caches are cleared and the page reruns)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from orders_core.i18n import _, format_money, format_number, ngettext
from queries.jobs import background_job
from ui.data import clear_after_write, engine
from ui.session import current_actor

JOB = "order_actions.job"  # the id of the background validation this session started
REDRAWN = "order_actions.job_redrawn"  # the finished job the whole page was drawn again for


def remember(job_id: int) -> None:
    st.session_state[JOB] = int(job_id)


def _forget() -> None:
    st.session_state.pop(JOB, None)


def render_job_progress() -> None:
    """The started job's progress or outcome, if this session started one."""
    if JOB in st.session_state:
        _panel()


@st.fragment(run_every=timedelta(seconds=1))
def _panel() -> None:
    job_id = st.session_state.get(JOB)
    if job_id is None:
        return
    job = background_job(engine(), job_id, principal=current_actor())  # uncached: live progress
    if job is None:
        _forget()
        return
    if not job["in_progress"] and st.session_state.get(REDRAWN) != job_id:
        st.session_state[REDRAWN] = job_id  # once: this run of the whole page shows the outcome
        clear_after_write()
        st.rerun(scope="app")
    total, done = max(job["total"], 1), job["done"]
    result = job["result"] or {}
    with st.container(border=True):
        if job["in_progress"]:
            text = (
                _("Waiting for the worker…")
                if job["waiting"]
                else _("Validating in the background: {done} of {total} orders").format(
                    done=format_number(done), total=format_number(job["total"])
                )
            )
            st.progress(done / total, text=text)
            st.caption(_("You can leave this page: the validation goes on and its result stays here."))
            return
        if job["succeeded"]:
            st.success(
                _("Background validation done: {orders}, {attendees}, {emails}.").format(
                    orders=ngettext("{count} order validated", "{count} orders validated", result["validated"]).format(
                        count=format_number(result["validated"])
                    ),
                    attendees=ngettext(
                        "{count} attendee created", "{count} attendees created", result["attendees"]
                    ).format(count=format_number(result["attendees"])),
                    emails=ngettext("{count} email queued", "{count} emails queued", result["emails"]).format(
                        count=format_number(result["emails"])
                    ),
                )
            )
        else:
            st.error(
                _("The background validation stopped after {done} of {total} orders: {error}").format(
                    done=format_number(done), total=format_number(job["total"]), error=job["error"] or ""
                )
            )
        if result:
            amounts = " · ".join(format_money(v, c) for c, v in result["amounts"].items()) or "—"
            st.markdown(_("**Payments recorded:** {amounts}").format(amounts=amounts))
            if result["refused_count"]:
                st.warning(
                    ngettext(
                        "{count} order cannot be changed:", "{count} orders cannot be changed:", result["refused_count"]
                    ).format(count=format_number(result["refused_count"]))
                )
                st.dataframe(
                    [{_("Order"): r["number"], _("Reason"): r["reason"]} for r in result["refused"]],
                    hide_index=True,
                    key="validation_job.refused",
                )
        st.button(_("Close"), key="validation_job.close", on_click=_forget)
