"""Figures side by side, such as the amounts of a page per currency (never added across
currencies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    help: str | None = None


def figures_row(figures: Iterable[Figure]) -> None:
    """Each figure as wide as its value, the next row taking those that do not fit: a grid of
    equal columns cut large amounts short ("CHF16,895,11…" at a million orders)."""
    with st.container(horizontal=True, gap="large"):
        for figure in figures:
            st.metric(figure.label, figure.value, help=figure.help, width="content")
