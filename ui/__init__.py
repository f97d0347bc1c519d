"""Streamlit helpers shared by the pages: the page registry, cached data access, formatting."""

from ui.guard import route_everything_through_the_router

route_everything_through_the_router()
