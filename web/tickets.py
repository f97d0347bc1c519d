"""E-ticket downloads (issue 21): `GET /tickets/<attendee id>.pdf` (one attendee's ticket) and
`GET /tickets/order/<order number>.pdf` (every ticket of the order that still admits, in one PDF).

Checked on every request like the exports (web/exports.py): the browser's session cookie
(`orders_core.sessions.resume`, the same check every page rerun makes) and the role's
`attendees.view` capability (a ticket names its holder: personal data, not for marketers). A
ticket that does not exist, is cancelled or void answers 404 with the reason. The PDF is rendered
for the request, in a read-only transaction: nothing is written."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from orders_core import db, sessions
from orders_core.errors import NotAllowed, OrderError
from orders_core.i18n import LANGUAGES, _, set_locale
from orders_core.permissions import Actor, require
from web.export_audit import record_now

TICKET_PDF = "/tickets/{attendee_id:int}.pdf"
ORDER_TICKETS_PDF = "/tickets/order/{number:int}.pdf"
CAPABILITY = "attendees.view"


def ticket_url(attendee_id: int, *, language: str = "en") -> str:
    """The address of one attendee's e-ticket, under Streamlit's base path."""
    from web.session_routes import base_path

    return f"{base_path()}/tickets/{int(attendee_id)}.pdf?lang={language}"


def order_tickets_url(number: int, *, language: str = "en") -> str:
    """The address of an order's e-tickets in one PDF, under Streamlit's base path."""
    from web.session_routes import base_path

    return f"{base_path()}/tickets/order/{int(number)}.pdf?lang={language}"


def _refused(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})


def _pdf(content: bytes, file_name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"},
    )


def _actor(request: Request) -> Actor | Response:
    language = request.query_params.get("lang", "")
    set_locale(language if language in LANGUAGES else "en")
    user = sessions.resume(db.get_engine(db.database_url()), request.cookies.get(sessions.COOKIE_NAME))
    if user is None:
        return _refused(_("Sign in again to download e-tickets."), 401)
    actor = user.principal
    try:
        require(actor, CAPABILITY)
    except NotAllowed as refusal:
        return _refused(refusal.message, 403)
    return actor


def ticket_download(request: Request) -> Response:
    """Sync: Starlette runs it in its thread pool (rendering takes a moment)."""
    from orders_core.documents.tickets import render_tickets_pdf, ticket_filename, ticket_of

    actor = _actor(request)
    if isinstance(actor, Response):
        return actor
    try:
        with db.read_only(db.get_engine(db.database_url())) as session:
            ticket = ticket_of(session, request.path_params["attendee_id"], principal=actor)
        pdf = render_tickets_pdf([ticket])
        record_now(actor=actor, what="e_tickets", filters=dict(request.path_params), format="pdf", rows=1)
        return _pdf(pdf, ticket_filename(ticket))
    except OrderError as refusal:
        return _refused(refusal.message, 404)


def order_tickets_download(request: Request) -> Response:
    """Every e-ticket of the order with this number, one page each."""
    from sqlalchemy import select

    from orders_core.documents.tickets import order_tickets_filename, render_tickets_pdf, tickets_of_order
    from orders_core.models import Order

    actor = _actor(request)
    if isinstance(actor, Response):
        return actor
    number = request.path_params["number"]
    try:
        with db.read_only(db.get_engine(db.database_url())) as session:
            order_id = session.scalar(select(Order.id).where(Order.number == number, Order.deleted_at.is_(None)))
            if order_id is None:
                return _refused(_("No order with number {number}.").format(number=number), 404)
            tickets = tickets_of_order(session, order_id, principal=actor)
        pdf = render_tickets_pdf(tickets)
        record_now(actor=actor, what="e_tickets", filters={"number": number}, format="pdf", rows=len(tickets))
        return _pdf(pdf, order_tickets_filename(number))
    except OrderError as refusal:
        return _refused(refusal.message, 404)
