"""Bank reconciliation: import a statement; every line shows its stored classification, its
reason and the order it points at (filtered, paged); confirm a line, settle a refund, confirm
every decided match after a dry run; re-classify; report per currency.

Issue 17: a finance user scoped to some events sees every statement, but only the lines that are
not other teams' (queries/reconciliation.py says which and why), and how many are."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import streamlit as st

from orders_core.i18n import _, format_date, format_money, format_number, ngettext
from orders_core.reconciliation.classes import (
    CLASS_LABELS,
    allocations,
    class_colour,
    class_label,
    describe,
    is_outgoing,
    may_pay_an_order,
    proposes_payment,
    proposes_refund,
)
from orders_core.reconciliation.decisions import (
    BulkPlan,
    confirm_decided,
    confirm_line,
    confirm_refund_line,
    reclassify_statement,
)
from orders_core.reconciliation.parsing import DATE_FORMATS, FIELDS, CsvOptions, detect_columns, detect_separator
from orders_core.reconciliation.service import (
    confirm_match,
    find_order_by_number,
    ignore_transaction,
    import_statement,
    max_statement_bytes,
)
from orders_core.reconciliation.states import STATUS_LABELS, TransactionStatus, is_open, is_partial, may_ignore
from queries.dashboards.export import to_csv
from queries.reconciliation import classification_counts, classified_lines, decided_plan, statement_report, statements
from ui.data import cached_query
from ui.exports import audited_download
from ui.format import counted
from ui.guard import require_router
from ui.params import parse_number
from ui.session import can, current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import run_service, show_notice
from ui.uploads import file_uploader

require_router()

PAGE_SIZE = 25
REPORT = "reconciliation.report"  # the bulk confirmation's report, shown after the rerun
FIELD_LABELS = {
    "date": _("Date"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "payer": _("Payer"),
    "reference": _("Reference"),
    "bank_id": _("Bank transaction id"),
}


def progress_to(bar, text: str) -> Callable[..., None]:
    """A progress callback drawing on `bar`: (done, total) counts, or a fraction."""

    def update(done: float, total: float | None = None, *_rest: object) -> None:
        fraction = done / total if total else float(done)
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return update


def amounts_text(amounts: dict[str, Decimal]) -> str:
    return ", ".join(format_money(amount, currency) for currency, amount in sorted(amounts.items()))


def bulk_report(done: BulkPlan) -> str:
    """What the bulk confirmation did, for the notice after the rerun."""
    text = _("{lines} confirmed, paying {orders}: {amounts}.").format(
        lines=ngettext("{n} line", "{n} lines", done.lines).format(n=format_number(done.lines)),
        orders=ngettext("{n} order", "{n} orders", done.orders).format(n=format_number(done.orders)),
        amounts=amounts_text(done.amounts) or "—",
    )
    for line, why in done.skipped:
        text += "  \n" + _("Line {line} skipped: {why}").format(line=line, why=md(why))
    return text


st.title(_("Bank reconciliation"))
st.caption(
    _(
        "Import a bank statement: every line is classified, with its reason and the order it points at. "
        "Confirmed transfers are recorded as bank-transfer payments; fully paid orders are validated; "
        "outgoing lines are matched to refunds."
    )
)

with st.expander(_("Import a statement"), expanded=cached_query(statements).empty):
    upload = file_uploader(
        _("Bank statement (CSV or CAMT.053 XML)"),
        types=["csv", "txt", "xml"],
        key="reconciliation.file",
        max_bytes=max_statement_bytes(),
    )
    separator_choice = st.selectbox(
        _("Separator"),
        ["auto", ";", ",", "tab", "|"],
        key="reconciliation.separator",
        format_func=lambda v: _("Detect") if v == "auto" else v,
    )
    decimal_choice = st.selectbox(
        _("Decimal separator"),
        ["auto", "comma", "point"],
        key="reconciliation.decimal",
        format_func=lambda v: {"auto": _("Detect"), "comma": _("Comma (1 234,50)"), "point": _("Point (1,234.50)")}[v],
    )
    date_choice = st.selectbox(
        _("Date format"),
        ["auto", *DATE_FORMATS],
        key="reconciliation.date_format",
        format_func=lambda v: _("Detect") if v == "auto" else v,
    )
    mapping: dict[str, str] = {}
    if upload is not None and not upload.name.lower().endswith(".xml"):
        header_line = upload.getvalue().decode("utf-8-sig", errors="replace").splitlines()[:1]
        separator = {"auto": None, "tab": "\t"}.get(separator_choice, separator_choice)
        headers = (
            [h.strip() for h in header_line[0].split(separator or detect_separator(header_line[0]))]
            if header_line
            else []
        )
        detected = detect_columns(headers)
        st.markdown(_("**Columns** (detected from the header; change them if needed)"))
        columns = st.columns(len(FIELDS))
        for column, field in zip(columns, FIELDS):
            options = ["", *headers]
            chosen = column.selectbox(
                FIELD_LABELS[field],
                options,
                key=f"reconciliation.map.{field}",
                index=options.index(detected[field]) if field in detected else 0,
            )
            if chosen:
                mapping[field] = chosen
    if st.button(_("Import"), type="primary", disabled=upload is None, key="reconciliation.import"):
        file_format = "camt053" if upload.name.lower().endswith(".xml") else "csv"
        options = CsvOptions(
            separator={"auto": None, "tab": "\t"}.get(separator_choice, separator_choice),
            decimal_comma={"auto": None, "comma": True, "point": False}[decimal_choice],
            date_format=None if date_choice == "auto" else date_choice,
            columns=mapping or None,
        )
        arguments = dict(
            actor=current_actor(),
            filename=upload.name,
            content=upload.getvalue(),
            file_format=file_format,
            csv_options=options,
            progress=progress_to(st.progress(0.0), _("Importing and classifying the lines...")),
        )
        with st.spinner(_("Reading the statement...")):
            outcome = run_service(
                lambda session: import_statement(session, **arguments),
                success=_("Statement imported"),
                toast=True,
                rerun=False,  # the import's report stays on screen
            )
        if outcome is not None:
            st.query_params["statement"] = str(outcome.statement_id)
            st.success(
                _("{new}, {duplicates}, {debits}.").format(
                    new=ngettext("{n} new transaction", "{n} new transactions", outcome.new).format(
                        n=format_number(outcome.new)
                    ),
                    duplicates=ngettext("{n} already imported", "{n} already imported", outcome.duplicates).format(
                        n=format_number(outcome.duplicates)
                    ),
                    debits=ngettext("{n} debit skipped", "{n} debits skipped", outcome.skipped_debits).format(
                        n=format_number(outcome.skipped_debits)
                    ),
                )
            )
            for error in outcome.errors:
                st.warning(md(error))

all_statements = cached_query(statements)
if all_statements.empty:
    st.info(_("No statement imported yet. Import a CSV export of your bank account or a CAMT.053 file."))
    st.stop()

ids = all_statements["id"].tolist()
selected = st.query_params.get("statement")
default = ids.index(parse_number(selected)) if parse_number(selected) in ids else 0
labels = {row.id: f"#{row.id} · {row.filename} · {local_time(row.imported_at)}" for row in all_statements.itertuples()}
statement_id = st.selectbox(_("Statement"), ids, index=default, format_func=labels.get, key="reconciliation.statement")
st.query_params["statement"] = str(statement_id)

report = cached_query(statement_report, statement_id)
st.subheader(_("Report"))
if report.empty:
    st.info(_("This statement holds no new incoming transaction (all were already imported or were debits)."))
for row in report.itertuples():
    columns = st.columns(5)
    columns[0].metric(
        _("Received ({currency})").format(currency=row.currency),
        format_money(row.received, row.currency),
        help=ngettext("{n} transaction", "{n} transactions", row.transactions).format(
            n=format_number(row.transactions)
        ),
    )
    columns[1].metric(
        _("Matched"),
        format_money(row.matched, row.currency),
        help=counted("{count} transaction", "{count} transactions", row.matched_count),
    )
    columns[2].metric(
        _("Partially matched"),
        format_money(row.partially_matched, row.currency),
        help=counted("{count} transaction", "{count} transactions", row.partial_count),
    )
    columns[3].metric(
        _("Unmatched"),
        format_money(row.unmatched, row.currency),
        help=counted("{count} transaction", "{count} transactions", row.unmatched_count),
    )
    columns[4].metric(
        _("Ignored"),
        format_money(row.ignored, row.currency),
        help=counted("{count} transaction", "{count} transactions", row.ignored_count),
    )
    if row.paid_out:
        st.metric(_("Paid out ({currency})").format(currency=row.currency), format_money(row.paid_out, row.currency))
if not report.empty and can("orders.export"):
    audited_download(
        _("Export the report (CSV)"),
        to_csv(report, separator=";"),
        file_name=f"reconciliation-{statement_id}.csv",
        mime="text/csv",
        key="reconciliation.export",
        what="reconciliation_report",
        rows=len(report),
        filters={"statement_id": statement_id},
    )

st.subheader(_("Lines"))
counts = cached_query(classification_counts, statement_id)
if counts.get("other_events"):
    st.info(
        ngettext(
            "{n} line of this statement belongs to another team's event: it is theirs to reconcile "
            "and is left out of this page (lines, counts, report and decided matches).",
            "{n} lines of this statement belong to other teams' events: they are theirs to reconcile "
            "and are left out of this page (lines, counts, report and decided matches).",
            counts["other_events"],
        ).format(n=format_number(counts["other_events"]))
    )
if counts.get("unclassified"):
    st.warning(
        ngettext(
            "{n} line is not classified yet: click “Re-classify”.",
            "{n} lines are not classified yet: click “Re-classify”.",
            counts["unclassified"],
        ).format(n=format_number(counts["unclassified"]))
    )
if st.button(
    _("Re-classify"),
    key="reconciliation.reclassify",
    help=_("Classify every line again, after orders changed (paid, cancelled, created)."),
):
    bar = st.progress(0.0, text=_("Classifying the lines..."))
    run_service(
        lambda s: reclassify_statement(
            s,
            actor=current_actor(),
            statement_id=statement_id,
            progress=progress_to(bar, _("Classifying the lines...")),
        ),
        success=_("Lines classified again"),
        toast=True,
    )

st.markdown(_("**Confirm every decided match**"))
plan = cached_query(decided_plan, statement_id)
if plan.lines == 0:
    st.caption(_("No decided match waiting (a decided match pays one open order exactly, with no other close one)."))
else:
    st.info(
        _(
            "Dry run: {lines} would pay {orders}: {amounts}. Orders fully paid are validated "
            "(attendees created, confirmation emailed)."
        ).format(
            lines=ngettext("{n} line", "{n} lines", plan.lines).format(n=format_number(plan.lines)),
            orders=ngettext("{n} order", "{n} orders", plan.orders).format(n=format_number(plan.orders)),
            amounts=amounts_text(plan.amounts),
        )
    )
    if st.button(
        ngettext("Confirm {n} decided match", "Confirm {n} decided matches", plan.lines).format(
            n=format_number(plan.lines)
        ),
        type="primary",
        key="reconciliation.confirm_all",
    ):
        with st.spinner(_("Recording payments...")):
            run_service(
                lambda s: confirm_decided(s, actor=current_actor(), statement_id=statement_id),
                success=bulk_report,
                notice=REPORT,
            )
show_notice(REPORT)

chosen = st.query_params.get("class")
# The classifications this statement has (and the one in the URL, even when none is left).
choices = ["all", *(c.value for c in CLASS_LABELS if counts.get(c.value) or c.value == chosen)]
class_filter = (
    st.segmented_control(
        _("Show"),
        choices,
        default=chosen if chosen in choices else "all",
        key="reconciliation.show",
        format_func=lambda v: "{label} ({n})".format(
            label=_("All lines") if v == "all" else class_label(v), n=format_number(counts.get(v, 0))
        ),
    )
    or "all"
)
st.query_params["class"] = class_filter
total = counts.get(class_filter, 0)
pages = max(1, -(-total // PAGE_SIZE))
page = (
    st.number_input(_("Page"), min_value=1, max_value=pages, value=1, key="reconciliation.page")
    if total > PAGE_SIZE
    else 1
)
rows = cached_query(
    classified_lines, statement_id, None if class_filter == "all" else class_filter, PAGE_SIZE, (page - 1) * PAGE_SIZE
)
if not rows:
    st.info(_("Nothing here."))

for row in rows:
    left = row["amount"] - row["allocated"]
    sign = "−" if is_outgoing(row["direction"]) else ""
    line_label = _("Line {line}").format(line=row["line_number"])
    title = (
        f"{line_label} · {_('{date} (bank date)').format(date=format_date(row['booked_on']))} · "
        f"{sign}{format_money(row['amount'], row['currency'])} · {md(row['payer']) or '—'}"
    )
    with st.container(border=True, key=f"reconciliation.line.{row['id']}"):
        badge = (
            f":{class_colour(row['classification'])}-badge[{class_label(row['classification'])}]"
            if row["classification"]
            else ":gray-badge[" + _("Not classified") + "]"
        )
        decided = " :green-badge[" + _("Decided") + "]" if row["decided"] and is_open(row["status"]) else ""
        st.markdown(f"**{title}** · {badge}{decided} · {_(STATUS_LABELS[TransactionStatus(row['status'])])}")
        st.markdown(describe(row["reason"], md))
        if row["order_number"]:
            st.markdown(
                _("Order: [{number}](/order?order={number})").format(number=row["order_number"])
                + (" · " + _("score {score}").format(score=row["score"]) if row["score"] is not None else "")
            )
        st.caption(_("Reference: {reference}").format(reference=md(row["reference"].replace("\n", " ")) or "—"))
        for number, amount in row["allocations"]:
            st.markdown(
                _("Paid {amount} on order [{number}](/order?order={number})").format(
                    amount=format_money(amount, row["currency"]), number=number
                )
            )
        if proposes_payment(row["classification"], row["status"]):
            pairs = allocations(row["reason"])
            if st.button(
                _("Confirm: pay {amount}").format(
                    amount=" + ".join(format_money(a, row["currency"]) for _o, a in pairs)
                ),
                key=f"reconciliation.confirm.{row['id']}",
            ):
                run_service(
                    lambda s, row=row: confirm_line(s, actor=current_actor(), transaction_id=row["id"]),
                    success=_("Payment recorded"),
                    toast=True,
                )
        if proposes_refund(row["classification"], row["status"], row["order_id"]) and can("orders.record_refund"):
            if st.button(
                _("Record this refund on order {number}").format(number=row["order_number"])
                if row["refund_id"] is None
                else _("Match to this refund"),
                key=f"reconciliation.refund.{row['id']}",
            ):
                run_service(
                    lambda s, row=row: confirm_refund_line(s, actor=current_actor(), transaction_id=row["id"]),
                    success=_("Refund matched"),
                    toast=True,
                )
        if not is_open(row["status"]) or is_outgoing(row["direction"]):
            continue
        if is_partial(row["status"]):
            st.caption(_("Left to allocate: {amount}").format(amount=format_money(left, row["currency"])))
        with st.expander(_("Assign by hand or ignore")):
            # A zero line may be ignored, never assigned to an order.
            if may_pay_an_order(row["direction"], row["amount"], row["allocated"]):
                cols = st.columns([2, 2, 1])
                number_text = cols[0].text_input(_("Order number"), key=f"reconciliation.number.{row['id']}")
                amount_text = cols[1].text_input(_("Amount"), value=str(left), key=f"reconciliation.amount.{row['id']}")
                if cols[2].button(_("Assign"), key=f"reconciliation.assign.{row['id']}"):
                    try:
                        number = int(number_text.strip())
                        amount = Decimal(amount_text.strip().replace(",", "."))
                    except (ValueError, InvalidOperation):
                        st.error(_("Give a 7-digit order number and an amount like 120.50."))
                    else:

                        def assign(session, number=number, amount=amount, transaction_id=row["id"]):
                            order = find_order_by_number(session, number, actor=current_actor())
                            confirm_match(
                                session,
                                actor=current_actor(),
                                transaction_id=transaction_id,
                                allocations=[(order.id, amount)],
                            )

                        run_service(assign, success=_("Payment recorded"), toast=True)
            comment = st.text_input(_("Why ignore it?"), key=f"reconciliation.comment.{row['id']}")
            if st.button(_("Ignore"), key=f"reconciliation.ignore.{row['id']}", disabled=not may_ignore(row["status"])):
                run_service(
                    lambda s, row=row, comment=comment: ignore_transaction(
                        s, actor=current_actor(), transaction_id=row["id"], comment=comment
                    ),
                    success=_("Transaction ignored"),
                    toast=True,
                )

st.caption(
    ngettext("{n} line in this view", "{n} lines in this view", total).format(n=format_number(total))
    + (" · " + _("page {page} of {pages}").format(page=page, pages=pages) if pages > 1 else "")
)
