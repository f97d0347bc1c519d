"""The grid's exports as downloads streamed straight from the query layer (issue 13 item 1,
issue 14): `GET /export/orders.csv?<grid filters>` and `GET /export/orders.xlsx?<grid filters>`.

The route checks, on every request, the browser's session cookie (`orders_core.sessions.resume`,
the same check every page rerun makes) and the `orders.export` capability (checked again inside
`queries.export`), then hands the pieces of `csv_stream` / `xlsx_stream` to a StreamingResponse:
no temporary file, no copy of the export in memory; a CSV's first piece (CHUNK_ROWS rows) leaves
before the database has sent the rest (issue 19: one server-side cursor). The filters are the grid's URL parameters
(`ui.grid_state`), plus `sep=comma` for a `,` CSV, `tz` (dates' timezone) and `lang`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import urlencode

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from orders_core import db, replica, sessions
from orders_core.errors import NotAllowed
from orders_core.i18n import DEFAULT_TIMEZONE, LANGUAGES, _, is_timezone, set_locale
from orders_core.permissions import Actor
from web.export_audit import RowCount, audited, filters_of

ORDERS_CSV = "/export/orders.csv"
ATTENDEES_CSV = "/export/attendees.csv"  # issue 18: the Attendees page's filtered set
ATTENDEES_XLSX = "/export/attendees.xlsx"
ORDERS_XLSX = "/export/orders.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 10_000  # rows per piece of a streamed grid export (queries.export.CHUNK)


def export_url(kind: str, grid_params: dict[str, str], *, timezone: str, language: str) -> str:
    """The address of the grid's export in `kind` (csv_semicolon, csv_comma or xlsx) for the
    grid's URL parameters, under Streamlit's base path."""
    from web.session_routes import base_path

    params = {**grid_params, "tz": timezone, "lang": language}
    if kind == "csv_comma":
        params["sep"] = "comma"
    path = ORDERS_XLSX if kind == "xlsx" else ORDERS_CSV
    return f"{base_path()}{path}?{urlencode(params)}"


def _refused(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})


def _download(pieces: Iterator[bytes], media_type: str, file_name: str) -> StreamingResponse:
    return StreamingResponse(
        pieces,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"},
    )


def orders_pieces(
    engine: Engine, params: Mapping[str, str], *, xlsx: bool, principal: Actor, rows: RowCount
) -> tuple[Iterator[bytes], str, str]:
    """The grid export an address asks for (its filters, `tz`, `sep`), as (pieces, media type,
    file name), counting the rows written into `rows`; what the route streams once the user is
    checked, and what the benchmark times. Refuses (`NotAllowed`) a principal who may not export
    before a row is read."""
    from queries.export import csv_stream, xlsx_stream
    from ui.grid_state import view_from_params  # pure; imported per request, never at server start

    zone = params.get("tz", "")
    filters = view_from_params(params, zone if is_timezone(zone) else DEFAULT_TIMEZONE).filters
    if xlsx:
        pieces = xlsx_stream(engine, filters, principal=principal, progress=rows, chunk_size=CHUNK_ROWS)
        return pieces, XLSX_TYPE, "orders.xlsx"
    separator = "," if params.get("sep") == "comma" else ";"
    pieces = csv_stream(engine, filters, principal=principal, separator=separator, progress=rows, chunk_size=CHUNK_ROWS)
    return pieces, "text/csv; charset=utf-8", "orders.csv"


def orders_export(request: Request) -> Response:
    """Sync: Starlette runs it, and iterates the pieces, in its thread pool."""
    params = request.query_params
    language = params.get("lang", "")
    set_locale(language if language in LANGUAGES else "en")
    user = sessions.resume(db.get_engine(db.database_url()), request.cookies.get(sessions.COOKIE_NAME))
    if user is None:
        return _refused(_("Sign in again to export orders."), 401)
    engine = db.get_engine(replica.reads_url())  # issue 19: the read replica when there is one
    xlsx = request.url.path.endswith(".xlsx")
    actor = user.principal
    rows = RowCount()
    try:
        pieces, media_type, file_name = orders_pieces(engine, params, xlsx=xlsx, principal=actor, rows=rows)
    except NotAllowed as refusal:
        return _refused(refusal.message, 403)
    audit = {"actor": actor, "what": "orders", "filters": filters_of(params)}
    return _download(audited(pieces, **audit, format="xlsx" if xlsx else "csv", rows=rows), media_type, file_name)


def attendees_export_url(kind: str, page_params: dict[str, str | list[str]], *, timezone: str, language: str) -> str:
    """The address of the Attendees page's export in `kind` (csv_semicolon, csv_comma or xlsx)
    for the page's filters (ui.attendee_params), under Streamlit's base path."""
    from web.session_routes import base_path

    params: dict[str, str | list[str]] = {**page_params, "tz": timezone, "lang": language}
    if kind == "csv_comma":
        params["sep"] = "comma"
    path = ATTENDEES_XLSX if kind == "xlsx" else ATTENDEES_CSV
    return f"{base_path()}{path}?{urlencode(params, doseq=True)}"


def attendees_export(request: Request) -> Response:
    """Sync, like `orders_export`: the session cookie and `attendees.export` checked on every
    request (again inside queries.attendees_export), then the file streamed in pieces."""
    from queries.attendees_export import csv_stream, xlsx_stream
    from ui.attendee_params import filters_from_params  # pure; imported per request

    params = request.query_params
    language = params.get("lang", "")
    set_locale(language if language in LANGUAGES else "en")
    user = sessions.resume(db.get_engine(db.database_url()), request.cookies.get(sessions.COOKIE_NAME))
    if user is None:
        return _refused(_("Sign in again to export attendees."), 401)
    engine = db.get_engine(replica.reads_url())  # issue 19: the read replica when there is one
    filters = filters_from_params(params.getlist)
    if filters is None:
        return _refused(_("Choose an event first."), 400)
    zone = params.get("tz", "")
    timezone = zone if is_timezone(zone) else DEFAULT_TIMEZONE
    actor = user.principal
    rows, audit = RowCount(), {"actor": actor, "what": "attendees", "filters": filters_of(params)}
    try:
        if request.url.path.endswith(".xlsx"):
            pieces = xlsx_stream(engine, filters, principal=actor, timezone=timezone, progress=rows)
            return _download(audited(pieces, **audit, format="xlsx", rows=rows), XLSX_TYPE, "attendees.xlsx")
        separator = "," if params.get("sep") == "comma" else ";"
        pieces = csv_stream(engine, filters, principal=actor, timezone=timezone, separator=separator, progress=rows)
        return _download(audited(pieces, **audit, format="csv", rows=rows), "text/csv; charset=utf-8", "attendees.csv")
    except NotAllowed as refusal:
        return _refused(refusal.message, 403)
