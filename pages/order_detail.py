"""One order, reached from the grid or by URL (`?order=1234567`); or one attendee record
(`?attendee=42`), with the order it came from."""

import pandas as pd
import streamlit as st

from orders_core.custom_fields import display_value
from orders_core.erasure import redact_history
from orders_core.history_text import describe
from orders_core.i18n import _, get_locale
from orders_core.scope import MASK
from orders_core.status import TARIFF_KIND_LABELS, TariffKind
from queries.order_detail import UTM_FIELDS, attendee_record, order_detail
from queries.order_lookup import lookup_order
from ui.data import cached_query, engine
from ui.due_date import render_due_date
from ui.format import delivery_mode_label, money, payment_mode_label, rate, source_label, status_badge, status_label
from ui.grid_display import amount, link
from ui.guard import require_router
from ui.order_actions import render_order_actions
from ui.order_edit_actions import render_modify_and_add_tickets
from ui.order_emails import render_order_emails
from ui.order_follow_up import render_follow_up
from ui.order_invoices import render_order_invoices
from ui.order_ledger import payment_state_badge, render_payments_tab
from ui.order_notes import render_order_notes
from ui.order_reminders import render_order_reminders
from ui.order_tickets import render_order_tickets
from ui.params import number_param
from ui.session import current_actor, order_actions
from ui.text import md
from ui.timezone import local_time, user_timezone

require_router()

GRID_PAGE = "pages/orders.py"
# Issue 17: a marketer never sees people, so a name or an email finds nothing (a match would say
# who bought).
SEARCH_WITHOUT_PEOPLE = _("Your role sees no personal data: search by order number or discount code only.")


def _attendee_view(attendee_id: int) -> None:
    record = cached_query(attendee_record, attendee_id)
    if record is None:
        st.error(_("No attendee record {id}.").format(id=attendee_id))
        return
    st.title(_("Attendee record"))
    st.subheader(md(f"{record['first_name']} {record['last_name']}".strip()) or _("(no name)"))
    st.markdown(_("**Event:** {event}").format(event=md(record["event_name"])))
    st.markdown(_("**Email:** {email}").format(email=md(record["email"]) or "—"))
    st.markdown(_("**Registered on:** {date}").format(date=local_time(record["registered_at"])))
    if record["line_name"]:
        st.markdown(_("**Ticket:** {name}").format(name=md(record["line_name"])))
    if record["order_number"] is None:
        st.info(_("This attendee was not registered through an order."))
    elif record["order_deleted"]:
        st.warning(
            _("Order {number} was deleted on {date}; the attendee record is kept.").format(
                number=record["order_number"], date=local_time(record["order_deleted_at"])
            )
        )
    else:
        link(
            "pages/order_detail.py",
            _("Order {number} ({status})").format(
                number=record["order_number"], status=status_label(record["order_status"])
            ),
            {"order": str(record["order_number"])},
            icon=":material/receipt_long:",
        )


