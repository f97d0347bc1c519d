"""The four steps of the order wizard (rule 5), one function each, over one `WizardState`.

Thin: every check is a service's or the domain's (the quote, clean_buyer, validate_values,
clean_holders, order_rules.draft_payment); reads are cached queries; saving is one service call
(ui/wizard_save.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from orders_core.custom_fields import ORDER_FORMS, validate_values
from orders_core.errors import OrderError
from orders_core.i18n import LANGUAGES, N_, _
from orders_core.order_rules import draft_payment
from orders_core.payment_terms import awaits_invoice_payment, choice_gets_due_date
from orders_core.services.order_creation import PAYMENT_CHOICES, clean_buyer, clean_holders
from orders_core.status import PAYMENT_METHOD_LABELS, TARIFF_KIND_LABELS, PaymentMethod, TariffKind
from queries.order_detail import order_facts
from queries.wizard import event_fields, live_quote, payment_templates, wizard_events, wizard_tariffs
from ui.data import cached_query
from ui.due_date import render_due_date_preview
from ui.format import counted, money, payment_mode_label, rate, status_label
from ui.seat_picker import check_seats_picked, load_plan, seat_picker, show_plan
from ui.session import current_user
from ui.text import md
from ui.wizard_save import save
from ui.wizard_state import WizardState
from ui.wizard_widgets import custom_fields, seed

# Marked here, translated where shown (this module is imported once, for every language).
STEP_TITLES = {1: N_("Tariffs"), 2: N_("Buyer and billing"), 3: N_("Holders"), 4: N_("Summary and payment")}
BUYER_LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "company_name": N_("Company"),
    "billing_address": N_("Billing address"),
    "billing_postcode": N_("Postcode"),
    "billing_city": N_("City"),
    "billing_country": N_("Country (2 letters)"),
    "vat_number": N_("VAT number"),
}


def events() -> list[dict]:
    return cached_query(wizard_events)


def quote(w: WizardState, *, strict: bool, codes: list[str] | None = None):
    """The live totals of the selection (cached; the save checks again under locks)."""
    return cached_query(
        live_quote,
        event_id=w.event_id,
        quantities=dict(w.quantities),
        codes=tuple(w.codes if codes is None else codes),
        exclude_order_id=w.order_id,
        kept=w.kept_quantities() or None,
        kept_code=w.kept_code,
        require_units=strict,
        strict=strict,
    )


def navigation(w: WizardState, step: int, check: Callable[[], object]) -> None:
    """Back and Next; Next runs the step's check and moves on only when it passes."""
    left, right = st.columns([1, 5])
    if left.button(_("Back"), key="wizard.back"):
        w.step = step - 1
        st.rerun()
    if right.button(_("Next"), key="wizard.next", type="primary"):
        try:
            check()
        except OrderError as error:
            st.error(md(error.message))
            return
        w.advance(step)
        st.rerun()


def step_tariffs(w: WizardState) -> None:
    """Step 1: the event, quantities per tariff, discount codes, live totals."""
    choices = events()
    if w.mode == "create":
        if not choices:
            st.info(_("No event yet: an administrator creates events and tariffs in the catalogue."))
            return
        names = {e["id"]: e["name"] for e in choices}
        seed("wizard.w.event", w.event_id if w.event_id in names else None)
        event_id = st.selectbox(
            _("Event"),
            list(names),
            format_func=names.get,
            key="wizard.w.event",
            index=None,
            placeholder=_("Choose an event"),
        )
        if event_id != w.event_id:
            w.choose_event(event_id)
        if event_id is None:
            return
    else:
        name = next((e["name"] for e in choices if e["id"] == w.event_id), "")
        st.markdown(_("**Event:** {name}").format(name=md(name)))
    tariffs = cached_query(wizard_tariffs, w.event_id, tuple(int(k) for k in w.kept))
    if tariffs.empty:
        st.info(_("This event has no tariff on sale."))
        return
    st.subheader(_("Badges, tickets and products"))
    quantities = {}
    for row in tariffs.itertuples():
        key = f"wizard.w.qty.{row.id}"
        seed(key, int(w.quantities.get(str(row.id), 0)))
        left = "" if pd.isna(row.remaining) else " · " + counted("{count} left", "{count} left", row.remaining)
        label = (
            f"{row.name} ({_(TARIFF_KIND_LABELS[TariffKind(row.kind)])}) — "
            + _("{price} excl. tax, tax {rate}").format(
                price=money(row.unit_price_ht, row.currency), rate=rate(row.tax_rate)
            )
            + left
        )
        quantities[str(row.id)] = int(st.number_input(label, min_value=0, step=1, key=key))
    w.quantities = {k: v for k, v in quantities.items() if v}
    _discount_codes(w)
    _live_totals(w)
    if st.button(_("Next"), key="wizard.next", type="primary"):
        try:
            quote(w, strict=True)
        except OrderError as error:
            st.error(md(error.message))
            return
        w.advance(1)
        st.rerun()


