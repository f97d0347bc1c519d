"""Streamlit helpers shared by the pages: the page registry, cached data access, formatting."""

from ui.guard import turn_off_pages_folder_mode

turn_off_pages_folder_mode()
