"""Shared by every AppTest: pages run on SQLite (services and queries are tested on both
databases elsewhere), and Streamlit's caches start empty for each test (they outlive an AppTest
within one pytest process)."""

import pytest
import streamlit as st


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
