"""The router: page config, locale, navigation built per role, then the chosen page runs."""
import streamlit as st

from orders_core.i18n import _, set_locale
from ui.registry import pages_for

st.set_page_config(page_title="Orders back-office", page_icon=":material/confirmation_number:", layout="wide")
set_locale(st.session_state.get("ui.locale", "en"))

role = "admin"
sections: dict[str, list] = {}
for spec in pages_for(role):
    page = st.Page(spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.default)
    sections.setdefault(_(spec.section), []).append(page)

st.navigation(sections).run()
