"""The order wizard's draft on the server (issue 18): a reload keeps what was typed.

Each run of the wizard has a token in its address (`?draft=...`, after `?modify=N` when it
modifies an order): a reload, or the same address in another tab of the same user, reopens that
draft; a second tab gets a token of its own, so two tabs never overwrite each other. After every
run the page saves the wizard's state when it changed (`persist`); saving the order (or the
changes) deletes the draft in the same transaction; "Start over" deletes it.

A modify draft opens only on its own order's address; if the order was changed by someone since
the draft was started, the page says so and saving is refused by the modification's version
check. The writes and the read go through orders_core/services/wizard_drafts.py."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from orders_core.i18n import _
from orders_core.services.wizard_drafts import discard_draft, draft_days, load_draft, new_token, save_draft
from ui.session import current_actor
from ui.text import md
from ui.timezone import user_timezone
from ui.transactions import read, run_service
from ui.wizard_state import WizardState, start, state

# {"token": str, "order_id": the order modified or None, "saved": the JSON last saved or None,
#  "pristine": the JSON of the run as it opened (nothing to keep while unchanged),
#  "stale": a warning shown on every run (a reopened draft of an order changed since)}
DRAFT_KEY = "wizard_draft"
PARAM = "draft"


def draft_token() -> str | None:
    """The token of this browser session's wizard run, if any."""
    kept = st.session_state.get(DRAFT_KEY)
    return kept["token"] if kept else None


def _keep(token: str, w: WizardState, *, saved: str | None, pristine: str) -> None:
    st.session_state[DRAFT_KEY] = {
        "token": token,
        "order_id": w.order_id,
        "saved": saved,
        "pristine": pristine,
        "stale": None,
    }


def resume(number: int | None) -> WizardState | None:
    """The wizard run already open in this session for this address (`number`: the order of
    `?modify=`, None for a new order), or None when the address asks for another one."""
    asked = st.query_params.get(PARAM)
    current, kept = state(), st.session_state.get(DRAFT_KEY)
    if current is None or current.number != number:
        return None
    if kept is None and not asked:  # a run begun without a token: it gets one now
        _keep(new_token(), current, saved=None, pristine=WizardState().to_json())
        kept = st.session_state[DRAFT_KEY]
    if kept is not None and kept["order_id"] == current.order_id and asked in (None, kept["token"]):
        st.query_params[PARAM] = kept["token"]  # back from another page: the address names it again
        return current
    return None


def open_draft(fresh: WizardState, *, version: int | None = None) -> WizardState:
    """The wizard for this address: the draft of `?draft=` when it is this user's draft of the
    same order (or of a new order), else `fresh` (a new order, or the order as it is now) with a
    new token. `version`: the modified order's version now, to warn when the draft is older."""
    asked = st.query_params.get(PARAM)
    pristine = fresh.to_json()
    if asked:
        saved = read(lambda session: load_draft(session, actor=current_actor(), token=asked, order_id=fresh.order_id))
        if saved is not None:
            restored = start(WizardState.from_json(saved))
            _keep(asked, fresh, saved=saved, pristine=pristine)
            if version is not None and restored.version != version:
                st.session_state[DRAFT_KEY]["stale"] = _(
                    "Order {number} has been changed by someone else since this draft was started: "
                    "saving these changes will be refused. “Start over” opens the order as it is now."
                ).format(number=restored.number)
            return restored
        if fresh.order_id is None:
            st.info(
                _(
                    "This draft is no longer available (drafts are deleted once the order is created, "
                    "or after {days} days): a new order starts."
                ).format(days=draft_days())
            )
        else:
            st.info(
                _(
                    "This draft is no longer available (drafts are deleted once the changes are saved, "
                    "or after {days} days): the order opens as it is now."
                ).format(days=draft_days())
            )
    token = new_token()
    st.query_params[PARAM] = token
    _keep(token, fresh, saved=None, pristine=pristine)
    return start(fresh)


def show_stale() -> None:
    """The warning of a reopened draft whose order changed since, on every run of it."""
    kept = st.session_state.get(DRAFT_KEY)
    if kept and kept.get("stale"):
        st.warning(md(kept["stale"]))


def persist(w: WizardState) -> None:
    """Save the wizard's state as its draft when it changed since the last save (nothing is
    saved before something was typed), and say when it was last saved."""
    kept = st.session_state.get(DRAFT_KEY)
    if not kept or kept["order_id"] != w.order_id:
        return
    text = w.to_json()
    if text != kept["saved"] and not (kept["saved"] is None and text == kept["pristine"]):
        token, order_id = kept["token"], kept["order_id"]
        done = run_service(
            lambda session: save_draft(session, actor=current_actor(), token=token, state=text, order_id=order_id),
            rerun=False,
            changes_reads=False,
        )
        if done is not None:  # refused: shown, and tried again at the next run
            kept["saved"] = text
            kept["saved_at"] = datetime.now(UTC)
    if text == kept["saved"] and kept.get("saved_at") is not None:
        _show_saved(kept["saved_at"], w.step)


def _show_saved(saved_at: datetime, step: int) -> None:
    """ "Draft saved at 14:05", drawn only when the draft on the server is what this run shows.
    Its container is named after the step shown (`st-key-wizard_draft_saved_step_2` in the page):
    a browser test waits for it before reloading, not for a run that may still be saving."""
    with st.container(key=f"wizard_draft_saved_step_{step}"):
        at = saved_at.astimezone(ZoneInfo(user_timezone()))
        st.caption(
            _("Draft saved at {time}").format(time=at.strftime("%H:%M")),
            help=_("What you type is kept on the server: a reload, or this address in another tab, finds it."),
        )


def abandon() -> None:
    """ "Start over" or leaving for good: the draft is deleted, the next run starts afresh."""
    kept = st.session_state.pop(DRAFT_KEY, None)
    if PARAM in st.query_params:
        del st.query_params[PARAM]
    if kept:
        token, order_id = kept["token"], kept["order_id"]
        run_service(
            lambda session: discard_draft(session, actor=current_actor(), token=token, order_id=order_id),
            rerun=False,
            changes_reads=False,
        )


def forget() -> None:
    """The order was saved (its draft deleted in the same transaction): forget the token."""
    st.session_state.pop(DRAFT_KEY, None)
