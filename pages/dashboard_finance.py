"""Finance dashboard: receivables by due date (ageing, the buyers who owe most, expected cash per
week) and by age since creation with the oldest first and a link to each order,
payments and refunds per method and per day (net per currency), reconciliation figures,
accounting exports."""

import streamlit as st

from orders_core.i18n import _, format_money, format_number, ngettext
from orders_core.status import PAYMENT_METHOD_LABELS
from queries.dashboards import finance
from queries.dashboards.export import to_csv, to_xlsx
from queries.dashboards.refunds import net_received, refunds_by_method
from ui.charts import drawn, grouped_bars, period_label, stacked_over_time
from ui.dashboard_filters import dashboard_filters
from ui.dashboard_widgets import chart, chart_frame, empty_state, formatted
from ui.data import cached_query
from ui.exports import audited_download
from ui.figures import Figure, figures_row
from ui.finance_due import render_due_receivables
from ui.fragments import page_fragment
from ui.guard import require_router
from ui.saved_views import render_saved_views
from ui.session import can, current_actor
from ui.timezone import local_time, user_timezone

require_router()

PAGE = "dashboard_finance"
METHODS = {k.value: _(v) for k, v in PAYMENT_METHOD_LABELS.items()}

st.title(_("Finance dashboard"))
render_saved_views(PAGE)


