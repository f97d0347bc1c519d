"""The order page's money (issue 20): the payment state badge of its header, the Payments tab
(every payment and refund with the running balance) and the refund form for finance and admin,
with a confirmation summary before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import streamlit as st

from orders_core.i18n import _
from orders_core.order_rules import Action, OrderActions
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.services.refunds import record_refund
from orders_core.status import OFFLINE_METHODS, PAYMENT_METHOD_LABELS, PaymentMethod
from queries.ledger import order_ledger, refund_templates
from ui.data import cached_query
from ui.format import money
from ui.order_cancel import render_cancel_tickets, template_label
from ui.session import current_actor
from ui.timezone import local_time
from ui.transactions import run_service, show_notice

STATE_COLOURS = {
    PaymentState.UNPAID: "gray",
    PaymentState.PARTIALLY_PAID: "orange",
    PaymentState.PAID: "green",
    PaymentState.OVERPAID: "violet",
    PaymentState.PARTIALLY_REFUNDED: "blue",
    PaymentState.REFUNDED: "red",
}
NOTICE = "order_ledger.notice"


def payment_state_label(state: str) -> str:
    return _(PAYMENT_STATE_LABELS[PaymentState(state)])


def payment_state_badge(state: str) -> str:
    """Markdown badge of the payment state (a fixed, translated label: nothing to escape)."""
    return f":{STATE_COLOURS[PaymentState(state)]}-badge[{payment_state_label(state)}]"


def render_payments_tab(order: dict, actions: OrderActions | None) -> None:
    """Every payment and refund, oldest first, with the amount kept after each; then the
    overpayment notice and the refund form when this user may record one."""
    show_notice(NOTICE)
    currency = order["currency"]
    ledger = cached_query(order_ledger, order["id"])
    if ledger.empty:
        st.caption(_("No payment recorded."))
    else:
        kinds = {"payment": _("Payment"), "refund": _("Refund")}
        st.dataframe(
            ledger.assign(
                kind=[kinds[k] for k in ledger["kind"]],
                at=[local_time(v) for v in ledger["at"]],
                method=[_(PAYMENT_METHOD_LABELS[PaymentMethod(m)]) for m in ledger["method"]],
                amount=[money(a, currency) for a in ledger["amount"]],
                balance=[money(b, currency) for b in ledger["balance"]],
            )[["kind", "at", "method", "amount", "balance", "reference", "recorded_by", "reason"]],
            hide_index=True,
            width="stretch",
            column_config={
                "kind": _("Movement"),
                "at": _("Date"),
                "method": _("Method"),
                "amount": _("Amount"),
                "balance": _("Paid after it"),
                "reference": _("Reference"),
                "recorded_by": _("Recorded by"),
                "reason": _("Reason"),
            },
        )
    if actions is None:
        return
    if actions.refund_due > 0:
        st.warning(
            _("Refund due: {amount} kept beyond the total is owed back to the buyer.").format(
                amount=money(actions.refund_due, currency)
            ),
            icon=":material/currency_exchange:",
        )
    if actions.can(Action.RECORD_REFUND):
        _refund_form(order, actions)
    if actions.can(Action.CANCEL_TICKETS):
        render_cancel_tickets(order, actions)


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def _refund_form(order: dict, actions: OrderActions) -> None:
    key = f"order_ledger.{order['id']}"
    currency = order["currency"]
    paid = actions.facts.amount_paid
    suggested = actions.refund_due if actions.refund_due > 0 else paid
    pending = st.session_state.get(f"{key}.pending")
    with st.expander(_("Record a refund"), icon=":material/undo:", expanded=pending is not None):
        if pending is None:
            with st.form(f"{key}.form", border=False):
                amount = st.text_input(_("Amount ({currency})").format(currency=currency), value=str(suggested))
                method = st.selectbox(
                    _("Refunded by"),
                    [m.value for m in OFFLINE_METHODS],
                    format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
                )
                refunded_on = st.date_input(_("Refunded on"), value=date.today(), max_value=date.today())
                reference = st.text_input(_("Reference"))
                reason = st.text_area(_("Reason (required)"))
                cancel = st.checkbox(_("Also cancel the order (its attendees are marked cancelled)"))
                email = st.checkbox(_("Email the buyer about the refund"))
                templates = cached_query(refund_templates, order["event_id"])
                template = st.selectbox(
                    _("Email template"),
                    [None, *(t["id"] for t in templates)],
                    format_func=template_label(templates),
                )
                if st.form_submit_button(_("Review the refund")):
                    st.session_state[f"{key}.pending"] = dict(
                        amount=amount.strip(),
                        method=method,
                        refunded_on=refunded_on,
                        reference=reference,
                        reason=reason,
                        cancel=cancel,
                        email=email,
                        template=template,
                    )
                    st.rerun()
            return
        _confirm(order, key, pending, paid)


def _confirm(order: dict, key: str, pending: dict, paid: Decimal) -> None:
    currency = order["currency"]
    amount = _amount(pending["amount"])
    st.markdown("#### " + _("Confirm the refund"))
    kept = money(paid - amount, currency) if amount is not None else "—"
    summary = [
        (_("Amount"), money(amount, currency) if amount is not None else pending["amount"]),
        (_("Method"), _(PAYMENT_METHOD_LABELS[PaymentMethod(pending["method"])])),
        (_("Refunded on"), pending["refunded_on"].isoformat()),
        (_("Reference"), pending["reference"] or "—"),
        (_("Reason"), pending["reason"] or "—"),
        (_("Paid after it"), kept),
        (_("Order cancelled"), _("Yes") if pending["cancel"] else _("No")),
        (_("Email to the buyer"), _("Yes") if pending["email"] else _("No")),
    ]
    # User text shown as table cells, never through markdown.
    st.table({_("What"): [label for label, _v in summary], _("Value"): [value for _l, value in summary]})
    left, right = st.columns(2)
    if right.button(_("Back"), key=f"{key}.back"):
        st.session_state.pop(f"{key}.pending", None)
        st.rerun()
    if left.button(_("Confirm the refund"), key=f"{key}.confirm", type="primary"):

        def done(outcome) -> None:
            st.session_state.pop(f"{key}.pending", None)

        run_service(
            lambda session: record_refund(
                session,
                actor=current_actor(),
                order_id=order["id"],
                amount=pending["amount"],
                method=pending["method"],
                refunded_at=pending["refunded_on"],
                reason=pending["reason"],
                reference=pending["reference"],
                cancel_order=pending["cancel"],
                send_email=pending["email"],
                template_id=pending["template"] if pending["email"] else None,
            ),
            success=lambda outcome: _("Refund of {amount} recorded: the order is now “{state}”.").format(
                amount=money(outcome.amount, outcome.currency), state=payment_state_label(outcome.payment_state)
            ),
            notice=NOTICE,
            then=done,
        )