def _discount_codes(w: WizardState) -> None:
    st.subheader(_("Discount code"))
    if w.clear_code:
        w.clear_code = False
        st.session_state["wizard.w.code"] = ""
    add_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    code = add_col.text_input(_("Code"), key="wizard.w.code")
    if button_col.button(_("Add the code"), key="wizard.add_code"):
        candidate = code.strip().upper()
        if not candidate:
            st.error(_("Type a code first."))
        else:
            try:
                quote(w, strict=False, codes=[*w.codes, candidate])
            except OrderError as error:
                st.error(md(error.message))
            else:
                w.codes = list(dict.fromkeys([*w.codes, candidate]))
                w.clear_code = True
                st.rerun()
    for existing in list(w.codes):
        code_col, remove_col = st.columns([3, 1])
        code_col.markdown(f"**{md(existing)}**")
        if remove_col.button(_("Remove"), key=f"wizard.remove_code.{existing}"):
            w.codes = [c for c in w.codes if c != existing]
            st.rerun()


def _live_totals(w: WizardState) -> None:
    st.subheader(_("Total"))
    try:
        current = quote(w, strict=False)
    except OrderError as error:
        st.warning(md(error.message))
        return
    if not current.lines:
        st.caption(_("No quantity chosen yet."))
    for totals in current.totals.values():
        columns = st.columns(4)
        columns[0].metric(_("Quantity"), totals.quantity)
        columns[1].metric(
            _("Total excl. tax ({currency})").format(currency=totals.currency), money(totals.total_ht, totals.currency)
        )
        columns[2].metric(
            _("Total incl. tax ({currency})").format(currency=totals.currency),
            money(totals.total_ttc, totals.currency),
        )
        columns[3].metric(_("Discount"), money(totals.total_discount, totals.currency))


def step_buyer(w: WizardState) -> None:
    """Step 2: the buyer and billing details, and the event's order-form fields."""
    buyer = dict(w.buyer)
    left, right = st.columns(2)
    for index, (key, label) in enumerate(BUYER_LABELS.items()):
        column = left if index % 2 == 0 else right
        widget = f"wizard.w.buyer.{key}"
        seed(widget, buyer.get(key, ""))
        mandatory = " *" if key in ("first_name", "last_name", "email") else ""
        buyer[key] = column.text_input(_(label) + mandatory, key=widget)
    seed("wizard.w.buyer.language", buyer.get("language") or "en")
    buyer["language"] = st.selectbox(
        _("Language of the emails"), list(LANGUAGES), format_func=LANGUAGES.get, key="wizard.w.buyer.language"
    )
    w.buyer = buyer
    fields = cached_query(event_fields, w.event_id, ORDER_FORMS)
    if fields:
        st.subheader(_("More details"))
        w.custom = {**w.custom, **custom_fields(fields, "wizard.w.custom.", w.custom)}
    navigation(w, 2, lambda: (clean_buyer(w.buyer), validate_values(fields, w.custom)))


