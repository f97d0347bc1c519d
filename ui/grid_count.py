"""The grid's count line and per-currency totals (issue 19). A search or a payment-date range that
matches many orders is counted up to a cap only (queries.grid_count): the grid then says "More
than 1,000 orders", and a button counts them exactly, with their totals, for these filters."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _, format_number, ngettext
from queries.grid import GridFilters, grid_count_and_totals
from queries.grid_count import GridCount, grid_count
from ui.data import cached_query
from ui.format import counted as counted_text
from ui.format import money

EXACT_KEY = "orders.exact_count_for"  # the filters (repr) whose exact count the user asked for


def grid_count_for(filters: GridFilters) -> GridCount:
    """The count the grid shows for `filters`: exact when cheap or asked for, else capped."""
    count = cached_query(grid_count, filters)
    if not count.exact and st.session_state.get(EXACT_KEY) == repr(filters):
        exact, totals = cached_query(grid_count_and_totals, filters)
        return GridCount(exact, True, totals, count.cap)
    return count


def _ask_exact(signature: str) -> None:
    st.session_state[EXACT_KEY] = signature


def render_count(count: GridCount, filters: GridFilters) -> None:
    """The number of orders and one card per currency; or "More than N orders" and the button
    that counts exactly (the totals come with the exact count)."""
    if not count.exact:
        st.markdown(_("More than **{count}** orders").format(count=format_number(count.cap)))
        st.button(
            _("Count exactly, with the totals per currency"),
            key="orders.exact_count",
            on_click=_ask_exact,
            args=(repr(filters),),
            icon=":material/functions:",
            help=_("Counts every matching order; on a large search this can take a few seconds."),
        )
        return
    st.markdown(
        ngettext("**{count}** order", "**{count}** orders", count.orders).format(count=format_number(count.orders))
    )
    if count.totals is None or count.totals.empty:
        return
    columns = st.columns(min(len(count.totals), 4))
    for index, total in enumerate(count.totals.itertuples()):
        # One element per card (three lines), not three: each element is work for every rerun.
        columns[index % len(columns)].container(border=True).markdown(
            "  \n".join(
                (
                    f"**{total.currency}** · "
                    + ngettext("{count} order", "{count} orders", total.orders).format(
                        count=format_number(total.orders)
                    ),
                    _("Total excl. tax: {amount}").format(amount=money(total.total_ht, total.currency)),
                    _("Total incl. tax: {amount}").format(amount=money(total.total_ttc, total.currency)),
                )
            )
        )


def page_label(page: int, pages: int, count: GridCount) -> str:
    """ "Page 2 of 7", or "Page 2 of 21 or more" while the count is capped."""
    if count.exact:
        return _("Page {page} of {pages}").format(page=format_number(page), pages=format_number(pages))
    return _("Page {page} of {pages} or more").format(page=format_number(page), pages=format_number(pages))


def export_labels(count: GridCount) -> tuple[str, str]:
    """The export expander's title and its download button's label."""
    if not count.exact:
        more = format_number(count.cap)
        return (
            _("Export the filtered orders (more than {count})").format(count=more),
            _("Download the filtered orders (more than {count})").format(count=more),
        )
    return (
        counted_text("Export the {count} filtered order", "Export the {count} filtered orders", count.orders),
        ngettext("Download {rows} order", "Download {rows} orders", count.orders).format(
            rows=format_number(count.orders)
        ),
    )
