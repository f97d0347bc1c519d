"""The finance dashboard's receivables by due date (issue 15): open invoices aged by days past
their due date, the buyers who owe most, and the cash expected per week, per currency."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _, format_date, format_money, format_number, ngettext
from queries.dashboards import DashboardFilters
from queries.dashboards import due as due_queries
from ui.charts import drawn, grouped_bars
from ui.dashboard_widgets import chart, chart_frame, empty_state, formatted
from ui.data import cached_query
from ui.figures import Figure, figures_row


def bucket_labels() -> dict[str, str]:
    return {
        due_queries.NOT_DUE: _("Not due yet"),
        "1-30": _("1–30 days overdue"),
        "31-60": _("31–60 days overdue"),
        "61-90": _("61–90 days overdue"),
        ">90": _("> 90 days overdue"),
        due_queries.NO_DUE_DATE: _("No due date"),
    }


def period_label(period: str, week_start) -> str:
    if period == due_queries.OVERDUE:
        return _("Overdue")
    if period == due_queries.LATER:
        return _("Later")
    return _("Week of {date}").format(date=format_date(week_start))


def render_due_receivables(filters: DashboardFilters) -> None:
    """Draw the three parts; each says so when there is nothing to show."""
    st.subheader(_("By due date"))
    st.caption(
        _(
            "Open invoice orders (unpaid or partially paid, not cancelled), by days past their due date on "
            "{today} (UTC); amounts are what is still due, per currency, never added across currencies."
        ).format(today=format_date(filters.today))
    )
    ages = cached_query(due_queries.receivables_by_due_date, filters)
    if ages.empty:
        empty_state(_("No invoice order is waiting for payment."))
        return
    labels = bucket_labels()
    overdue = ages[~ages["bucket"].isin([due_queries.NOT_DUE, due_queries.NO_DUE_DATE])]
    figures = []
    for currency in sorted(ages["currency"].unique()):  # each currency with open invoices, overdue or not
        of_currency = overdue[overdue["currency"] == currency]
        figures.append(
            Figure(
                _("Overdue in {currency}").format(currency=currency),
                format_money(sum(of_currency["amount_due"]), currency),
                help=ngettext(
                    "{orders} invoice overdue", "{orders} invoices overdue", int(of_currency["orders"].sum())
                ).format(orders=format_number(of_currency["orders"].sum())),
            )
        )
    figures_row(figures)
    shown = ages.assign(bucket=ages["bucket"].map(labels))
    figure = drawn(
        grouped_bars,
        chart_frame(shown, ("amount_due",)),
        category="bucket",
        group="currency",
        value="amount_due",
        order=[labels[key] for key in due_queries.BUCKET_ORDER],
        y_title=_("Amount due"),
    )
    columns = {"bucket": _("Due date"), "currency": _("Currency"), "orders": _("Orders"), "amount_due": _("Amount due")}
    chart(figure, ages, formatted(shown, ("amount_due",)), "receivables_by_due_date", column_config=columns)

    st.subheader(_("Buyers who owe the most"))
    debtors = cached_query(due_queries.top_debtors, filters)
    st.caption(_("The ten buyers per currency whose open invoices owe the most; the link opens their orders."))
    st.dataframe(
        formatted(debtors, ("amount_due",)).assign(oldest_due=[format_date(v) for v in debtors["oldest_due"]])[
            ["currency", "buyer", "company", "email", "orders", "amount_due", "oldest_due", "link"]
        ],
        hide_index=True,
        width="stretch",
        key="dashboard_finance.debtors",
        column_config={
            "currency": _("Currency"),
            "buyer": _("Buyer"),
            "company": _("Company"),
            "email": _("Email"),
            "orders": _("Orders"),
            "amount_due": _("Amount due"),
            "oldest_due": _("Oldest due date (event's time zone)"),
            "link": st.column_config.LinkColumn(_("Orders"), display_text=_("Open")),
        },
    )

    st.subheader(_("Expected cash per week"))
    st.caption(
        _(
            "What open invoices are due to pay, by the week of their due date (weeks from Monday); what is "
            "already overdue is one bar of its own, not spread into the future. Invoices without a due date "
            "are not counted."
        )
    )
    cash = cached_query(due_queries.expected_cash, filters)
    if cash.empty:
        empty_state(_("No open invoice has a due date."))
        return
    cash_shown = cash.assign(
        period=[period_label(p, w) for p, w in zip(cash["period"], cash["week_start"], strict=True)]
    ).drop(columns=["week_start"])
    figure = drawn(
        grouped_bars,
        chart_frame(cash_shown, ("amount_due",)),
        category="period",
        group="currency",
        value="amount_due",
        order=list(dict.fromkeys(cash_shown["period"])),
        y_title=_("Amount due"),
    )
    chart(
        figure,
        cash.drop(columns=["week_start"]),
        formatted(cash_shown, ("amount_due",)),
        "expected_cash",
        column_config={
            "period": _("Week of the due date (event's time zone)"),
            "currency": _("Currency"),
            "orders": _("Orders"),
            "amount_due": _("Amount due"),
        },
    )
