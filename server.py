"""The ASGI entry point: the Streamlit app (app.py, the router) with our routes, the security
headers middleware and the error handler around it.

    streamlit run server.py --server.address 127.0.0.1 --server.port 8501   # what `make run` does
    uvicorn server:app --host 127.0.0.1 --port 8501                         # any ASGI server

Routes and middleware are listed in web/routes.py (adding a route is one line there)."""

import threading

import streamlit as st

from ui.guard import turn_off_pages_folder_mode
from ui.preload import preload_and_freeze
from web.errors import show_unexpected_error
from web.routes import MIDDLEWARE, ROUTES

# Before the first browser session exists: Streamlit's pages/ folder mode would otherwise serve
# the first sessions of the process (page files run directly, and "Page not found" for an address
# such as /order that is not a file name). ui/guard.py explains.
turn_off_pages_folder_mode()

app = st.App("app.py", routes=ROUTES, middleware=MIDDLEWARE, on_script_error=show_unexpected_error)
# Issue 19: the pages' modules and plotly's, pandas' and Babel's first-use loading happen as the
# process starts, instead of in the first user's first page (ui/preload.py). In a thread: Streamlit
# imports this file in its event loop, which answers nothing (not even /_stcore/health) meanwhile;
# a page that needs a module still being loaded waits for it (Python's import lock), once. Then
# what was loaded is frozen out of the garbage collector's full collections (ui/preload.py).
threading.Thread(target=preload_and_freeze, name="orders-preload", daemon=True).start()
