"""The orders grid: filters (kept in the URL), one server-side page, the count and per-currency
totals of the whole filtered set, multi-row selection for bulk actions, exports."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_number, get_locale, ngettext
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.status import (
    PAYMENT_MODE_LABELS,
    SOURCE_LABELS,
    STATUS_GROUP_LABELS,
    STATUS_LABELS,
    PaymentMode,
    Source,
    Status,
)
from queries.grid import DEFAULT_PAGE_SIZE, GridFilters, cursor_after, filter_choices, grid_page
from queries.grid_count import GridCount
from ui.data import cached_query
from ui.export_format import export_kind_choice
from ui.fragments import page_fragment
from ui.grid_count import export_labels, grid_count_for, page_label, render_count
from ui.grid_display import clicked_order, column_config, display_frame, link
from ui.grid_state import GridView, view_from_params, view_to_params, with_filters
from ui.guard import require_router
from ui.order_actions import render_bulk_actions
from ui.session import can, current_actor
from ui.timezone import user_timezone
from web.exports import export_url

require_router()

DETAIL_PAGE = "pages/order_detail.py"
SELECTED_KEY = "orders.selected_ids"
CURSORS_KEY = "orders.cursors"
SORT_LABELS = {
    "created_desc": _("Newest first"),
    "created_asc": _("Oldest first"),
    "number_desc": _("Order number, descending"),
    "number_asc": _("Order number, ascending"),
    "total_desc": _("Total, highest first"),
    "total_asc": _("Total, lowest first"),
}

st.title(_("Orders"))


def filter_bar(f: GridFilters, timezone: str) -> GridFilters:
    """The search, the quick filters and the "Filters" expander, started from the URL's values."""
    sees_people = current_actor().sees_personal_data
    search = st.text_input(
        _("Search"),
        value=f.search,
        key="orders.search",
        placeholder=_("Order number (7 digits), buyer name, email, company or holder name")
        if sees_people
        else _("Order number (7 digits) or discount code"),
        # Issue 17: a marketer's search never matches people (a match would say who bought).
        help=None
        if sees_people
        else _("Your role sees no personal data: search by order number or discount code only."),
    )
    group = st.segmented_control(
        _("Quick filter"),
        options=list(STATUS_GROUP_LABELS),
        default=f.group,
        format_func=lambda g: _(STATUS_GROUP_LABELS[g]),
        key="orders.group",
    )
    overdue_column, follow_up_column = st.columns(2)
    overdue = overdue_column.toggle(
        _("Overdue"),
        value=f.overdue,
        key="orders.overdue",
        help=_("Past their due date in their event's time zone, unpaid or partially paid, not cancelled."),
    )
    follow_up_due = follow_up_column.toggle(
        _("Follow-up due"),
        value=f.follow_up_due,
        key="orders.follow_up_due",
        help=_("Orders whose follow-up date is today or earlier ({timezone})").format(timezone=timezone),
    )
    advanced = advanced_filters(f, timezone)
    return replace(
        advanced,
        group=group,
        overdue=overdue,
        search=search.strip(),
        timezone=timezone,
        follow_up_due=follow_up_due,
    )


def has_advanced_filters(f: GridFilters) -> bool:
    """Whether the address sets any filter of the "Filters" expander (it then opens drawn)."""
    return bool(
        f.statuses
        or f.payment_modes
        or f.payment_states
        or f.event_ids
        or f.source
        or f.discount_code
        or f.created_from
        or f.created_to
        or f.paid_from
        or f.paid_to
        or f.include_deleted
    )


