"""ui/styler_display.py builds a styled table's shown texts (Streamlit's `display_values`) in one go:
the same frame as Streamlit's own, hence the same bytes sent to the browser, on the grid's styled
page and on other styled tables; anything it does not cover goes to Streamlit's."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
import pytest
import streamlit
from streamlit import dataframe_util
from streamlit.elements.lib import pandas_styler_utils
from streamlit.proto.ArrowData_pb2 import ArrowData

from tests.unit.test_grid_display import page, page_row
from ui import styler_display
from ui.grid_display import display_frame, styled


class Colour(enum.Enum):
    RED = "red"


def translated(styler) -> dict:
    styler._compute()
    return styler._translate(False, False)


def same_as_streamlits(styler, monkeypatch, *, in_one_go: bool = True) -> None:
    styles = translated(styler)
    streamlits = styler_display._streamlits
    theirs = streamlits(styler.data, styles)
    handed_over = []

    def handing_over(frame, styles):
        handed_over.append(frame)
        return streamlits(frame, styles)

    monkeypatch.setattr(styler_display, "_streamlits", handing_over)
    ours = styler_display.display_values(styler.data, styles)
    assert bool(handed_over) is not in_one_go
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert list(ours.dtypes) == list(theirs.dtypes)
    assert dataframe_util.convert_pandas_df_to_arrow_bytes(ours) == dataframe_util.convert_pandas_df_to_arrow_bytes(
        theirs
    )


def test_the_grids_styled_page_gets_the_same_shown_texts(monkeypatch):
    rows = page(page_row(), page_row(number=1000043, status="awaiting_payment", paid_at=None), page_row(number=3))
    frame = display_frame(rows, "Europe/Paris", show_utm=True)
    same_as_streamlits(styled(frame, rows["status"]), monkeypatch)


def test_a_table_of_other_types_gets_the_same_shown_texts(monkeypatch):
    frame = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "x": [1.5, float("nan"), 3.25],
            "ok": [True, False, True],
            "text": ["a", None, "<b>"],
            "when": [datetime(2026, 1, 1, tzinfo=UTC), None, datetime(2026, 2, 1, tzinfo=UTC)],
            "money": [Decimal("1.10"), Decimal("0"), None],
            "colour": [Colour.RED, Colour.RED, None],
        },
        index=[10, 20, 30],
    )
    same_as_streamlits(frame.style.format({"x": "{:.1f}"}).highlight_max(subset=["n"]), monkeypatch)


def test_a_trimmed_body_is_left_to_streamlit(monkeypatch):
    frame = pd.DataFrame({"n": range(12), "s": [str(i) for i in range(12)]})
    with pd.option_context("styler.render.max_rows", 5):
        same_as_streamlits(frame.style, monkeypatch, in_one_go=False)


def test_the_grid_sends_the_same_bytes_with_it_installed(monkeypatch):
    rows = page(page_row(), page_row(number=1000043, status="cancelled"))
    frame = display_frame(rows, "UTC", show_utm=False)
    sent = []
    for function in (styler_display._streamlits, styler_display.display_values):
        monkeypatch.setattr(pandas_styler_utils, "_use_display_values", function)
        proto = ArrowData()
        pandas_styler_utils.marshall_styler(proto, styled(frame, rows["status"]).set_uuid("grid"), "grid")
        sent.append(proto.SerializeToString())
    assert sent[0] == sent[1]


def test_it_is_installed_on_the_streamlit_it_was_checked_against():
    # A new Streamlit: compare its `_use_display_values` with `display_values` again, then move
    # CHECKED_ON (or drop ui/styler_display.py if Streamlit builds the frame in one go itself).
    assert streamlit.__version__ == styler_display.CHECKED_ON
    assert pandas_styler_utils._use_display_values is styler_display.display_values


@pytest.mark.parametrize("version", ["1.66.0", "1.68.0"])
def test_another_streamlit_keeps_its_own(monkeypatch, version):
    monkeypatch.setattr(streamlit, "__version__", version)
    monkeypatch.setattr(pandas_styler_utils, "_use_display_values", styler_display._streamlits)
    assert styler_display.install() is False
    assert pandas_styler_utils._use_display_values is styler_display._streamlits
