"""Downloads of the issued documents (issue 21), checked like the grid's exports (web/exports.py):
on every request the browser's session cookie (`orders_core.sessions.resume`, the check every page
rerun makes), then the `invoices.view` capability (checked inside the queries).

- `GET /documents/<invoice_id>.pdf`: one document's PDF (`documents.files.document_pdf`: the
  stored bytes, rendered and stored first at the first download). A document the user may not
  reach answers exactly like one that does not exist.
- `GET /documents/invoices.zip?<Invoices page filters>`: the PDFs of the filtered documents,
  streamed one after the other into a ZIP (missing PDFs rendered on the way), at most
  `MAX_ZIP_DOCUMENTS` (a bigger range is refused with a message saying so: the page says it
  before offering the link).
- `GET /documents/sales-journal.csv?<filters>&sep=comma`: the sales journal per VAT rate.

The filters are the Invoices page's URL parameters (ui.invoice_params), plus `tz` and `lang`."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from orders_core import db, replica, sessions
from orders_core.errors import NotAllowed, OrderError
from orders_core.i18n import DEFAULT_TIMEZONE, LANGUAGES, _, is_timezone, set_locale
from orders_core.permissions import Actor
from web.export_audit import RowCount, audited, counting_lines, filters_of, record_now

DOCUMENT_PDF = "/documents/{invoice_id:int}.pdf"
INVOICES_ZIP = "/documents/invoices.zip"
SALES_JOURNAL_CSV = "/documents/sales-journal.csv"
# Rendering a missing PDF takes a fraction of a second: a ZIP of this many stays within a few
# minutes even when none was rendered yet.
MAX_ZIP_DOCUMENTS = 200


def _base() -> str:
    from web.session_routes import base_path

    return base_path()


def document_url(invoice_id: int) -> str:
    """The address of one document's PDF, under Streamlit's base path."""
    return f"{_base()}/documents/{int(invoice_id)}.pdf"


def range_url(path: str, page_params: dict[str, str], *, timezone: str, language: str, comma: bool = False) -> str:
    """The address of the ZIP (`INVOICES_ZIP`) or the journal (`SALES_JOURNAL_CSV`) of the
    Invoices page's filters."""
    params = {**page_params, "tz": timezone, "lang": language}
    if comma:
        params["sep"] = "comma"
    return f"{_base()}{path}?{urlencode(params)}"


def _refused(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})


def _headers(file_name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"}


def _signed_in(request: Request, refusal: str) -> tuple[Actor | None, Response | None]:
    """The actor of the session cookie, or the 401 response (in the asked language)."""
    language = request.query_params.get("lang", "")
    set_locale(language if language in LANGUAGES else "en")
    user = sessions.resume(db.get_engine(db.database_url()), request.cookies.get(sessions.COOKIE_NAME))
    if user is None:
        return None, _refused(refusal, 401)
    return user.principal, None


def _pdf_of(invoice_id: int, principal: Actor) -> tuple[bytes, str]:
    from orders_core.documents.files import document_filename, document_pdf
    from orders_core.models import Invoice

    with db.unit_of_work(db.get_engine(db.database_url())) as session:  # the first download stores it
        pdf = document_pdf(session, invoice_id, principal=principal)
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        return pdf, document_filename(invoice)


def document_download(request: Request) -> Response:
    """Sync: Starlette runs it in its thread pool."""
    from queries.invoices import document_order

    actor, refusal = _signed_in(request, _("Sign in again to download this document."))
    if actor is None:
        assert refusal is not None
        return refusal
    invoice_id = int(request.path_params["invoice_id"])
    engine = db.get_engine(db.database_url())
    try:
        if document_order(engine, invoice_id, principal=actor) is None:
            return _refused(_("This invoice does not exist."), 404)
        pdf, file_name = _pdf_of(invoice_id, actor)
    except NotAllowed as refused:
        return _refused(refused.message, 403)
    except OrderError as error:  # seller settings gone incomplete cannot stop a stored PDF; anything else
        return _refused(error.message, 400)
    record_now(actor=actor, what="invoice_pdf", filters={"invoice_id": invoice_id}, format="pdf", rows=1)
    return Response(pdf, media_type="application/pdf", headers=_headers(file_name))


class _Pipe(io.RawIOBase):
    """What zipfile writes, kept until the generator hands it on (zipfile streams to a
    non-seekable file with data descriptors)."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.pieces = b"".join(self.pieces), []
        return data


def zip_pieces(invoice_ids: list[int], actor: Actor) -> Iterator[bytes]:
    """A ZIP of the documents' PDFs, a piece per document, each PDF rendered when missing (PDFs
    are compressed already: stored as they are)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for invoice_id in invoice_ids:
            pdf, file_name = _pdf_of(invoice_id, actor)
            archive.writestr(file_name, pdf)
            yield pipe.take()
    yield pipe.take()


def _range_filters(request: Request):
    from ui.invoice_params import filters_from_params  # pure; imported per request

    zone = request.query_params.get("tz", "")
    return filters_from_params(request.query_params.getlist, zone if is_timezone(zone) else DEFAULT_TIMEZONE)


def invoices_zip(request: Request) -> Response:
    """The PDFs of the Invoices page's filtered documents, as one ZIP."""
    from queries.invoices import invoice_ids

    actor, refusal = _signed_in(request, _("Sign in again to download documents."))
    if actor is None:
        assert refusal is not None
        return refusal
    try:
        ids = invoice_ids(db.get_engine(replica.reads_url()), _range_filters(request), principal=actor)
    except NotAllowed as refused:
        return _refused(refused.message, 403)
    if not ids:
        return _refused(_("No document matches these filters."), 404)
    if len(ids) > MAX_ZIP_DOCUMENTS:
        return _refused(too_many_message(len(ids)), 413)
    pieces = audited(
        zip_pieces(ids, actor),
        actor=actor,
        what="invoices_zip",
        filters=filters_of(request.query_params),
        format="zip",
        rows=len(ids),
    )
    return StreamingResponse(pieces, media_type="application/zip", headers=_headers("invoices.zip"))


def too_many_message(count: int) -> str:
    return _("{count} documents match: a ZIP holds at most {limit}. Narrow the dates or the filters.").format(
        count=count, limit=MAX_ZIP_DOCUMENTS
    )


def sales_journal_csv(request: Request) -> Response:
    """The sales journal per VAT rate of the Invoices page's filters, as CSV."""
    from queries.sales_journal import journal_csv

    actor, refusal = _signed_in(request, _("Sign in again to download documents."))
    if actor is None:
        assert refusal is not None
        return refusal
    separator = "," if request.query_params.get("sep") == "comma" else ";"
    try:
        pieces = journal_csv(
            db.get_engine(replica.reads_url()), _range_filters(request), principal=actor, separator=separator
        )
    except NotAllowed as refused:
        return _refused(refused.message, 403)
    rows = RowCount()
    pieces = audited(
        counting_lines(pieces, rows),
        actor=actor,
        what="sales_journal",
        filters=filters_of(request.query_params),
        format="csv",
        rows=rows,
    )
    return StreamingResponse(pieces, media_type="text/csv; charset=utf-8", headers=_headers("sales-journal.csv"))
