"""Lifecycle actions for the grid's selection and for one order: validate (with a dry-run
summary before confirming), cancel and delete (with a reason), and on the detail page approve,
reject, restore and mark failed - each shown only when the domain allows it
(orders_core.order_rules: the page never decides from the status itself).

The open dialog, its orders and its last result live in `st.session_state` (ids and scalars):
a dialog opened by a one-shot button would vanish at the next rerun (and AppTest could not
reach its buttons)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

from orders_core.i18n import N_, _, format_money, format_number, ngettext
from orders_core.services import lifecycle
from orders_core.services.validation import BACKGROUND_ABOVE, validate_orders
from orders_core.services.validation_jobs import start_validation
from orders_core.status import OFFLINE_METHODS, PAYMENT_METHOD_LABELS, PaymentMethod
from ui import excess_refunds, validation_job
from ui.session import can, current_actor, order_actions
from ui.transactions import read, run_service

OPEN = "order_actions.open"  # which dialog is open: validate, cancel, delete, approve, reject, ...
IDS = "order_actions.ids"  # the order ids it acts on (snapshot taken when it opened)
RESULT = "order_actions.result"  # the last result, as plain values, shown until closed

TITLES = {
    "validate": N_("Validate orders"),
    "cancel": N_("Cancel orders"),
    "delete": N_("Delete orders"),
    "approve": N_("Approve the order"),
    "reject": N_("Reject the order"),
    "restore": N_("Restore the order"),
    "mark_failed": N_("Mark the payment as failed"),
    excess_refunds.KIND: excess_refunds.TITLE,
}
# On the order page the buttons act on that one order.
ONE_ORDER_TITLES = {
    **TITLES,
    "validate": N_("Validate the order"),
    "cancel": N_("Cancel the order"),
    "delete": N_("Delete the order"),
}


def _open(action: str, ids: list[int]) -> None:
    st.session_state[OPEN] = action
    st.session_state[IDS] = [int(i) for i in ids]
    st.session_state.pop(RESULT, None)


def _close() -> None:
    for key in (OPEN, IDS, RESULT):
        st.session_state.pop(key, None)


def render_bulk_actions(order_ids: list[int], *, refund_excess: bool = False) -> None:
    """A "More actions" menu for the grid's selected orders (ids), and its dialogs;
    `refund_excess`: also offer "Refund the excess" (the orders grid) to who records refunds."""
    ids = [int(i) for i in order_ids]
    offered = [("validate", "orders.validate"), ("cancel", "orders.cancel"), ("delete", "orders.delete")]
    if refund_excess:
        offered.append((excess_refunds.KIND, excess_refunds.CAPABILITY))
    allowed = [a for a, cap in offered if can(cap)]
    if allowed:
        with st.popover(_("More actions"), disabled=not ids, icon=":material/more_horiz:"):
            # Closed and disabled without a selection: its buttons would be sent for nothing.
            for action in allowed if ids else []:
                st.button(
                    _(TITLES[action]),
                    key=f"order_actions.bulk_{action}",
                    on_click=_open,
                    args=(action, ids),
                    width="stretch",
                )
    validation_job.render_job_progress()  # a background validation this session started
    _show_dialog()


def render_order_actions(order_id: int, *, number: int | None = None) -> None:
    """The status changes the domain allows on one order, for the detail page; a locked order
    says why. Given the order's number, the facts are the page's own read (one read, not two)."""
    allowed = order_actions(number=number) if number is not None else order_actions(order_id=order_id)
    if allowed is None:
        return
    if allowed.notice:
        st.info(allowed.notice)
    actions, ids = [action.value for action in allowed.lifecycle_buttons], [int(order_id)]
    if actions:
        columns = st.columns(len(actions))
        for column, action in zip(columns, actions):
            column.button(
                _(ONE_ORDER_TITLES[action]), key=f"order_actions.one_{action}", on_click=_open, args=(action, ids)
            )
    _show_dialog()


def _show_dialog() -> None:
    action = st.session_state.get(OPEN)
    if action in TITLES:
        st.dialog(_(TITLES[action]), width="large", on_dismiss=_close)(_dialog_body)(action)


def _remember(result: dict) -> None:
    """After a success: keep the result (plain values) for the dialog's next run."""
    st.session_state[RESULT] = result


