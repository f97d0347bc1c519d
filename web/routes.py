"""Our routes and middleware, handed to `st.App` by server.py.

To add a route, append one line to `ROUTES`, like the grid's streamed exports:

    Route(url_of(exports.ORDERS_CSV), exports.orders_export, methods=["GET"]),

Paths starting with /_stcore/, /media/, /component/ or /static/ are Streamlit's and refused.
A route reads the signed-in user from the session cookie (`sessions.COOKIE_NAME`) with
`orders_core.sessions.resume(engine, token)` - the same check every page rerun makes."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import Route

from web import documents, exports, session_routes, tickets
from web.security import SecurityHeadersMiddleware
from web.session_routes import base_path


def url_of(path: str) -> str:
    """A route's path under Streamlit's `server.baseUrlPath`."""
    return base_path() + path


ROUTES = [
    Route(url_of(session_routes.SESSION_START), session_routes.start_session, methods=["GET"]),
    Route(url_of(session_routes.SESSION_END), session_routes.end_session, methods=["GET"]),
    Route(url_of(exports.ORDERS_CSV), exports.orders_export, methods=["GET"]),
    Route(url_of(exports.ORDERS_XLSX), exports.orders_export, methods=["GET"]),
    Route(url_of(exports.ATTENDEES_CSV), exports.attendees_export, methods=["GET"]),
    Route(url_of(exports.ATTENDEES_XLSX), exports.attendees_export, methods=["GET"]),
    Route(url_of(tickets.TICKET_PDF), tickets.ticket_download, methods=["GET"]),  # issue 21
    Route(url_of(tickets.ORDER_TICKETS_PDF), tickets.order_tickets_download, methods=["GET"]),
    # issue 21: the issued documents (the range routes before the one-document pattern)
    Route(url_of(documents.INVOICES_ZIP), documents.invoices_zip, methods=["GET"]),
    Route(url_of(documents.SALES_JOURNAL_CSV), documents.sales_journal_csv, methods=["GET"]),
    Route(url_of(documents.DOCUMENT_PDF), documents.document_download, methods=["GET"]),
]

MIDDLEWARE = [Middleware(SecurityHeadersMiddleware)]
