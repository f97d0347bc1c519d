"""The router: page config, language, sign-in, navigation built per role, then the chosen page runs.

Signed out, every page address shows the sign-in form. Signed in, `st.navigation` lists exactly
the pages of the user's role (ui/registry.py), so a page never needs its own permission guard; the
other pages' addresses say "not available to your role" without running the page file. Services
check the role again whatever the UI shows."""

import time
from functools import partial

import streamlit as st

from orders_core.i18n import _
from ui import run_times, shell
from ui.guard import routed
from ui.registry import PAGES, SECURITY_PATH, pages_for, sections_for

run_started = time.perf_counter()  # the run's time on the server, logged when slow (ui/run_times.py)
shell.apply_locale()
# An emoji favicon is drawn in the page (a data: URL); a :material/...: one would be fetched from
# fonts.gstatic.com, which the Content-Security-Policy (web/security.py) does not allow.
st.set_page_config(page_title=_("Orders back-office"), page_icon="🎫", layout="wide")

user = shell.signed_in_user()
if user is None:
    # Every page's address shows the sign-in form, under the same url_path: after signing in, the
    # browser comes back to the page that was asked for - a deep link such as
    # /order?order=1234567 survives sign-in - when the role may see it, to the overview otherwise.
    # Each stands in for the page it is at, so that signing in sends the browser back there.
    sign_in = [
        st.Page(
            partial(shell.sign_in_page, asked_page=shell.SIGN_IN_PATH),
            title=_("Sign in"),
            icon=":material/login:",
            url_path=shell.SIGN_IN_PATH,
            default=True,
        )
    ]
    sign_in += [
        st.Page(
            partial(shell.sign_in_page, asked_page=spec.url_path),
            title=_("Sign in"),
            icon=":material/login:",
            url_path=spec.url_path,
        )
        for spec in PAGES
    ]
    st.navigation(sign_in, position="hidden").run()
else:
    # Issue 17: an obliged role without two-factor sign-in reaches only its Account security page.
    obliged = shell.must_enrol(user)
    role_pages = [spec for spec in pages_for(user["role"]) if not obliged or spec.url_path == SECURITY_PATH]
    pages = {
        spec.url_path: st.Page(
            spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.default
        )
        for spec in role_pages
    }
    sections = {
        _(section): [pages[spec.url_path] for spec in specs if spec.url_path in pages]
        for section, specs in sections_for(user["role"]).items()
        if any(spec.url_path in pages for spec in specs)
    }
    home = (
        pages[SECURITY_PATH] if obliged else next((pages[spec.url_path] for spec in role_pages if spec.default), None)
    )
    stand_in = shell.enrolment_first_page if obliged else shell.unavailable_page
    # The other pages of the app keep their address, hidden from the menu: a link to one of them
    # says that the role may not see it (never runs its file) instead of "Page not found".
    next(iter(sections.values())).extend(
        st.Page(
            partial(stand_in, spec.title, home),
            title=_(spec.title),
            icon=":material/block:",
            url_path=spec.url_path,
            visibility="hidden",
        )
        for spec in PAGES
        if spec.url_path not in pages
    )
    navigation = st.navigation(sections, expanded=True)  # every page of the role, no "View more"
    shell.sidebar(user)
    # The page it runs may draw: it came through sign-in and the role's list. Slow runs are logged.
    with routed(), run_times.page_run(navigation.url_path, started=run_started):
        navigation.run()