def _methods(ids: list[int]) -> tuple[PaymentMethod, ...]:
    """The methods this user may record on the one order (all offline ones for a selection: the
    service refuses, order by order, what the role may not confirm)."""
    one = order_actions(order_id=ids[0]) if len(ids) == 1 else None
    return (one.payment_methods if one is not None else ()) or OFFLINE_METHODS


def _amounts(amounts: dict) -> str:
    return " · ".join(format_money(v, c) for c, v in amounts.items()) or "—"


def _payment_fields(methods: tuple[PaymentMethod, ...]) -> tuple[str, date, str]:
    method = st.selectbox(
        _("Payment method used"),
        [m.value for m in methods],
        key="order_actions.method",
        format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
    )
    received = st.date_input(
        _("Date received"),
        value=datetime.now(UTC).date(),
        max_value=datetime.now(UTC).date(),
        key="order_actions.received_on",
        format="YYYY-MM-DD",
    )
    reference = st.text_input(_("Reference (optional)"), key="order_actions.reference", max_chars=200)
    return method, received, reference


def _show_refused(refused: list[dict]) -> None:
    if refused:
        st.warning(
            ngettext("{count} order cannot be changed:", "{count} orders cannot be changed:", len(refused)).format(
                count=format_number(len(refused))
            )
        )
        st.dataframe(
            [{_("Order"): r["number"], _("Reason"): r["reason"]} for r in refused],
            hide_index=True,
            width="stretch",
            key="order_actions.refused",
        )


def _dialog_body(action: str) -> None:
    ids = st.session_state.get(IDS, [])
    result = st.session_state.get(RESULT)
    if result is not None:
        _show_result(result)
        if st.button(_("Close"), key="order_actions.close", type="primary"):
            _close()
            st.rerun()
        return
    if action == "validate":
        _validate_form(ids)
    elif action == excess_refunds.KIND:
        excess_refunds.render_form(ids, _remember)
    elif action in ("cancel", "delete"):
        _reason_form(action, ids)
    else:
        _single_form(action, ids[0])
    if st.button(_("Back"), key="order_actions.back"):
        _close()
        st.rerun()


def _validate_form(ids: list[int]) -> None:
    method, received, reference = _payment_fields(_methods(ids))
    actor = current_actor()
    with st.spinner(_("Checking the orders…")):
        dry = read(  # a dry run writes nothing: no write lock
            lambda s: validate_orders(
                s, actor=actor, order_ids=ids, method=method, received_at=received, reference=reference, dry_run=True
            )
        )
    if dry is None:
        return
    st.markdown("#### " + _("What will happen"))
    summary = st.columns(4)
    summary[0].metric(_("Orders to validate"), format_number(len(dry.validated)))
    summary[1].metric(_("Attendees to create"), format_number(dry.attendees_created))
    summary[2].metric(_("Emails to queue"), format_number(dry.emails_queued))
    summary[3].metric(_("Orders refused"), format_number(len(dry.refused)))
    st.markdown(_("**Payments to record:** {amounts}").format(amounts=_amounts(dry.amounts)))
    _show_refused([dict(number=r.number, reason=r.reason) for r in dry.refused])
    if len(ids) > BACKGROUND_ABOVE:  # too many for one request: the worker validates them (issue 19)
        _start_in_background(ids, len(dry.validated), method, received, reference)
        return
    label = ngettext("Validate {count} order", "Validate {count} orders", len(dry.validated)).format(
        count=format_number(len(dry.validated))
    )
    if st.button(label, key="order_actions.confirm", type="primary", disabled=not dry.validated):
        with st.spinner(_("Validating…")):
            run_service(
                lambda s: validate_orders(
                    s, actor=actor, order_ids=ids, method=method, received_at=received, reference=reference
                ),
                then=lambda done: _remember(
                    dict(
                        kind="validate",
                        done=done.validated_numbers,
                        attendees=done.attendees_created,
                        emails=done.emails_queued,
                        amounts={c: str(v) for c, v in done.amounts.items()},
                        refused=[dict(number=r.number, reason=r.reason) for r in done.refused],
                    )
                ),
            )


