"""One order, reached from the grid or by URL (`?order=1234567`); or one attendee record
(`?attendee=42`), with the order it came from."""

import streamlit as st

from orders_core.i18n import _, get_locale
from orders_core.status import TARIFF_KIND_LABELS, TariffKind
from queries.order_detail import UTM_FIELDS, attendee_record, history_changes, order_detail
from ui.data import cached_query
from ui.format import money, payment_mode_label, source_label, status_badge, status_label
from ui.grid_display import amount, link
from ui.guard import require_router
from ui.order_actions import render_order_actions
from ui.order_edit_actions import render_modify_and_add_tickets
from ui.order_emails import render_order_emails
from ui.order_ledger import payment_state_badge, render_payments_tab
from ui.params import number_param, parse_number
from ui.session import order_actions
from ui.text import md
from ui.timezone import local_time

require_router()


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
    if actions is not None:  # the domain's balance: exact, whatever the database hands back
        metrics[3].metric(_("Balance due"), money(actions.balance_due, currency))
    render_order_actions(order["id"])
    render_modify_and_add_tickets(order["number"])

    tabs = st.tabs(
        [_("Detail"), _("Order items"), _("Lines"), _("UTM"), _("Payments"), _("History"), _("Notes"), _("Emails")]
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
            st.dataframe(
                detail.custom_fields.assign(
                    label=detail.custom_fields[label_key], holder=detail.custom_fields["holder"].fillna("")
                )[["label", "holder", "value"]],
                hide_index=True,
                width="stretch",
                column_config={"label": _("Field"), "holder": _("Holder"), "value": _("Value")},
            )
    with tabs[1]:
        if detail.items.empty:
            st.caption(_("No badge or ticket in this order."))
        for item in detail.items.itertuples():
            with st.container(border=True):
                holder = md(f"{item.holder_first_name} {item.holder_last_name}".strip()) or _("(no name)")
                st.markdown(
                    f"**{holder}** · {md(item.line_name)} ({_(TARIFF_KIND_LABELS[TariffKind(item.kind)])})"
                    + (f"  \n{md(item.holder_email)}" if item.holder_email else "")
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
                tax_rate=[f"{v.normalize() if hasattr(v, 'normalize') else v} %" for v in lines["tax_rate"]],
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
        for entry in detail.history.itertuples():
            with st.container(border=True):
                st.markdown(f"**{md(entry.action)}** · {local_time(entry.at)} · {md(entry.actor)}")
                changes = history_changes(entry.details)
                if changes:
                    st.markdown("\n".join(f"- {md(field)}: {md(old)} → {md(new)}" for field, old, new in changes))
                if entry.reason:
                    st.caption(_("Reason: {reason}").format(reason=md(entry.reason)))
    with tabs[6]:
        st.markdown(md(order["notes"]) or _("No note."))
        if order["deleted_reason"]:
            st.caption(_("Deletion reason: {reason}").format(reason=md(order["deleted_reason"])))
    with tabs[7]:
        render_order_emails(order["id"])


attendee = number_param("attendee", _("“{value}” in the address is not an attendee record number."))
number = number_param("order", _("“{value}” in the address is not an order number."))
if attendee is not None:
    _attendee_view(attendee)
elif number is not None:
    _order_view(number)
else:
    st.title(_("Order"))
    typed = st.text_input(_("Order number"), key="order_detail.number", placeholder="1234567")
    if parse_number(typed) is not None:
        st.query_params["order"] = str(parse_number(typed))
        st.rerun()
    link("pages/orders.py", _("Back to the orders"), {}, icon=":material/list:")