def step_holders(w: WizardState) -> None:
    """Step 3: one holder per badge or ticket unit (and a seat on a seated event)."""
    try:
        units = quote(w, strict=True).units
    except OrderError as error:
        st.error(md(error.message))
        return
    if not units:
        st.info(_("No badge or ticket in this order: no holder to fill in."))
    badge_fields = cached_query(event_fields, w.event_id, ("badge",))
    seated = next((e["seated"] for e in events() if e["id"] == w.event_id), False)
    unit_tariffs = [line.tariff_id for line in units]
    plan = load_plan(w.event_id, w.order_id) if seated and units else None
    picture = st.container()
    counters: dict[int, int] = {}
    for position, (line, holder) in enumerate(zip(units, w.holder_list(unit_tariffs))):
        index = counters.get(line.tariff_id, 0)
        counters[line.tariff_id] = index + 1
        w.keep_holder(line.tariff_id, index, _holder_form(w, line, holder, position, index, plan, badge_fields))
    chosen = [h.get("seat") or "" for h in w.holder_list(unit_tariffs)]
    show_plan(plan, key="wizard.w.plan", chosen=chosen, where=picture)  # above the holders, now their seats are known

    def check() -> None:
        clean_holders(w.holder_list(unit_tariffs), len(units), badge_fields)
        check_seats_picked(plan, chosen)

    navigation(w, 3, check)


def _holder_form(w: WizardState, line, holder: dict, position: int, index: int, plan, badge_fields) -> dict:
    prefix = f"wizard.w.h.{line.tariff_id}.{index}."
    with st.container(border=True):
        st.markdown(f"**{md(line.name)}** — " + _("holder {n}").format(n=position + 1))
        same = False
        if position == 0:
            seed(prefix + "same", bool(holder.get("same_as_buyer")))
            same = st.checkbox(_("Same as buyer"), key=prefix + "same")
        holder = dict(holder, same_as_buyer=same)
        if same:
            for key in ("first_name", "last_name", "email"):
                holder[key] = w.buyer.get(key, "")
                st.session_state[prefix + key] = holder[key]
        columns = st.columns(3)
        for column, key, label in zip(
            columns,
            ("first_name", "last_name", "email"),
            (_("First name") + " *", _("Last name") + " *", _("Email")),
        ):
            seed(prefix + key, holder.get(key, ""))
            holder[key] = column.text_input(label, key=prefix + key, disabled=same)
        if plan is not None:
            holder["seat"] = seat_picker(_("Seat"), key=prefix + "seat", plan=plan, current=holder.get("seat") or "")
        holder["fields"] = custom_fields(badge_fields, prefix + "f.", holder.get("fields") or {})
    return holder


def step_summary(w: WizardState) -> None:
    """Step 4: the summary, the payment choice the domain offers this user, the email, save."""
    try:
        current = quote(w, strict=True)
    except OrderError as error:
        st.error(md(error.message))
        return
    totals = current.total
    _summary_table(current)
    st.markdown(
        _("**Buyer:** {name} <{email}>").format(
            name=md(f"{w.buyer.get('first_name', '')} {w.buyer.get('last_name', '')}"),
            email=md(w.buyer.get("email", "")),
        )
    )
    if current.code:
        st.markdown(_("**Discount code:** {code}").format(code=md(current.code)))

    st.subheader(_("Payment"))
    facts = cached_query(order_facts, number=w.number) if w.mode == "modify" else None
    offer = draft_payment(current_user()["role"], total_ttc=totals.total_ttc, current=facts)
    payment = dict(w.payment)
    if offer.free:
        st.info(_("The total is zero: the order is free and validated at once."))
        payment["mode"] = "free"
    else:
        _payment_choice(w, offer, payment)
    w.payment = payment

    wanted, w.send = w.send, False  # never for an order paid or free at once
    if offer.may_send_payment_details(payment["mode"]):
        seed("wizard.w.send", wanted)
        w.send = st.checkbox(_("Send the payment details to the buyer by email"), key="wizard.w.send")
    if w.send:
        _template_choice(w)
    w.notify = False
    if w.mode == "modify":
        seed("wizard.w.notify", False)
        w.notify = st.checkbox(_("Tell the buyer that the order changed (email)"), key="wizard.w.notify")

    left, right = st.columns([1, 5])
    if left.button(_("Back"), key="wizard.back"):
        w.step = 3
        st.rerun()
    label = _("Save the changes") if w.mode == "modify" else _("Create the order")
    if right.button(label, key="wizard.save", type="primary"):
        save(w, current)


