"""Streamlit helpers shared by the pages: the page registry, cached data access, formatting."""
