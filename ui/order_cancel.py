"""The order page's "Cancel tickets" form (issue 20): finance or an admin chooses some tickets (by
holder) or product units of a paid order, gives the reason and, usually, records the refund of
what is then owed back; a summary of the new lines, totals and refund (computed by the service's
dry run, nothing written) is confirmed before `cancel_tickets` runs."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from orders_core.i18n import _
from orders_core.order_rules import OrderActions
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.services.cancellations import Cancelled, RefundRequest, cancel_tickets
from orders_core.status import ADMITTING_KINDS, OFFLINE_METHODS, PAYMENT_METHOD_LABELS, PaymentMethod
from queries.ledger import refund_templates
from queries.order_detail import order_detail
from ui.data import cached_query
from ui.format import money
from ui.session import current_actor
from ui.transactions import read, run_service

NOTICE = "order_ledger.notice"  # shown at the top of the Payments tab (ui/order_ledger.py)


def template_label(templates: list[dict[str, Any]]) -> Any:
    names = {t["id"]: f"{t['name']} ({t['language']})" for t in templates}
    # None: queue_email's fallback, the event's refund template, else the global one, else the built-in text
    return lambda t: _("Default refund email") if t is None else names[t]


def render_cancel_tickets(order: dict, actions: OrderActions) -> None:
    """The expander with the form, then the confirmation summary (while one is pending)."""
    key = f"order_cancel.{order['id']}"
    pending = st.session_state.get(f"{key}.pending")
    with st.expander(_("Cancel tickets"), icon=":material/remove_shopping_cart:", expanded=pending is not None):
        if pending is None:
            _choose(order, key)
        else:
            _confirm(order, key, pending)


def _choose(order: dict, key: str) -> None:
    detail = cached_query(order_detail, order["number"])
    if detail is None:
        return
    currency = order["currency"]
    templates = cached_query(refund_templates, order["event_id"])
    with st.form(f"{key}.form", border=False):
        st.caption(_("Tick the tickets to cancel; their attendees are marked cancelled, never deleted."))
        tickets = []
        for item in detail.items.itertuples():
            holder = f"{item.holder_first_name} {item.holder_last_name}".strip() or item.holder_email
            if st.checkbox(f"{holder} — {item.line_name}", key=f"{key}.item.{item.item_id}"):
                tickets.append(int(item.item_id))
        products = {}
        for line in detail.lines.itertuples():
            if line.kind in ADMITTING_KINDS:
                continue
            count = st.number_input(
                _("{name}: units to cancel (of {quantity})").format(name=line.name, quantity=line.quantity),
                min_value=0,
                max_value=int(line.quantity),
                value=0,
                step=1,
                key=f"{key}.line.{line.line_id}",
            )
            if count:
                products[int(line.line_id)] = int(count)
        reason = st.text_area(_("Why are these tickets cancelled? (required)"), key=f"{key}.reason")
        refund = st.checkbox(_("Record the refund of what is then owed back"), value=True, key=f"{key}.refund")
        method = st.selectbox(
            _("Refunded by"),
            [m.value for m in OFFLINE_METHODS],
            format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
            key=f"{key}.method",
        )
        refunded_on = st.date_input(_("Refunded on"), value=date.today(), max_value=date.today(), key=f"{key}.on")
        reference = st.text_input(_("Reference"), key=f"{key}.reference")
        email = st.checkbox(_("Email the buyer about the refund"), key=f"{key}.email")
        template = st.selectbox(
            _("Email template"),
            [None, *(t["id"] for t in templates)],
            format_func=template_label(templates),
            key=f"{key}.template",
        )
        if st.form_submit_button(_("Review the cancellation")):
            st.session_state[f"{key}.pending"] = dict(
                tickets=tickets,
                products=products,
                reason=reason,
                refund=refund,
                method=method,
                refunded_on=refunded_on,
                reference=reference,
                email=email,
                template=template,
                currency=currency,
            )
            st.rerun()


def _call(order: dict, pending: dict, *, dry_run: bool, refund_amount: Any = None) -> Any:
    refund = None
    if refund_amount is not None:
        refund = RefundRequest(
            amount=refund_amount,
            method=pending["method"],
            refunded_at=pending["refunded_on"],
            reference=pending["reference"],
            send_email=pending["email"],
            template_id=pending["template"],
        )
    return lambda session: cancel_tickets(
        session,
        actor=current_actor(),
        order_id=order["id"],
        reason=pending["reason"],
        item_ids=pending["tickets"],
        products=pending["products"],
        refund=refund,
        dry_run=dry_run,
    )


def _summary(preview: Cancelled, pending: dict) -> list[tuple[str, str]]:
    currency = preview.currency

    def moved(pair: tuple[Any, Any]) -> str:
        return f"{money(pair[0], currency)} → {money(pair[1], currency)}"

    refunds = pending["refund"] and preview.refund_due > 0
    return [
        (_("Tickets cancelled"), ", ".join(preview.holders) or "—"),
        (_("Lines"), ", ".join(f"{name}: {old} → {new}" for name, old, new in preview.lines)),
        (_("Total excl. tax"), moved(preview.total_ht)),
        (_("Tax"), moved(preview.tax)),
        (_("Total incl. tax"), moved(preview.total_ttc)),
        (_("Refund due"), money(preview.refund_due, currency)),
        (
            _("Refund recorded now"),
            (
                f"{money(preview.refund_due, currency)} · {_(PAYMENT_METHOD_LABELS[PaymentMethod(pending['method'])])}"
                f" · {pending['refunded_on'].isoformat()}"
            )
            if refunds
            else _("No"),
        ),
        (_("Email to the buyer"), _("Yes") if refunds and pending["email"] else _("No")),
        (_("Reason"), pending["reason"] or "—"),
    ]


def _confirm(order: dict, key: str, pending: dict) -> None:
    st.markdown("#### " + _("Confirm the cancellation"))
    preview = read(_call(order, pending, dry_run=True))
    left, right = st.columns(2)
    if right.button(_("Back"), key=f"{key}.back"):
        st.session_state.pop(f"{key}.pending", None)
        st.rerun()
    if preview is None:  # refused: the reason is shown above
        return
    summary = _summary(preview, pending)
    # User text shown as table cells, never through markdown.
    st.table({_("What"): [label for label, _v in summary], _("Value"): [value for _l, value in summary]})
    if left.button(_("Confirm the cancellation"), key=f"{key}.confirm", type="primary"):
        amount = preview.refund_due if pending["refund"] and preview.refund_due > 0 else None

        def done(_outcome: Cancelled) -> None:
            st.session_state.pop(f"{key}.pending", None)

        run_service(
            _call(order, pending, dry_run=False, refund_amount=amount),
            success=lambda outcome: _("Tickets cancelled: the order's total is now {total}; it is “{state}”.").format(
                total=money(outcome.total_ttc[1], outcome.currency),
                state=_(PAYMENT_STATE_LABELS[PaymentState(outcome.payment_state)]),
            ),
            notice=NOTICE,
            then=done,
        )