def _start_in_background(ids: list[int], count: int, method: str, received: date, reference: str) -> None:
    st.info(
        _("More than {limit} orders: they are validated in the background, with the progress on this page.").format(
            limit=format_number(BACKGROUND_ABOVE)
        )
    )
    label = ngettext(
        "Validate {count} order in the background", "Validate {count} orders in the background", count
    ).format(count=format_number(count))
    if st.button(label, key="order_actions.confirm", type="primary", disabled=not count):
        actor = current_actor()
        run_service(
            lambda s: start_validation(
                s, actor=actor, order_ids=ids, method=method, received_at=received, reference=reference
            ),
            then=lambda job_id: (_close(), validation_job.remember(job_id)),
        )


def _reason_form(action: str, ids: list[int]) -> None:
    if action == "cancel":
        st.markdown(
            ngettext(
                "Cancel {count} order? Paid and cancelled orders are left as they are.",
                "Cancel {count} orders? Paid and cancelled orders are left as they are.",
                len(ids),
            ).format(count=format_number(len(ids)))
        )
    else:
        st.markdown(
            ngettext(
                "Delete {count} order? It disappears from the grid; its attendees are kept and an "
                "administrator can restore it.",
                "Delete {count} orders? They disappear from the grid; their attendees are kept and an "
                "administrator can restore them.",
                len(ids),
            ).format(count=format_number(len(ids)))
        )
    reason = st.text_area(_("Reason (required)"), key="order_actions.reason", max_chars=2000)
    service = lifecycle.cancel_orders if action == "cancel" else lifecycle.delete_orders
    label = _("Cancel the orders") if action == "cancel" else _("Delete the orders")
    if st.button(label, key="order_actions.confirm", type="primary"):
        actor = current_actor()
        run_service(
            lambda s: service(s, actor=actor, order_ids=ids, reason=reason),
            then=lambda done: _remember(
                dict(
                    kind=action, done=done.done, refused=[dict(number=r.number, reason=r.reason) for r in done.refused]
                )
            ),
        )


def _single_form(action: str, order_id: int) -> None:
    actor = current_actor()
    kwargs: dict = {}
    if action == "approve":
        st.markdown(_("The order becomes paid; its holders become attendees and the buyer is sent a confirmation."))
        if st.checkbox(_("The buyer paid offline (invoice)"), key="order_actions.offline"):
            kwargs["method"], kwargs["received_at"], kwargs["reference"] = _payment_fields(_methods([order_id]))
    elif action in ("reject", "restore", "mark_failed"):
        kwargs["reason"] = st.text_area(_("Reason (optional)"), key="order_actions.reason", max_chars=2000)
    service = {
        "approve": lifecycle.approve_order,
        "reject": lifecycle.reject_order,
        "restore": lifecycle.restore_order,
        "mark_failed": lifecycle.mark_failed,
    }[action]
    if st.button(_("Confirm"), key="order_actions.confirm", type="primary"):
        run_service(
            lambda s: service(s, actor=actor, order_id=order_id, **kwargs),
            then=lambda _done: _remember(dict(kind=action, done=[order_id], refused=[])),
        )


def _show_result(result: dict) -> None:
    if result["kind"] == excess_refunds.KIND:
        excess_refunds.show_result(result)
        return
    done, refused = result["done"], result["refused"]
    if result["kind"] == "validate":
        st.success(
            _("{orders}: {attendees}, {emails}.").format(
                orders=ngettext("{count} order validated", "{count} orders validated", len(done)).format(
                    count=format_number(len(done))
                ),
                attendees=ngettext("{count} attendee created", "{count} attendees created", result["attendees"]).format(
                    count=format_number(result["attendees"])
                ),
                emails=ngettext("{count} email queued", "{count} emails queued", result["emails"]).format(
                    count=format_number(result["emails"])
                ),
            )
        )
        st.markdown(_("**Payments recorded:** {amounts}").format(amounts=_amounts(result["amounts"])))
    elif result["kind"] in ("cancel", "delete"):
        message = (
            ngettext("{count} order cancelled.", "{count} orders cancelled.", len(done))
            if result["kind"] == "cancel"
            else ngettext("{count} order deleted.", "{count} orders deleted.", len(done))
        )
        st.success(message.format(count=format_number(len(done))))
    else:
        st.success(_("Done."))
    if done and result["kind"] in ("validate", "cancel", "delete"):
        st.dataframe([{_("Order"): number} for number in done], hide_index=True, key="order_actions.done")
    _show_refused(refused)