def _order_view(number: int) -> None:
    detail = cached_query(order_detail, number)
    if detail is None:
        st.error(_("No order with number {number}.").format(number=number))
        return
    order = detail.order
    currency = order["currency"]
    st.title(_("Order {number}").format(number=order["number"]))
    if saved := st.session_state.pop("order_detail.flash", None):
        st.success(saved)
    st.markdown(
        f"{status_badge(order['status'])} {payment_state_badge(order['payment_state'])} · "
        f"{payment_mode_label(order['payment_mode'])} · {md(order['event_name'])}"
    )
    if order["deleted_at"] is not None:
        st.warning(_("This order was deleted on {date}.").format(date=local_time(order["deleted_at"])))
    metrics = st.columns(4)
    metrics[0].metric(_("Total excl. tax"), money(order["total_ht"], currency))
    metrics[1].metric(_("Total incl. tax"), money(order["total_ttc"], currency))
    metrics[2].metric(_("Amount paid"), money(order["amount_paid"], currency))
    actions = order_actions(number=order["number"])
    if actions is not None:  # the domain's balance rule: exact, whatever the database hands back
        if actions.refund_due > 0:
            metrics[3].metric(_("Refund due"), money(actions.refund_due, currency))
        else:
            metrics[3].metric(_("Balance due"), money(actions.balance_due, currency))
    render_due_date(order)
    render_order_actions(order["id"], number=order["number"])
    render_modify_and_add_tickets(order["number"])
    render_follow_up(order)
    render_order_reminders(order["id"], order["buyer_email"])

    tabs = st.tabs(
        [
            _("Detail"),
            _("Order items"),
            _("Lines"),
            _("UTM"),
            _("Payments"),
            _("Invoices"),
            _("History"),
            _("Notes"),
            _("Emails"),
            _("E-tickets"),
        ]
    )
    with tabs[0]:
        left, right = st.columns(2)
        left.markdown("#### " + _("Buyer"))
        left.markdown(
            f"{md(order['buyer_first_name'])} {md(order['buyer_last_name'])}  \n{md(order['buyer_email'])}  \n"
            f"{md(order['buyer_phone'])}"
        )
        left.markdown("#### " + _("Company and billing"))
        left.markdown(
            "  \n".join(
                v
                for v in (
                    md(order["company_name"]),
                    md(order["billing_address"]),
                    md(f"{order['billing_postcode']} {order['billing_city']}".strip()),
                    md(order["billing_country"]),
                    _("VAT number: {vat}").format(vat=md(order["vat_number"])) if order["vat_number"] else "",
                )
                if v
            )
            or "—"
        )
        rows = [
            (_("Payment mode"), payment_mode_label(order["payment_mode"])),
            (_("Status"), status_label(order["status"])),
            (_("Created on"), local_time(order["created_at"])),
            (_("Paid on"), local_time(order["paid_at"]) or "—"),
            (_("Currency"), md(currency)),
            (_("Terms accepted"), _("Yes") if order["terms_accepted"] else _("No")),
            (_("Source"), source_label(order["source"])),
            (_("Discount code"), md(order["discount_code"]) or "—"),
            (_("Language"), md(order["language"])),
        ]
        right.markdown("#### " + _("Order"))
        right.markdown("\n".join(f"- **{label}:** {value}" for label, value in rows))
        st.markdown("#### " + _("Custom fields"))
        if detail.custom_fields.empty:
            st.caption(_("No custom field value."))
        else:
            label_key = "label_fr" if get_locale() == "fr" else "label_en"
            values = detail.custom_fields
            st.dataframe(
                values.assign(
                    label=values[label_key],
                    holder=values["holder"].fillna(""),
                    value=[  # a choice by its label (issue 18: `gluten_free` was shown)
                        v if v == MASK else display_value(t, v, o)  # issue 17: masked for a marketer
                        for t, v, o in zip(values["field_type"], values["value"], values["options"], strict=True)
                    ],
                )[["label", "holder", "value"]],
                hide_index=True,
                width="stretch",
                column_config={"label": _("Field"), "holder": _("Holder"), "value": _("Value")},
            )
    with tabs[1]:
        if detail.items.empty:
            st.caption(_("No badge or ticket in this order."))
        for gone in detail.cancelled.itertuples():  # issue 20: tickets cancelled, attendees kept
            st.caption(
                _("Cancelled ticket: {holder}, on {date}.").format(
                    holder=md(f"{gone.first_name} {gone.last_name}".strip()), date=local_time(gone.cancelled_at)
                )
            )
        for item in detail.items.itertuples():
            with st.container(border=True):
                holder = md(f"{item.holder_first_name} {item.holder_last_name}".strip()) or _("(no name)")
                st.markdown(
                    f"**{holder}** · {md(item.line_name)} ({_(TARIFF_KIND_LABELS[TariffKind(item.kind)])})"
                    + (f"  \n{md(item.holder_email)}" if item.holder_email else "")
                )
                st.markdown(
                    " · ".join(
                        part
                        for part in (
                            _("Seat: {seat}").format(seat=md(item.seat))
                            if isinstance(item.seat, str) and item.seat
                            else "",
                            _("Delivery: {mode}").format(mode=delivery_mode_label(item.delivery_mode)),
                        )
                        if part
                    )
                )
                if item.attendee_id is None:
                    st.caption(_("Future attendee record: created when the order is paid."))
                else:
                    link(
                        "pages/order_detail.py",
                        _("Attendee record"),
                        {"attendee": str(int(item.attendee_id))},
                        icon=":material/badge:",
                    )
    with tabs[2]:
        lines = detail.lines
        st.dataframe(
            lines.assign(
                kind=[_(TARIFF_KIND_LABELS[TariffKind(k)]) for k in lines["kind"]],
                unit_price_ht=[amount(v) for v in lines["unit_price_ht"]],
                tax_rate=[rate(v) for v in lines["tax_rate"]],
                discount_amount=[amount(v) for v in lines["discount_amount"]],
                total_ht=[amount(v) for v in lines["total_ht"]],
                total_ttc=[amount(v) for v in lines["total_ttc"]],
            )[["name", "kind", "quantity", "unit_price_ht", "tax_rate", "discount_amount", "total_ht", "total_ttc"]],
            hide_index=True,
            width="stretch",
            column_config={
                "name": _("Tariff"),
                "kind": _("Kind"),
                "quantity": _("Quantity"),
                "unit_price_ht": _("Unit price excl. tax"),
                "tax_rate": _("Tax rate"),
                "discount_amount": _("Discount"),
                "total_ht": _("Total excl. tax"),
                "total_ttc": _("Total incl. tax"),
            },
        )
        st.caption(_("Amounts in {currency}.").format(currency=currency))
    with tabs[3]:
        st.markdown("\n".join(f"- **{key}:** {md(order[key]) or '—'}" for key in UTM_FIELDS))
    with tabs[4]:
        render_payments_tab(order, actions)
    with tabs[5]:
        render_order_invoices(order)
    with tabs[6]:
        if detail.history.empty:
            st.caption(_("No history yet."))
        # An erased buyer's old values read as the pseudonym (issue 17: orders_core/erasure.py).
        history = pd.DataFrame(redact_history(detail.history.to_dict("records")), columns=detail.history.columns)
        for entry in history.itertuples():  # sentences in the viewer's language (issue 18 item 6)
            headline, *rest = describe(
                entry.action,
                entry.details,
                actor=entry.actor_name,
                reason=entry.reason,
                currency=currency,
                event_zone=order["event_timezone"],
                viewer_zone=user_timezone(),
            )
            with st.container(border=True):
                st.markdown(f"**{md(headline)}**")
                st.caption(local_time(entry.at))
                if rest:
                    st.markdown("\n".join(f"- {md(sentence)}" for sentence in rest))
    with tabs[7]:
        render_order_notes(order)
    with tabs[8]:
        render_order_emails(order["id"], number=order["number"], buyer_email=order["buyer_email"])
    with tabs[9]:
        render_order_tickets(order["number"])


