"""The ASGI entry point: the Streamlit app (app.py, the router) with our routes, the security
headers middleware and the error handler around it.

    streamlit run server.py --server.address 127.0.0.1 --server.port 8501   # what `make run` does
    uvicorn server:app --host 127.0.0.1 --port 8501                         # any ASGI server

Routes and middleware are listed in web/routes.py (adding a route is one line there)."""

import streamlit as st

from web.errors import show_unexpected_error
from web.routes import MIDDLEWARE, ROUTES

app = st.App("app.py", routes=ROUTES, middleware=MIDDLEWARE, on_script_error=show_unexpected_error)