@page_fragment
def dashboard() -> None:
    """The filters and everything they change: a filter change reruns only this (issue 19)."""
    filters = dashboard_filters(PAGE)

    st.header(_("Receivables"))
    render_due_receivables(filters)
    st.subheader(_("By age since the order was created"))
    st.caption(
        _(
            "What is owed today, whatever the date range: invoice orders awaiting payment and orders owing a "
            "balance (a paid order with added tickets, a part payment), by age since the order was created. "
            "Amounts due per currency, never added across currencies."
        )
    )
    ages = cached_query(finance.receivables_by_age, filters)
    if ages.empty:
        empty_state(_("No order is waiting for payment."))
    else:
        figures_row(
            Figure(
                _("Due in {currency}").format(currency=currency),
                format_money(sum(of_currency["amount_due"]), currency),
                help=ngettext(
                    "{orders} order awaiting payment",
                    "{orders} orders awaiting payment",
                    int(of_currency["orders"].sum()),
                ).format(orders=format_number(of_currency["orders"].sum())),
            )
            for currency, of_currency in ages.groupby("currency", sort=True)
        )
        figure = drawn(
            grouped_bars,
            chart_frame(ages, ("amount_due",)),
            category="bucket",
            group="currency",
            value="amount_due",
            order=tuple(b for b, _low, _high in finance.AGE_BUCKETS),
            y_title=_("Amount due"),
            layout={"xaxis_title_text": _("Age (days)")},
        )
        chart(
            figure,
            ages,
            formatted(ages, ("amount_due",)),
            "receivables_by_age",
            column_config={
                "bucket": _("Age (days)"),
                "currency": _("Currency"),
                "orders": _("Orders"),
                "amount_due": _("Amount due"),
            },
        )
        oldest = cached_query(finance.oldest_receivables, filters)
        st.subheader(_("Oldest first"))
        shown = formatted(oldest, ("total_ttc", "amount_due")).assign(
            created_at=[local_time(v) for v in oldest["created_at"]]
        )
        st.dataframe(
            shown[
                [
                    "link",
                    "event",
                    "buyer",
                    "company",
                    "currency",
                    "total_ttc",
                    "amount_due",
                    "created_at",
                    "age_days",
                    "bucket",
                ]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "link": st.column_config.LinkColumn(
                    _("Order"), display_text=r"order=(\d+)", help=_("Open the order to validate its payment")
                ),
                "event": _("Event"),
                "buyer": _("Buyer"),
                "company": _("Company"),
                "currency": _("Currency"),
                "total_ttc": _("Total incl. tax"),
                "amount_due": _("Amount due"),
                "created_at": _("Created ({zone})").format(zone=user_timezone()),
                "age_days": _("Age (days)"),
                "bucket": _("Age bucket"),
            },
        )

    st.header(_("Payments and refunds"))
    st.caption(
        _(
            "Payments by the day the money was received, refunds by the day it was given back; net is "
            "received minus refunded, per currency."
        )
    )
    MOVEMENT_MONEY = ("amount", "refunded", "net")
    MOVEMENT_LABELS = {
        "currency": _("Currency"),
        "payments": _("Payments"),
        "amount": _("Received"),
        "refunds": _("Refunds"),
        "refunded": _("Refunded"),
        "net": _("Net"),
    }
    by_method = cached_query(finance.payments_by_method, filters)
    if by_method.empty:
        empty_state(_("No payment was received and no refund made in this date range."))
    else:
        left, right = st.columns(2)
        labels = {"method": METHODS}
        with left:
            figure = drawn(
                grouped_bars,
                chart_frame(by_method, ("net",)).assign(method=lambda d: d["method"].map(METHODS)),
                category="method",
                group="currency",
                value="net",
                y_title=_("Net"),
            )
            chart(
                figure,
                by_method,
                formatted(by_method, MOVEMENT_MONEY, labels=labels),
                "payments_by_method",
                column_config={"method": _("Method"), **MOVEMENT_LABELS},
            )
        with right:
            by_day = cached_query(finance.payments_by_day, filters)
            method_order = [m.value for m in PAYMENT_METHOD_LABELS]
            for currency in sorted(by_day["currency"].unique()):
                of_currency = by_day[by_day["currency"] == currency]
                figure = drawn(
                    stacked_over_time,
                    chart_frame(of_currency, ("net",)),
                    series="method",
                    value="net",
                    granularity=filters.granularity,
                    order=tuple(method_order),
                    names=METHODS,
                    y_title=_("Net ({currency})").format(currency=currency),
                    title=currency,
                    layout={"barmode": "relative"},  # a refund-only day goes below zero
                )
                chart(
                    figure,
                    of_currency,
                    formatted(of_currency, MOVEMENT_MONEY, labels=labels).assign(
                        bucket=[period_label(b, filters.granularity) for b in of_currency["bucket"]]
                    ),
                    f"payments_by_day_{currency}",
                    column_config={"bucket": _("Period (UTC)"), "method": _("Method"), **MOVEMENT_LABELS},
                )

    st.subheader(_("Refunds and net received"))
    refunds = cached_query(refunds_by_method, filters)
    if refunds.empty:
        st.caption(_("No refund was made in this date range."))
    else:
        st.dataframe(
            refunds.assign(
                method=refunds["method"].map(METHODS),
                amount=[format_money(a, c) for a, c in zip(refunds["amount"], refunds["currency"], strict=True)],
            ),
            hide_index=True,
            column_config={
                "method": _("Method"),
                "currency": _("Currency"),
                "refunds": _("Refunds"),
                "amount": _("Amount"),
            },
        )
    net = net_received(by_method, refunds) if not by_method.empty or not refunds.empty else None
    if net is not None and not net.empty:
        st.dataframe(
            net.assign(
                **{
                    k: [format_money(v, c) for v, c in zip(net[k], net["currency"], strict=True)]
                    for k in ("received", "refunded", "net")
                }
            ),
            hide_index=True,
            column_config={
                "currency": _("Currency"),
                "received": _("Received"),
                "refunded": _("Amount refunded"),
                "net": _("Net received"),
            },
        )

    st.header(_("Reconciliation"))
    st.caption(
        _(
            "Orders created in the range and billed (paid or awaiting payment): billed incl. tax, paid on them "
            "net of refunds, balance still due (what awaiting orders and balances after added tickets still owe; "
            "money refunded is not due again); and the money that moved in the range: received, refunded, net."
        )
    )
    reconciliation = cached_query(finance.reconciliation, filters)
    if reconciliation.empty:
        empty_state(_("Nothing was billed or received in this date range."))
    else:
        money_columns = ("billed_ttc", "paid_on_billed", "balance_due", "received", "refunded", "net_received")
        st.dataframe(
            formatted(reconciliation, money_columns),
            hide_index=True,
            width="stretch",
            column_config={
                "currency": _("Currency"),
                "billed_orders": _("Billed orders"),
                "billed_ttc": _("Billed incl. tax"),
                "paid_on_billed": _("Paid on them"),
                "balance_due": _("Balance due"),
                "received": _("Received in range"),
                "refunded": _("Refunded in range"),
                "net_received": _("Net received"),
            },
        )

    # Only roles with `orders.export` see the accounting export; the query functions check it too.
    if can("orders.export"):
        st.header(_("Accounting export"))
        st.caption(
            _(
                "Payments received and refunds made (refunds as negative amounts, so a currency's amounts sum to "
                "its net), and billed orders with their tax per rate, for the filtered events and range."
            )
        )
        kind = st.radio(
            _("Export"),
            ["payments", "orders"],
            horizontal=True,
            key=f"{PAGE}.export",
            format_func=lambda k: _("Payments and refunds") if k == "payments" else _("Orders with tax per rate"),
        )
        if st.button(_("Prepare the export"), key=f"{PAGE}.prepare"):
            with st.spinner(_("Preparing the export…")):
                data = cached_query(
                    finance.payments_export if kind == "payments" else finance.orders_tax_export,
                    filters,
                    principal=current_actor(),
                )
            if data.empty:
                empty_state(_("Nothing to export for these filters."))
            else:
                name = f"{kind}_{filters.start.isoformat()}_{filters.end.isoformat()}"
                st.success(
                    ngettext("{rows} row ready.", "{rows} rows ready.", len(data)).format(rows=format_number(len(data)))
                )
                left, right = st.columns(2)
                audit = {"what": f"finance_{kind}", "rows": len(data), "filters": filters}
                audited_download(
                    _("Download CSV"),
                    to_csv(data),
                    file_name=f"{name}.csv",
                    mime="text/csv",
                    key=f"{PAGE}.csv",
                    container=left,
                    **audit,
                )
                audited_download(
                    _("Download XLSX"),
                    to_xlsx(data, kind),
                    file_name=f"{name}.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key=f"{PAGE}.xlsx",
                    container=right,
                    **audit,
                )


dashboard()