def advanced_filters(f: GridFilters, timezone: str) -> GridFilters:
    """The "Filters" expander. Its widgets are drawn only while it is open or sets a filter: a
    quick-filter change would otherwise send and redraw all of them, hidden, every time (issue
    19: a tenth of the browser's work per filter change). Closed and unset, the address's values
    (none) stand."""
    active = has_advanced_filters(f)
    expander = st.expander(_("Filters"), expanded=active, key="orders.filters_open", on_change="rerun")
    if not (expander.open or active):
        return f
    choices = cached_query(filter_choices)  # the events and codes offered: read only when drawn
    event_names = dict(choices["events"])
    with expander:
        left, middle, right = st.columns(3)
        statuses = left.multiselect(
            _("Statuses"),
            [s.value for s in Status],
            default=list(f.statuses),
            format_func=lambda s: _(STATUS_LABELS[Status(s)]),
            key="orders.statuses",
        )
        modes = middle.multiselect(
            _("Payment modes"),
            [m.value for m in PaymentMode],
            default=list(f.payment_modes),
            format_func=lambda m: _(PAYMENT_MODE_LABELS[PaymentMode(m)]),
            key="orders.modes",
        )
        events = right.multiselect(
            _("Events"),
            list(event_names),
            default=[e for e in f.event_ids if e in event_names],
            format_func=lambda e: event_names.get(e, str(e)),
            key="orders.events",
        )
        source_options = ["", *[s.value for s in Source]]
        source = left.selectbox(
            _("Source"),
            source_options,
            index=source_options.index(f.source or ""),
            format_func=lambda s: _(SOURCE_LABELS[Source(s)]) if s else _("Any"),
            key="orders.source",
        )
        code_options = ["", *choices["codes"]]
        if f.discount_code and f.discount_code not in code_options:
            code_options.append(f.discount_code)
        code = middle.selectbox(
            _("Discount code"),
            code_options,
            index=code_options.index(f.discount_code or ""),
            format_func=lambda c: c or _("Any"),
            key="orders.code",
        )
        payment_states = right.multiselect(
            _("Payment states"),
            [s.value for s in PaymentState],
            default=list(f.payment_states),
            format_func=lambda s: _(PAYMENT_STATE_LABELS[PaymentState(s)]),
            key="orders.payment_states",
        )
        include_deleted = right.checkbox(_("Show deleted orders"), value=f.include_deleted, key="orders.deleted")
        date_kind = left.radio(
            _("Date range on"),
            ["created_at", "paid_at"],
            horizontal=True,
            index=1 if (f.paid_from or f.paid_to) else 0,
            format_func=lambda k: _("Creation date") if k == "created_at" else _("Payment date"),
            key="orders.date_kind",
        )
        first = f.paid_from if date_kind == "paid_at" else f.created_from
        last = f.paid_to if date_kind == "paid_at" else f.created_to
        date_from = middle.date_input(_("From"), value=first, key="orders.from", format="YYYY-MM-DD")
        date_to = right.date_input(_("To (included)"), value=last, key="orders.to", format="YYYY-MM-DD")
        st.caption(_("Dates are days in the {timezone} timezone.").format(timezone=timezone))
    return replace(
        f,
        statuses=tuple(statuses),
        payment_modes=tuple(modes),
        payment_states=tuple(payment_states),
        event_ids=tuple(events),
        source=source or None,
        discount_code=code or None,
        created_from=date_from if date_kind == "created_at" else None,
        created_to=date_to if date_kind == "created_at" else None,
        paid_from=date_from if date_kind == "paid_at" else None,
        paid_to=date_to if date_kind == "paid_at" else None,
        include_deleted=include_deleted,
    )


def sorted_view(view: GridView, filters: GridFilters) -> GridView:
    """The sort and the UTM switch under the filters; a new filter or sort starts at page 1."""
    sort_column, utm_column = st.columns([3, 1])
    sort = sort_column.selectbox(
        _("Sort"),
        list(SORT_LABELS),
        index=list(SORT_LABELS).index(view.sort),
        format_func=SORT_LABELS.get,
        key="orders.sort",
    )
    show_utm = utm_column.toggle(_("Show UTM columns"), value=view.show_utm, key="orders.utm")
    view = with_filters(view, filters)
    if sort != view.sort:
        view = replace(view, sort=sort, page=1)
    return replace(view, show_utm=show_utm)


