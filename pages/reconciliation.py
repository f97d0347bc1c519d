"""Bank reconciliation: import a statement, confirm the suggested matches, report per currency."""

from decimal import Decimal, InvalidOperation

import streamlit as st

from orders_core.i18n import _, format_date, format_money, format_number, ngettext
from orders_core.reconciliation.parsing import DATE_FORMATS, FIELDS, CsvOptions, detect_columns, detect_separator
from orders_core.reconciliation.service import (
    confirm_high_confidence,
    confirm_match,
    find_order_by_number,
    ignore_transaction,
    import_statement,
)
from orders_core.reconciliation.states import (
    STATUS_LABELS,
    VIEWS,
    TransactionStatus,
    is_ignored,
    is_open,
    is_partial,
    may_ignore,
)
from queries.dashboards.export import to_csv
from queries.reconciliation import (
    high_confidence_plan,
    statement_report,
    statements,
    transaction_counts,
    transactions_with_suggestions,
)
from ui.data import cached_query
from ui.guard import require_router
from ui.params import parse_number
from ui.session import can, current_actor
from ui.text import md
from ui.transactions import run_service

require_router()

PAGE_SIZE = 25
FIELD_LABELS = {
    "date": _("Date"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "payer": _("Payer"),
    "reference": _("Reference"),
    "bank_id": _("Bank transaction id"),
}


st.title(_("Bank reconciliation"))
st.caption(
    _(
        "Import a bank statement, check the suggested matches with open invoice orders, confirm. "
        "Confirmed transfers are recorded as bank-transfer payments; fully paid orders are validated."
    )
)

with st.expander(_("Import a statement"), expanded=cached_query(statements).empty):
    upload = st.file_uploader(
        _("Bank statement (CSV or CAMT.053 XML)"), type=["csv", "txt", "xml"], key="reconciliation.file"
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
        with st.spinner(_("Reading the statement...")):
            outcome = run_service(
                lambda session: import_statement(
                    session,
                    actor=current_actor(),
                    filename=upload.name,
                    content=upload.getvalue(),
                    file_format=file_format,
                    csv_options=options,
                ),
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
labels = {row.id: f"#{row.id} · {row.filename} · {format_date(row.imported_at)}" for row in all_statements.itertuples()}
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
    columns[1].metric(_("Matched"), format_money(row.matched, row.currency), help=str(row.matched_count))
    columns[2].metric(
        _("Partially matched"), format_money(row.partially_matched, row.currency), help=str(row.partial_count)
    )
    columns[3].metric(_("Unmatched"), format_money(row.unmatched, row.currency), help=str(row.unmatched_count))
    columns[4].metric(_("Ignored"), format_money(row.ignored, row.currency), help=str(row.ignored_count))
if not report.empty and can("orders.export"):
    st.download_button(
        _("Export the report (CSV)"),
        to_csv(report, separator=";"),
        file_name=f"reconciliation-{statement_id}.csv",
        mime="text/csv",
        key="reconciliation.export",
    )

st.subheader(_("Confirm every high-confidence match"))
plan = cached_query(high_confidence_plan, statement_id)
if plan.transfers == 0:
    st.caption(_("No high-confidence match waiting."))
else:
    amounts = ", ".join(format_money(amount, currency) for currency, amount in sorted(plan.amounts.items()))
    st.info(
        _(
            "{transfers} would pay {orders}: {amounts}. Orders fully paid are validated "
            "(attendees created, confirmation emailed)."
        ).format(
            transfers=ngettext("{n} transfer", "{n} transfers", plan.transfers).format(n=format_number(plan.transfers)),
            orders=ngettext("{n} order", "{n} orders", plan.orders).format(n=format_number(plan.orders)),
            amounts=amounts,
        )
    )
    if st.button(
        ngettext("Confirm {n} match", "Confirm {n} matches", plan.transfers).format(n=format_number(plan.transfers)),
        type="primary",
        key="reconciliation.confirm_all",
    ):
        with st.spinner(_("Recording payments...")):
            run_service(
                lambda s: confirm_high_confidence(s, actor=current_actor(), statement_id=statement_id),
                success=_("Matches confirmed"),
                toast=True,
            )

counts = cached_query(transaction_counts, statement_id)
status_filter = (
    st.segmented_control(
        _("Show"),
        ["open", "matched", "ignored"],
        default="open",
        key="reconciliation.show",
        format_func=lambda v: {
            "open": _("To reconcile ({n})").format(n=counts.get("unmatched", 0) + counts.get("partial", 0)),
            "matched": _("Matched ({n})").format(n=counts.get("matched", 0)),
            "ignored": _("Ignored ({n})").format(n=counts.get("ignored", 0)),
        }[v],
    )
    or "open"
)
statuses = tuple(s.value for s in VIEWS[status_filter])
total = sum(counts.get(s, 0) for s in statuses)
page = (
    st.number_input(
        _("Page"), min_value=1, max_value=max(1, -(-total // PAGE_SIZE)), value=1, key="reconciliation.page"
    )
    if total > PAGE_SIZE
    else 1
)
rows = cached_query(transactions_with_suggestions, statement_id, statuses, PAGE_SIZE, (page - 1) * PAGE_SIZE)
if not rows:
    st.info(_("Nothing here."))

for row in rows:
    left = row["amount"] - row["allocated"]
    title = (
        f"{format_date(row['booked_on'])} · {format_money(row['amount'], row['currency'])} · {md(row['payer']) or '—'}"
    )
    with st.container(border=True):
        st.markdown(f"**{title}** · {_(STATUS_LABELS[TransactionStatus(row['status'])])}")
        st.caption(_("Reference: {reference}").format(reference=md(row["reference"].replace("\n", " ")) or "—"))
        for number, amount in row["allocations"]:
            st.markdown(
                _("Paid {amount} on order [{number}](/order?order={number})").format(
                    amount=format_money(amount, row["currency"]), number=number
                )
            )
        if is_ignored(row["status"]):
            st.caption(_("Ignored: {comment}").format(comment=md(row["comment"])))
        if not is_open(row["status"]):
            continue
        if is_partial(row["status"]):
            st.caption(_("Left to allocate: {amount}").format(amount=format_money(left, row["currency"])))
        if not row["suggestions"]:
            st.caption(_("No suggestion: assign it by hand or ignore it."))
        for index, suggestion in enumerate(row["suggestions"]):
            numbers = ", ".join(f"[{n}](/order?order={n})" for n in suggestion["order_numbers"])
            reasons = "; ".join(
                _(message).format(**{name: md(value) for name, value in args.items()})
                for message, args in suggestion["reasons"]
            )
            allocation = " + ".join(format_money(a, row["currency"]) for a in suggestion["allocations"])
            cols = st.columns([5, 1])
            cols[0].markdown(
                _("{numbers} · score {score} · {allocation}  \n{reasons}").format(
                    numbers=numbers, score=suggestion["score"], allocation=allocation, reasons=reasons
                )
            )
            if cols[1].button(_("Confirm"), key=f"reconciliation.confirm.{row['id']}.{index}"):
                pairs = list(zip(suggestion["order_ids"], suggestion["allocations"], strict=True))
                run_service(
                    lambda s, row=row, pairs=pairs: confirm_match(
                        s, actor=current_actor(), transaction_id=row["id"], allocations=pairs
                    ),
                    success=_("Payment recorded"),
                    toast=True,
                )
        with st.expander(_("Assign by hand or ignore")):
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
                        order = find_order_by_number(session, number)
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
    ngettext("{n} transaction in this view", "{n} transactions in this view", total).format(n=format_number(total))
)
