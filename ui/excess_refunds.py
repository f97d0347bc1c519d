"""The grid's bulk "Refund the excess" (issue 20), for roles that record refunds (finance, admin):
the selection's dry run first (per overpaid order: number, buyer, excess in its currency; the
orders skipped and why), then, on confirm, every refund recorded in one transaction with a
progress bar, then the result. Method, date, reference and reason (required) are asked for.

Drawn inside the bulk-actions dialog of ui/order_actions.py, which keeps the open dialog, its
order ids and the last result in `st.session_state`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from orders_core.i18n import N_, _, format_money, format_number, ngettext
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.services.refunds import ExcessRefunds, RefundOutcome, refund_excess
from orders_core.status import OFFLINE_METHODS, PAYMENT_METHOD_LABELS, PaymentMethod
from queries.ledger import order_buyers
from ui.data import cached_query
from ui.session import current_actor
from ui.transactions import read, run_service

KIND = "refund_excess"
TITLE = N_("Refund the excess")
CAPABILITY = "orders.record_refund"


def _amounts(amounts: dict) -> str:
    return " · ".join(format_money(v, c) for c, v in sorted(amounts.items())) or "—"


def _fields() -> dict:
    method = st.selectbox(
        _("Refunded by"),
        [m.value for m in OFFLINE_METHODS],
        key="excess_refund.method",
        format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
    )
    today = datetime.now(UTC).date()
    refunded_on = st.date_input(
        _("Refunded on"), value=today, max_value=today, key="excess_refund.refunded_on", format="YYYY-MM-DD"
    )
    reference = st.text_input(_("Reference (optional)"), key="excess_refund.reference", max_chars=200)
    reason = st.text_area(_("Reason (required)"), key="excess_refund.reason", max_chars=2000)
    return dict(method=method, refunded_at=refunded_on, reference=reference, reason=reason)


def _skipped_table(numbers: list[int], why: dict[int, str], key: str) -> None:
    if not numbers:
        return
    st.warning(
        ngettext("{count} order is skipped:", "{count} orders are skipped:", len(numbers)).format(
            count=format_number(len(numbers))
        )
    )
    st.dataframe(
        [{_("Order"): number, _("Why"): why.get(number, "")} for number in numbers],
        hide_index=True,
        width="stretch",
        key=key,
    )


def render_form(ids: list[int], remember: Callable[[dict], None]) -> None:
    """The dry run of the selection and the confirm button (the dialog's body)."""
    values = _fields()
    actor = current_actor()
    with st.spinner(_("Checking the orders…")):
        dry: ExcessRefunds | None = read(  # writes nothing, takes no write lock
            lambda s: refund_excess(s, actor=actor, order_ids=ids, dry_run=True, **values)
        )
    if dry is None:
        return
    buyers = cached_query(order_buyers, tuple(ids))
    st.markdown("#### " + _("What will happen"))
    summary = st.columns(2)
    summary[0].metric(_("Refunds to record"), format_number(len(dry.refunded)))
    summary[1].metric(_("Orders skipped"), format_number(len(dry.skipped)))
    st.markdown(_("**To refund:** {amounts}").format(amounts=_amounts(dry.amounts)))
    planned = [item for item in dry.refunded if not isinstance(item, RefundOutcome)]
    if planned:
        st.dataframe(
            [
                {_("Order"): number, _("Buyer"): buyers.get(number, ""), _("Excess"): format_money(excess, currency)}
                for number, excess, currency in planned
            ],
            hide_index=True,
            width="stretch",
            key="excess_refund.planned",
        )
    _skipped_table(dry.skipped, dry.why_skipped, "excess_refund.skipped")
    if planned and not values["reason"].strip():
        st.caption(_("Give the reason of the refunds to record them."))
    label = ngettext("Refund the excess of {count} order", "Refund the excess of {count} orders", len(planned)).format(
        count=format_number(len(planned))
    )
    if st.button(
        label, key="order_actions.confirm", type="primary", disabled=not planned or not values["reason"].strip()
    ):
        bar = st.progress(0.0, text=_("Recording the refunds…"))

        def progress(done: int, total: int) -> None:
            bar.progress(
                done / total,
                text=_("Recording the refunds… {done} of {total}").format(
                    done=format_number(done), total=format_number(total)
                ),
            )

        run_service(
            lambda s: refund_excess(s, actor=actor, order_ids=ids, on_progress=progress, **values),
            then=lambda done: remember(_result(done)),
        )


def _result(done: ExcessRefunds) -> dict:
    """The result as plain values, kept in the session for the dialog's next run."""
    outcomes = [item for item in done.refunded if isinstance(item, RefundOutcome)]
    return dict(
        kind=KIND,
        done=[o.number for o in outcomes],
        refunds=[
            dict(number=o.number, amount=str(o.amount), currency=o.currency, state=o.payment_state.value)
            for o in outcomes
        ],
        amounts={c: str(v) for c, v in done.amounts.items()},
        skipped=list(done.skipped),
        why_skipped={str(n): why for n, why in done.why_skipped.items()},
        refused=[],
    )


def show_result(result: dict) -> None:
    refunds = result["refunds"]
    st.success(
        ngettext("{count} refund recorded: {amounts}.", "{count} refunds recorded: {amounts}.", len(refunds)).format(
            count=format_number(len(refunds)), amounts=_amounts(result["amounts"])
        )
    )
    if refunds:
        st.dataframe(
            [
                {
                    _("Order"): r["number"],
                    _("Amount refunded"): format_money(r["amount"], r["currency"]),
                    _("Payment state"): _(PAYMENT_STATE_LABELS[PaymentState(r["state"])]),
                }
                for r in refunds
            ],
            hide_index=True,
            width="stretch",
            key="excess_refund.done",
        )
    why = {int(n): text for n, text in result["why_skipped"].items()}
    _skipped_table(result["skipped"], why, "excess_refund.skipped_done")
