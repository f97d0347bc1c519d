"""Issue 17: the one way a page hands out a file of orders' or people's data. The download button
records the export in the audit trail (who, when, what, filters, rows, format) when it is
clicked, through `orders_core.services.export_audit.record_export`; the streamed downloads
(web/exports.py, web/documents.py) record theirs in their route (web/export_audit.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from orders_core.permissions import Actor
from orders_core.services.export_audit import record_export
from ui.session import current_actor
from ui.transactions import run_service


def _record(actor: Actor, audit: dict[str, Any]) -> None:
    """Write the audit entry of one download now (no rerun, the cached reads kept)."""
    run_service(
        lambda session: record_export(session, actor=actor, source="app", **audit),
        rerun=False,
        changes_reads=False,
    )


def record_download(**audit: Any) -> None:
    """The button's click: the entry of the signed-in user (`what`, `filters`, `rows`, `format`)."""
    _record(current_actor(), audit)


def audited_on_delivery(make: Callable[[], Any], *, actor: Actor, **audit: Any) -> Callable[[], Any]:
    """`make`, which also writes the audit entry once it made the file. For a file made on the
    click (a callable given to `st.download_button`): Streamlit calls it on its own thread, with
    no script run, so the actor is taken beforehand."""

    def made() -> Any:
        content = make()
        _record(actor, audit)
        return content

    return made


def audited_download(
    label: str,
    data: Any,
    *,
    file_name: str,
    mime: str,
    key: str,
    what: str,
    rows: int | None,
    filters: dict[str, Any] | None = None,
    container: Any = None,
    **button: Any,
) -> bool:
    """`st.download_button` (in `container`, the page by default) whose click is audited. The
    format is the file name's extension.

    `data` made on the click (a callable) is audited as it is made, and the click starts no
    script run: Streamlit revokes a deferred file when its button is drawn again, so the run a
    click started could revoke the file before the download asked for it (on a busy machine,
    the click then downloaded nothing)."""
    place = container if container is not None else st
    audit: dict[str, Any] = {
        "what": what,
        "filters": filters,
        "rows": rows,
        "format": file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "",
    }
    if callable(data):
        made = audited_on_delivery(data, actor=current_actor(), **audit)
        return bool(
            place.download_button(label, made, file_name=file_name, mime=mime, key=key, on_click="ignore", **button)
        )
    return bool(
        place.download_button(
            label, data, file_name=file_name, mime=mime, key=key, on_click=record_download, kwargs=audit, **button
        )
    )
