"""The Tickets tab of the order page (issue 21): each attendee's e-ticket to download, the whole
order's in one PDF, "Resend e-tickets" (the tickets email carries them), and "Change holder": a
form, then a confirmation (the old e-ticket stops admitting), then the service."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _, get_locale
from orders_core.order_rules import Action
from orders_core.services.emails import resend_tickets
from orders_core.services.tickets import change_holder
from queries.order_detail import order_detail
from ui.data import cached_query
from ui.session import can, current_actor, order_actions
from ui.text import md
from ui.transactions import run_service, show_notice
from web.tickets import order_tickets_url, ticket_url

DONE = "order_tickets.done"  # success message carried over the rerun
CHANGING = "order_tickets.changing"  # the attendee whose holder form is open
PENDING = "order_tickets.pending"  # the holder typed, waiting for its confirmation


def _holder_form(attendee_id: int, holder: str) -> None:
    with st.form(f"order_tickets.form.{attendee_id}", border=True):
        st.markdown(_("New holder of the ticket of **{holder}**").format(holder=md(holder)))
        first, last, email = st.columns(3)
        first_name = first.text_input(_("First name"), key=f"order_tickets.first_name.{attendee_id}")
        last_name = last.text_input(_("Last name"), key=f"order_tickets.last_name.{attendee_id}")
        new_email = email.text_input(_("Email (optional)"), key=f"order_tickets.email.{attendee_id}")
        go, stop = st.columns([1, 4])
        if go.form_submit_button(_("Continue"), key=f"order_tickets.continue.{attendee_id}", type="primary"):
            st.session_state[PENDING] = {
                "attendee_id": attendee_id,
                "old": holder,
                "first_name": first_name,
                "last_name": last_name,
                "email": new_email,
            }
            st.rerun()
        if stop.form_submit_button(_("Cancel"), key=f"order_tickets.close.{attendee_id}"):
            st.session_state.pop(CHANGING, None)
            st.rerun()


def _confirmation(pending: dict) -> None:
    new_holder = f"{pending['first_name']} {pending['last_name']}".strip()
    st.warning(
        _(
            "Give the ticket of {old} to {new}? A new e-ticket is issued to {new}; "
            "the current one stops admitting at once."
        ).format(old=md(pending["old"]), new=md(new_holder))
    )
    confirm, back, _rest = st.columns([1, 1, 3])
    if confirm.button(_("Confirm the change of holder"), key="order_tickets.confirm", type="primary"):

        def forget(_result: object) -> None:
            st.session_state.pop(PENDING, None)
            st.session_state.pop(CHANGING, None)

        run_service(
            lambda session: change_holder(
                session,
                actor=current_actor(),
                attendee_id=pending["attendee_id"],
                first_name=pending["first_name"],
                last_name=pending["last_name"],
                email=pending["email"],
            ),
            success=lambda done: _("The ticket now belongs to {holder}: its new e-ticket is ready.").format(
                holder=done.new_holder
            ),
            notice=DONE,
            then=forget,
        )
    if back.button(_("Back"), key="order_tickets.back"):
        st.session_state.pop(PENDING, None)
        st.rerun()


def render_order_tickets(number: int) -> None:
    """Draw the order's e-tickets (roles that may see holders) and the holder change (roles that
    may modify orders)."""
    detail = cached_query(order_detail, number)
    actions = order_actions(number=number)
    if detail is None or actions is None:
        st.info(_("This order does not exist."))
        return
    if not can("attendees.view"):
        st.caption(_("E-tickets name their holders: your role does not show them."))
        return
    show_notice(DONE)
    order = detail.order
    tickets = detail.items[detail.items["attendee_id"].notna()]
    if not actions.has_e_tickets or tickets.empty:
        st.caption(_("No e-ticket: an order has them once it is paid, one per badge or ticket."))
        return
    language = get_locale()
    left, right, _rest = st.columns([1, 1, 2])
    left.link_button(
        _("Download all e-tickets (PDF)"),
        order_tickets_url(int(order["number"]), language=language),
        icon=":material/download:",
    )
    if can("emails.resend") and right.button(
        _("Resend e-tickets"),
        key="order_tickets.resend",
        icon=":material/forward_to_inbox:",
        disabled=not actions.can(Action.RESEND_TICKETS),
        help=_("Email every e-ticket again to {email}.").format(email=md(order["buyer_email"])),
    ):
        run_service(
            lambda session: resend_tickets(session, actor=current_actor(), order_id=int(order["id"])),
            success=_("E-tickets queued: they leave with the next send."),
            notice=DONE,
        )
    may_change = can("orders.modify")
    pending = st.session_state.get(PENDING)
    for ticket in tickets.itertuples():
        attendee_id = int(ticket.attendee_id)
        holder = f"{ticket.holder_first_name} {ticket.holder_last_name}".strip()
        with st.container(border=True, key=f"order_tickets.ticket.{attendee_id}"):
            text, download, change = st.columns([3, 1, 1], vertical_alignment="center")
            seat = (
                _("Seat: {seat}").format(seat=md(ticket.seat)) if isinstance(ticket.seat, str) and ticket.seat else ""
            )
            text.markdown(
                " · ".join(part for part in (f"**{md(holder) or _('(no name)')}**", md(ticket.line_name), seat) if part)
            )
            download.link_button(
                _("E-ticket (PDF)"), ticket_url(attendee_id, language=language), icon=":material/confirmation_number:"
            )
            if may_change and change.button(_("Change holder"), key=f"order_tickets.change.{attendee_id}"):
                st.session_state[CHANGING] = attendee_id
                st.session_state.pop(PENDING, None)
                st.rerun()
            if may_change and pending and pending.get("attendee_id") == attendee_id:
                _confirmation(pending)
            elif may_change and st.session_state.get(CHANGING) == attendee_id:
                _holder_form(attendee_id, holder)
