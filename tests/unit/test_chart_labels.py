"""Issue 13 item 2 on the dashboards: Plotly draws a subset of HTML (`<a href>`, `<b>`) found in
its texts, so user values (UTM, codes) are escaped on axes, bars, legend and hover labels."""

from __future__ import annotations

import pandas as pd
import plotly.express as px

from ui.charts import plain_labels

LINK = '<a href="http://evil.example">win</a>'


def test_user_values_in_a_chart_are_drawn_as_text():
    frame = pd.DataFrame({"source": [LINK, "google"], "orders": [3, 4], "campaign": ["<b>big</b>", "spring"]})
    figure = plain_labels(px.bar(frame, x="source", y="orders", color="campaign"))
    texts = [value for trace in figure.data for value in trace.x] + [trace.name for trace in figure.data]
    assert '&lt;a href="http://evil.example"&gt;win&lt;/a&gt;' in texts and "&lt;b&gt;big&lt;/b&gt;" in texts
    assert not any("<a" in str(value) or "<b>" in str(value) for value in texts)
    assert all("<b>big" not in trace.hovertemplate for trace in figure.data)
    assert "google" in texts and "spring" in texts  # plain values untouched


def test_an_ordered_axis_keeps_one_category_per_value_once_labels_are_escaped():
    frame = pd.DataFrame({"bucket": ["0-15", ">60"], "amount": [1.0, 2.0]})
    order = {"bucket": ["0-15", "16-30", ">60"]}
    figure = plain_labels(px.bar(frame, x="bucket", y="amount", category_orders=order))
    drawn = {value for trace in figure.data for value in trace.x}
    assert drawn == {"0-15", "&gt;60"}
    assert list(figure.layout.xaxis.categoryarray) == ["0-15", "16-30", "&gt;60"]