def _summary_table(current) -> None:
    totals = current.total
    table = pd.DataFrame(
        [
            {
                _("Tariff"): line.name,
                _("Quantity"): line.quantity,
                _("Unit price excl. tax"): money(line.unit_price_ht, line.currency),
                _("Tax rate"): rate(line.tax_rate),
                _("Discount"): money(line.discount_amount, line.currency),
                _("Total excl. tax"): money(line.total_ht, line.currency),
                _("Total incl. tax"): money(line.total_ttc, line.currency),
            }
            for line in current.lines
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    columns = st.columns(3)
    columns[0].metric(
        _("Total excl. tax ({currency})").format(currency=totals.currency), money(totals.total_ht, totals.currency)
    )
    columns[1].metric(_("Tax"), money(totals.total_tax, totals.currency))
    columns[2].metric(
        _("Total incl. tax ({currency})").format(currency=totals.currency), money(totals.total_ttc, totals.currency)
    )


def _payment_choice(w: WizardState, offer, payment: dict) -> None:
    labels = {mode: _(PAYMENT_CHOICES[mode]) for mode in offer.choices if mode in PAYMENT_CHOICES}
    if "keep" in offer.choices:
        labels["keep"] = _("Keep as it is ({mode}, {status})").format(
            mode=payment_mode_label(w.payment_mode), status=status_label(w.status)
        )
    modes = list(offer.choices)
    seed("wizard.w.pay_mode", payment.get("mode") if payment.get("mode") in modes else modes[0])
    payment["mode"] = st.radio(_("Payment mode"), modes, format_func=labels.get, key="wizard.w.pay_mode")
    if choice_gets_due_date(payment["mode"]):  # a modified order already awaiting its invoice keeps its date
        keeps = w.mode == "modify" and awaits_invoice_payment(w.status, w.payment_mode)
        render_due_date_preview(None if keeps else next((e for e in events() if e["id"] == w.event_id), None))
    if payment["mode"] != "paid_offline":
        return
    methods = [m.value for m in offer.methods]
    seed("wizard.w.pay_method", payment.get("method") if payment.get("method") in methods else methods[0])
    payment["method"] = st.selectbox(
        _("Paid by"),
        methods,
        key="wizard.w.pay_method",
        format_func=lambda m: _(PAYMENT_METHOD_LABELS[PaymentMethod(m)]),
    )
    seed("wizard.w.pay_reference", payment.get("reference") or "")
    payment["reference"] = st.text_input(_("Payment reference"), key="wizard.w.pay_reference")
    seed(
        "wizard.w.pay_date",
        date.fromisoformat(payment["received_on"]) if payment.get("received_on") else date.today(),
    )
    received = st.date_input(_("Received on"), key="wizard.w.pay_date", max_value=date.today())
    payment["received_on"] = received.isoformat() if received else None


def _template_choice(w: WizardState) -> None:
    templates = cached_query(payment_templates, w.event_id)
    options = [0] + [t["id"] for t in templates]  # 0: the built-in text (None would read as "no choice")
    names = {t["id"]: f"{t['name']} ({t['language']})" for t in templates}
    seed(
        "wizard.w.template",
        w.template_id if w.template_id in options else (options[1] if len(options) > 1 else 0),
    )
    w.template_id = st.selectbox(
        _("Email template"),
        options,
        key="wizard.w.template",
        format_func=lambda t: names.get(t, _("Built-in payment details email")),
    )


STEPS = {1: step_tariffs, 2: step_buyer, 3: step_holders, 4: step_summary}
