"""Sidebar widget of saved views: apply one of the page's views (own, or shared with my role),
delete one of mine, or save the current URL filters under a name. Any page can use it: its
filters must live in `st.query_params` and its widget keys start with "<page>."."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _
from orders_core.services.saved_views import delete_view, save_view, visible_views
from ui.session import can, current_actor
from ui.text import md
from ui.transactions import read, run_service, show_notice


def _reset_page_widgets(page: str) -> None:
    # Widgets initialise from the URL only when their state is absent.
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{page}.")]:
        del st.session_state[key]


def render_saved_views(page: str) -> None:
    """Draw the saved views of `page` in the sidebar."""
    if not can("views.save"):
        return
    actor = current_actor()
    saved_key = f"views.{page}.saved"  # the success message shown after the rerun
    with st.sidebar:
        st.subheader(_("Saved views"))
        views = read(lambda session: visible_views(session, actor=actor, page=page))
        if views is None:
            return
        show_notice(saved_key)
        if views:
            by_id = {v["id"]: v for v in views}
            choice = st.selectbox(
                _("View"),
                options=list(by_id),
                key=f"views.{page}.choice",
                format_func=lambda i: (
                    by_id[i]["name"]
                    if by_id[i]["mine"]
                    else _("{name} (shared by {owner})").format(name=by_id[i]["name"], owner=by_id[i]["owner"])
                ),
            )
            apply_column, delete_column = st.columns(2)
            if apply_column.button(_("Apply"), key=f"views.{page}.apply", width="stretch"):
                st.query_params.from_dict(by_id[choice]["params"])
                _reset_page_widgets(page)
                st.rerun()
            if by_id[choice]["mine"] and delete_column.button(_("Delete"), key=f"views.{page}.delete", width="stretch"):
                run_service(
                    lambda session: delete_view(session, actor=actor, view_id=choice),
                    success=_("View deleted."),
                    toast=True,
                )
        else:
            st.caption(_("No saved view for this page yet."))
        with st.expander(_("Save the current filters")):
            name = st.text_input(_("Name"), key=f"views.{page}.name", max_chars=100)
            shared = st.checkbox(_("Share with my role"), key=f"views.{page}.shared")
            if st.button(_("Save view"), key=f"views.{page}.save"):
                run_service(  # the rerun lists the new view
                    lambda session: save_view(
                        session, actor=actor, page=page, name=name, params=st.query_params.to_dict(), shared=shared
                    ),
                    success=_("View “{name}” saved.").format(name=md(name.strip())),
                    notice=saved_key,
                )
