"""Issue 19: a dashboard's figures are built once per data, options, language and principal
(`ui.charts.drawn`), and the figure drawn from the cache is the one a fresh build would draw."""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from ui.charts import figure_of, finished, grouped_horizontal_bars


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"source": ["<b>mail</b>", "web & co", "web & co"], "currency": ["EUR", "EUR", "USD"], "orders": [3, 5, 2]}
    )


def test_a_figure_from_the_cache_draws_as_the_freshly_built_one():
    fresh = finished(
        grouped_horizontal_bars(_frame(), category="source", group="currency", value="orders", names={}, x_title="N")
    )
    again = figure_of(json.loads(pio.to_json(fresh, validate=False)))
    assert json.loads(pio.to_json(again, validate=False)) == json.loads(pio.to_json(fresh, validate=False))
    assert "&lt;b&gt;mail&lt;/b&gt;" in again.data[0].y  # finished: the label is text, not markup


def _script():
    import json

    import pandas as pd
    import streamlit as st

    from orders_core.i18n import set_locale
    from ui.charts import drawn, grouped_horizontal_bars

    set_locale(st.session_state.get("language", "en"))
    builds = st.session_state.setdefault("builds", [])

    def counted(data, **options):
        builds.append(len(data))
        return grouped_horizontal_bars(data, **options)

    data = pd.DataFrame({"source": ["web", "mail"], "currency": ["EUR", "EUR"], "orders": [3, 5]})
    if st.session_state.get("more"):
        data.loc[len(data)] = ["social", "EUR", 7]
    spec = drawn(counted, data, category="source", group="currency", value="orders", names={}, x_title="Orders")
    st.write(json.dumps([list(trace["y"]) for trace in spec["data"]]))
    st.write(spec["layout"]["separators"])


def test_a_figure_is_built_once_per_data_language_and_principal():
    at = AppTest.from_function(_script)
    at.session_state["auth.user"] = {"id": 1, "email": "a@example.org", "role": "admin", "name": "A"}
    at.run()
    at.run()
    assert not at.exception
    assert at.session_state["builds"] == [2]  # the second run drew the cached figure
    assert at.markdown[0].value == '[["web", "mail"]]'

    at.session_state["more"] = True  # other data: built again
    at.run()
    assert at.session_state["builds"] == [2, 3]
    assert at.markdown[0].value == '[["web", "mail", "social"]]'

    at.session_state["language"] = "fr"  # another language: its own figure (French separators)
    at.run()
    assert at.session_state["builds"] == [2, 3, 3]
    assert at.markdown[1].value.startswith(",")

    at.session_state["auth.user"] = {"id": 2, "email": "b@example.org", "role": "finance", "name": "B"}
    at.run()  # another principal never reads the first one's figure
    assert at.session_state["builds"] == [2, 3, 3, 3]
