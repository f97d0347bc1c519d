"""The router: page config, language, sign-in, navigation built per role, then the chosen page runs.

Signed out, the only page is the sign-in form. Signed in, `st.navigation` lists exactly the pages
of the user's role (ui/registry.py), so a page never needs its own permission guard; services
check the role again whatever the UI shows."""

from functools import partial

import streamlit as st

from orders_core.i18n import _
from ui import shell
from ui.guard import routed
from ui.registry import PAGES, sections_for

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
    sections = {
        _(section): [
            st.Page(spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.default)
            for spec in specs
        ]
        for section, specs in sections_for(user["role"]).items()
    }
    navigation = st.navigation(sections, expanded=True)  # every page of the role, no "View more"
    shell.sidebar(user)
    with routed():  # the page it runs may draw: it came through sign-in and the role's list
        navigation.run()