def _lookup_field() -> None:
    """On every view of the page: a number opens that order, a name or an email opens the one
    order it finds, or the grid's search when it finds several. The URL then names the order."""
    with st.form("order_detail.lookup", clear_on_submit=True, border=False):
        typed_column, button_column = st.columns([5, 1], vertical_alignment="bottom")
        typed = typed_column.text_input(
            _("Find an order"),
            key="order_detail.lookup_text",
            placeholder=_("Order number, buyer or holder name, email or company")
            if current_actor().sees_personal_data
            else _("Order number or discount code"),
            help=None if current_actor().sees_personal_data else SEARCH_WITHOUT_PEOPLE,
        )
        submitted = button_column.form_submit_button(_("Open"), key="order_detail.lookup_open")
    typed = (typed or "").strip()
    if not submitted or not typed:
        return
    # a one-off action: never a cached, stale answer; the signed-in user's events only
    found = lookup_order(engine(), typed, principal=current_actor())
    if found.number is not None:
        st.query_params.from_dict({"order": str(found.number)})
        st.rerun()
    if found.several:
        st.switch_page(GRID_PAGE, query_params={"q": typed})
    if found.asked_number is not None:
        st.warning(_("No order with number {number}.").format(number=found.asked_number))
    else:
        st.warning(_("No order matches “{text}”.").format(text=md(typed[:100])))


_lookup_field()
attendee = number_param("attendee", _("“{value}” in the address is not an attendee record number."))
number = number_param("order", _("“{value}” in the address is not an order number."))
if attendee is not None:
    _attendee_view(attendee)
elif number is not None:
    _order_view(number)
elif "order" not in st.query_params and "attendee" not in st.query_params:
    st.title(_("Order"))
    st.info(_("No order is open. Type an order number, or a buyer's name or email, above."))
    link(GRID_PAGE, _("Back to the orders"), {}, icon=":material/list:")