def page_of_rows(view: GridView, count: int) -> tuple[pd.DataFrame, int, int]:
    """(rows, page number, pages) of the view: the page is read after the previous page's last
    row (keyset) when it was seen in this session, by offset otherwise."""
    filters = view.filters
    pages = max(1, -(-count // DEFAULT_PAGE_SIZE))
    page_no = min(view.page, pages)
    signature = repr((filters, view.sort))
    cursors = st.session_state.get(CURSORS_KEY)
    if not cursors or cursors.get("signature") != signature:
        cursors = {"signature": signature, "after": {}}
    after = cursors["after"].get(page_no)
    rows = cached_query(
        grid_page,
        filters,
        view.sort,
        after=tuple(after) if after else None,
        offset=0 if after else (page_no - 1) * DEFAULT_PAGE_SIZE,
        page_size=DEFAULT_PAGE_SIZE,
    )
    next_cursor = cursor_after(rows, view.sort)
    if next_cursor:
        cursors["after"][page_no + 1] = list(next_cursor)
    st.session_state[CURSORS_KEY] = cursors
    return rows, page_no, pages


def order_number_notice(filters: GridFilters, count: int) -> None:
    """A number finds its order whatever else is chosen (deleted too): say so, the filters above
    still show their values."""
    number = filters.order_number()
    if number is None:
        return
    st.info(
        _(
            "Searching for order number {number}: the other filters (dates, statuses, events…) are not applied, and a deleted order is shown too."
        ).format(number=number),
        icon=":material/info:",
    )
    if count:
        link(
            DETAIL_PAGE,
            _("Open order {number}").format(number=number),
            {"order": str(number)},
            icon=":material/open_in_new:",
        )


def grid(view: GridView, timezone: str) -> GridCount:
    """The page of rows with its selection, the count and totals, the pager, the bulk actions;
    returns the count of the filtered orders (exact, or capped for a costly search)."""
    counted = grid_count_for(view.filters)
    count = counted.orders
    order_number_notice(view.filters, count)
    if count == 0:
        st.info(_("No order matches these filters."))
        st.session_state[SELECTED_KEY] = []
        return counted
    rows, page_no, pages = page_of_rows(view, count)

    frame = display_frame(rows, timezone, view.show_utm)
    selection = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config=column_config(timezone),
        on_select="rerun",
        selection_mode=["multi-row", "single-cell"],
        key="orders.table",
    )
    opened = clicked_order(selection.selection.cells, rows) if selection else None
    if opened is not None:  # a click on a number or a buyer's name: that order, in this tab
        st.switch_page(DETAIL_PAGE, query_params={"order": str(opened)})
    positions = selection.selection.rows if selection else []
    # Positions mean nothing once the page changes: turn them into order ids at once.
    st.session_state[SELECTED_KEY] = [int(rows.iloc[p]["id"]) for p in positions if p < len(rows)]

    render_count(counted, view.filters)

    previous_col, label_col, next_col = st.columns([1, 2, 1])

    def _go(page: int) -> None:
        st.query_params["page"] = str(page)

    previous_col.button(_("Previous"), disabled=page_no <= 1, on_click=_go, args=(page_no - 1,), key="orders.previous")
    label_col.markdown(page_label(page_no, pages, counted))
    next_col.button(_("Next"), disabled=page_no >= pages, on_click=_go, args=(page_no + 1,), key="orders.next")

    selected = st.session_state[SELECTED_KEY]
    if selected:
        st.caption(
            ngettext("{count} order selected", "{count} orders selected", len(selected)).format(
                count=format_number(len(selected))
            )
        )
        numbers = dict(zip(rows["id"].astype(int), rows["number"].astype(int)))
        for order_id in selected[:5]:
            link(
                DETAIL_PAGE,
                _("Open order {number}").format(number=numbers[order_id]),
                {"order": str(numbers[order_id])},
                icon=":material/open_in_new:",
            )
    else:
        st.caption(_("Click an order number or a buyer's name to open the order; select rows to act on several."))
    render_bulk_actions(selected, refund_excess=True)
    return counted


def exports(counted: GridCount, params: dict[str, str], timezone: str) -> None:
    """Only roles with `orders.export` see this; the route checks the session and the role again
    and streams the file from the query layer (web/exports.py): no file is prepared here."""
    if not can("orders.export"):
        return
    export_title, download_label = export_labels(counted)
    with st.expander(export_title):
        kind = export_kind_choice("orders.export_kind")
        st.link_button(
            download_label,
            export_url(kind, params, timezone=timezone, language=get_locale()),
            icon=":material/download:",
            disabled=counted.orders == 0,
        )


@page_fragment
def orders_view() -> None:
    """Filters, rows and exports: a filter change, a page turn or a selection reruns only this
    (issue 19), and the URL follows the filters."""
    timezone = user_timezone()
    view = view_from_params(st.query_params.to_dict(), timezone)
    view = sorted_view(view, filter_bar(view.filters, timezone))
    params = view_to_params(view)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    counted = grid(view, timezone)
    exports(counted, params, timezone)


orders_view()
