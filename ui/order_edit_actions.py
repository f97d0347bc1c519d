"""The order detail page's change actions (issue 8), drawn by `render_modify_and_add_tickets` as
the domain allows them (orders_core.order_rules):

- "Modify order" for an order that is neither paid nor cancelled (opens the wizard pre-filled);
- on a paid organiser order: the yellow "balance due" banner, "Record payment" and "Add a ticket";
- on a paid online or a cancelled order: why it is locked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import streamlit as st

from orders_core.i18n import _
from orders_core.order_rules import Action, OrderActions
from orders_core.services.order_changes import add_tickets, record_balance_payment
from orders_core.status import DELIVERY_MODE_LABELS, PAYMENT_METHOD_LABELS, DeliveryMode, PaymentMethod
from queries.order_detail import order_facts
from queries.wizard import add_ticket_context, event_fields
from ui.data import cached_query
from ui.format import counted, money
from ui.seat_picker import load_plan, seat_picker, show_plan
from ui.session import current_actor, order_actions
from ui.text import md
from ui.transactions import run_service, show_notice
from ui.wizard_widgets import custom_fields

WIZARD_PAGE = "pages/order_wizard.py"
DELIVERY_LABELS = {mode.value: label for mode, label in DELIVERY_MODE_LABELS.items()}  # the domain's labels


def render_modify_and_add_tickets(order_number: int) -> None:
    """Draw the buttons and forms that change the order `order_number` (nothing if unknown)."""
    actions = order_actions(number=order_number)
    if actions is None or actions.facts.deleted:
        return
    key = f"order_edit.{order_number}"
    show_notice(f"{key}.done")
    if actions.editable:
        if actions.can_modify and st.button(_("Modify order"), key=f"{key}.modify", icon=":material/edit:"):
            st.switch_page(WIZARD_PAGE, query_params={"modify": str(order_number)})
        return
    if locked := actions.locked_because(Action.ADD_TICKETS):
        st.info(locked, icon=":material/lock:")
        return
    context = cached_query(add_ticket_context, order_number)
    if context is None:
        return
    if actions.owes_after_added_tickets:
        st.warning(
            _("Balance due: {amount}").format(amount=money(actions.balance_due, actions.facts.currency)),
            icon=":material/payments:",
        )
        if actions.can_record_payment:
            _record_payment_form(context, actions, key)
    if actions.can_add_tickets:
        _add_ticket_form(context, key)


def _record_payment_form(context: dict, actions: OrderActions, key: str) -> None:
    with st.expander(_("Record payment"), icon=":material/point_of_sale:"):
        method = st.selectbox(
            _("Paid by"),
            [m.value for m in actions.payment_methods],
            key=f"{key}.pay_method",
            format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
        )
        amount = st.text_input(
            _("Amount ({currency})").format(currency=actions.facts.currency),
            value=str(actions.balance_due),
            key=f"{key}.pay_amount",
        )
        received = st.date_input(_("Received on"), value=date.today(), max_value=date.today(), key=f"{key}.pay_date")
        reference = st.text_input(_("Reference"), key=f"{key}.pay_reference")
        resend = st.checkbox(
            _("When settled, send the confirmation and the tickets again"), value=True, key=f"{key}.pay_resend"
        )
        if st.button(_("Record the payment"), key=f"{key}.pay_save", type="primary"):
            run_service(
                lambda session: record_balance_payment(
                    session,
                    actor=current_actor(),
                    order_id=context["order_id"],
                    method=method,
                    amount=amount.strip(),
                    received_at=received,
                    reference=reference,
                    resend_confirmation=resend,
                ),
                success=lambda outcome: _("Payment recorded; balance due now {amount}.").format(
                    amount=money(outcome.balance_due, outcome.currency)
                ),
                notice=f"{key}.done",
            )


def _balance_after(order_id: int) -> Decimal:
    """The balance due after a change, by the domain's rule, from the order's fresh facts."""
    facts = cached_query(order_facts, order_id=order_id)
    return facts.balance_due if facts is not None else Decimal("0.00")


def _add_ticket_form(context: dict, key: str) -> None:
    with st.expander(_("Add a ticket"), icon=":material/add:"):
        tariffs = {t["id"]: t for t in context["tariffs"]}
        if not tariffs:
            st.info(_("No badge or ticket of this event is on sale."))
            return
        tariff_id = st.selectbox(
            _("Tariff"),
            list(tariffs),
            key=f"{key}.add_tariff",
            format_func=lambda t: (
                f"{tariffs[t]['name']} — {money(tariffs[t]['unit_price_ht'], context['currency'])} "
                + _("excl. tax")
                + (
                    ""
                    if tariffs[t]["remaining"] is None
                    else " · " + counted("{count} left", "{count} left", tariffs[t]["remaining"])
                )
            ),
        )
        quantity = int(
            st.number_input(_("Quantity"), min_value=1, max_value=50, value=1, step=1, key=f"{key}.add_quantity")
        )
        modes = [m.value for m in DeliveryMode]
        delivery = st.selectbox(
            _("Delivery mode"),
            modes,
            index=modes.index(context["delivery_mode"]),
            format_func=lambda m: _(DELIVERY_LABELS[m]),
            key=f"{key}.add_delivery",
            help=_("The same as the order's other tickets by default."),
        )
        seats: list[str] = []
        if context["seated"]:
            st.caption(_("Seats already in this order: {seats}").format(seats=md(", ".join(context["seats"])) or "—"))
            plan = load_plan(context["event_id"], context["order_id"])
            picture = st.container()
            seats = [
                seat_picker(
                    _("Seat of ticket {n}").format(n=n + 1), key=f"{key}.add_seat.{n}", plan=plan, own_is_free=False
                )
                for n in range(quantity)
            ]
            show_plan(plan, key=f"{key}.add_plan", chosen=seats, where=picture)
        badge_fields = cached_query(event_fields, context["event_id"], ("badge",))
        holders = []
        for n in range(quantity):
            columns = st.columns(3)
            holders.append(
                {
                    "first_name": columns[0].text_input(
                        _("Holder {n}: first name").format(n=n + 1), key=f"{key}.add_first.{n}"
                    ),
                    "last_name": columns[1].text_input(_("Last name"), key=f"{key}.add_last.{n}"),
                    "email": columns[2].text_input(_("Email"), key=f"{key}.add_email.{n}"),
                    # the event's badge form, as the wizard draws it (issue 18 item 4)
                    "fields": custom_fields(
                        badge_fields,
                        f"{key}.add_field.{n}.",
                        {},
                        label_prefix=_("Holder {n}: ").format(n=n + 1),
                    ),
                }
            )
        st.caption(_("A holder left blank gets the buyer's name."))
        if any(f.required for f in badge_fields):
            st.caption(_("Fields marked * are required."))
        note = st.text_area(_("Reason (required; kept with today's date in the order's notes)"), key=f"{key}.add_note")
        if st.button(_("Add to the order"), key=f"{key}.add_save", type="primary"):
            run_service(
                lambda session: add_tickets(
                    session,
                    actor=current_actor(),
                    order_id=context["order_id"],
                    tariff_id=tariff_id,
                    quantity=quantity,
                    delivery_mode=delivery,
                    seats=seats,
                    reason_note=note,
                    holders=holders,
                    expected_version=context["version"],
                ),
                success=lambda order: _("Added; balance due now {amount}.").format(
                    amount=money(_balance_after(order.id), order.currency)
                ),
                notice=f"{key}.done",
            )
