"""New order (and "Modify order" with ?modify=NUMBER): the four-step wizard of rule 5.

Thin: the steps collect plain values in `wizard.*` keys; every check is a service's (the quote,
clean_buyer, validate_values, clean_holders), and saving is one service call in one transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pandas as pd
import streamlit as st

from orders_core.db import unit_of_work
from orders_core.errors import ConflictError, OrderError
from orders_core.i18n import LANGUAGES, _, format_number
from orders_core.services.forms import ORDER_FORMS, validate_values
from orders_core.services.order_changes import modify_order
from orders_core.services.order_creation import (
    OFFLINE_METHODS,
    PAYMENT_CHOICES,
    clean_buyer,
    clean_holders,
    create_order,
)
from orders_core.status import PAYMENT_METHOD_LABELS, TARIFF_KIND_LABELS, PaymentMethod, TariffKind
from queries.wizard import event_fields, live_quote, order_for_edit, payment_templates, wizard_events, wizard_tariffs
from ui.data import clear_after_write, engine
from ui.format import money, payment_mode_label, status_label
from ui.guard import require_router
from ui.session import current_actor
from ui.wizard_widgets import custom_fields, reset_wizard, seed

require_router()

S = st.session_state
STEPS = {1: _("Tariffs"), 2: _("Buyer and billing"), 3: _("Holders"), 4: _("Summary and payment")}
BUYER_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "company_name": _("Company"),
    "billing_address": _("Billing address"),
    "billing_postcode": _("Postcode"),
    "billing_city": _("City"),
    "billing_country": _("Country (2 letters)"),
    "vat_number": _("VAT number"),
}
DETAIL_PAGE = "pages/order_detail.py"
DETAIL_FLASH = "order_detail.flash"  # a one-time message for the order page, after a save


# --- state ---------------------------------------------------------------------------------------


def start(mode: str, loaded: dict | None = None) -> None:
    reset_wizard()
    S["wizard.mode"], S["wizard.step"], S["wizard.validated"] = mode, 1, 0
    S["wizard.quantities"], S["wizard.codes"], S["wizard.buyer"] = {}, [], {"language": "en"}
    S["wizard.custom"], S["wizard.holders"], S["wizard.payment"] = {}, {}, {"mode": "invoice"}
    if loaded:
        for key in (
            "order_id",
            "number",
            "version",
            "event_id",
            "quantities",
            "codes",
            "buyer",
            "custom",
            "holders",
            "status",
            "payment_mode",
        ):
            S[f"wizard.{key}"] = loaded[key]
        S["wizard.payment"] = {"mode": loaded["payment"]}
        S["wizard.payment_initial"] = loaded["payment"]
        S["wizard.kept"] = {int(k): int(v) for k, v in loaded["quantities"].items()}
        S["wizard.kept_code"] = loaded["codes"][0] if loaded["codes"] else None
        S["wizard.validated"] = 3  # an existing order has been through every step


def modify_number() -> int | None:
    value = st.query_params.get("modify")
    return int(value) if value and str(value).isdigit() else None


def quote(strict: bool):
    return live_quote(
        engine(),
        event_id=S["wizard.event_id"],
        quantities=S["wizard.quantities"],
        codes=S["wizard.codes"],
        exclude_order_id=S.get("wizard.order_id"),
        kept=S.get("wizard.kept"),
        kept_code=S.get("wizard.kept_code"),
        require_units=strict,
        strict=strict,
    )


def holder_list(units) -> list[dict]:
    """The holders in the quote's unit order (stored per tariff, so quantities can change)."""
    taken: dict[int, int] = {}
    result = []
    for line in units:
        index = taken.get(line.tariff_id, 0)
        taken[line.tariff_id] = index + 1
        stored = S["wizard.holders"].get(str(line.tariff_id), [])
        result.append(stored[index] if index < len(stored) else {})
    return result


def advance(step: int) -> None:
    S["wizard.validated"] = max(S["wizard.validated"], step)
    S["wizard.step"] = step + 1


# --- steps ---------------------------------------------------------------------------------------


def step_tariffs() -> None:
    events = wizard_events(engine())
    if S["wizard.mode"] == "create":
        if not events:
            st.info(_("No event yet: an administrator creates events and tariffs in the catalogue."))
            return
        names = {e["id"]: e["name"] for e in events}
        seed("wizard.w.event", S.get("wizard.event_id") if S.get("wizard.event_id") in names else None)
        event_id = st.selectbox(
            _("Event"),
            list(names),
            format_func=names.get,
            key="wizard.w.event",
            index=None,
            placeholder=_("Choose an event"),
        )
        if event_id != S.get("wizard.event_id"):
            S["wizard.event_id"], S["wizard.quantities"], S["wizard.codes"] = event_id, {}, []
            S["wizard.custom"], S["wizard.holders"], S["wizard.validated"] = {}, {}, 0
        if event_id is None:
            return
    else:
        name = next((e["name"] for e in events if e["id"] == S["wizard.event_id"]), "")
        st.markdown(_("**Event:** {name}").format(name=name))
    tariffs = wizard_tariffs(engine(), S["wizard.event_id"], list(S.get("wizard.kept") or {}))
    if tariffs.empty:
        st.info(_("This event has no tariff on sale."))
        return
    st.subheader(_("Badges, tickets and products"))
    quantities = {}
    for row in tariffs.itertuples():
        key = f"wizard.w.qty.{row.id}"
        seed(key, int(S["wizard.quantities"].get(str(row.id), 0)))
        left = "" if pd.isna(row.remaining) else " · " + _("{n} left").format(n=int(row.remaining))
        label = (
            f"{row.name} ({_(TARIFF_KIND_LABELS[TariffKind(row.kind)])}) — "
            + _("{price} excl. tax, tax {rate} %").format(
                price=money(row.unit_price_ht, row.currency), rate=format_number(row.tax_rate)
            )
            + left
        )
        quantities[str(row.id)] = int(st.number_input(label, min_value=0, step=1, key=key))
    S["wizard.quantities"] = {k: v for k, v in quantities.items() if v}

    st.subheader(_("Discount code"))
    if S.pop("wizard.clear_code", False):
        S["wizard.w.code"] = ""
    add_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    code = add_col.text_input(_("Code"), key="wizard.w.code")
    if button_col.button(_("Add the code"), key="wizard.add_code"):
        candidate = code.strip().upper()
        if not candidate:
            st.error(_("Type a code first."))
        else:
            try:
                live_quote(
                    engine(),
                    event_id=S["wizard.event_id"],
                    quantities=S["wizard.quantities"],
                    codes=[*S["wizard.codes"], candidate],
                    exclude_order_id=S.get("wizard.order_id"),
                    kept=S.get("wizard.kept"),
                    kept_code=S.get("wizard.kept_code"),
                    require_units=False,
                )
                S["wizard.codes"] = list(dict.fromkeys([*S["wizard.codes"], candidate]))
                S["wizard.clear_code"] = True
                st.rerun()
            except OrderError as error:
                st.error(error.message)
    for existing in list(S["wizard.codes"]):
        code_col, remove_col = st.columns([3, 1])
        code_col.markdown(f"**{existing}**")
        if remove_col.button(_("Remove"), key=f"wizard.remove_code.{existing}"):
            S["wizard.codes"] = [c for c in S["wizard.codes"] if c != existing]
            st.rerun()

    st.subheader(_("Total"))
    try:
        current = quote(strict=False)
        if not current.lines:
            st.caption(_("No quantity chosen yet."))
        for totals in current.totals.values():
            columns = st.columns(4)
            columns[0].metric(_("Quantity"), totals.quantity)
            columns[1].metric(
                _("Total excl. tax ({currency})").format(currency=totals.currency),
                money(totals.total_ht, totals.currency),
            )
            columns[2].metric(
                _("Total incl. tax ({currency})").format(currency=totals.currency),
                money(totals.total_ttc, totals.currency),
            )
            columns[3].metric(_("Discount"), money(totals.total_discount, totals.currency))
    except OrderError as error:
        st.warning(error.message)

    if st.button(_("Next"), key="wizard.next", type="primary"):
        try:
            quote(strict=True)
            advance(1)
            st.rerun()
        except OrderError as error:
            st.error(error.message)


def step_buyer() -> None:
    buyer = dict(S["wizard.buyer"])
    left, right = st.columns(2)
    for index, (key, label) in enumerate(BUYER_LABELS.items()):
        column = left if index % 2 == 0 else right
        widget = f"wizard.w.buyer.{key}"
        seed(widget, buyer.get(key, ""))
        mandatory = " *" if key in ("first_name", "last_name", "email") else ""
        buyer[key] = column.text_input(label + mandatory, key=widget)
    seed("wizard.w.buyer.language", buyer.get("language") or "en")
    buyer["language"] = st.selectbox(
        _("Language of the emails"), list(LANGUAGES), format_func=LANGUAGES.get, key="wizard.w.buyer.language"
    )
    S["wizard.buyer"] = buyer
    fields = event_fields(engine(), S["wizard.event_id"], ORDER_FORMS)
    if fields:
        st.subheader(_("More details"))
        S["wizard.custom"] = {**S["wizard.custom"], **custom_fields(fields, "wizard.w.custom.", S["wizard.custom"])}
    navigation(2, lambda: (clean_buyer(S["wizard.buyer"]), validate_values(fields, S["wizard.custom"])))


def step_holders() -> None:
    try:
        units = quote(strict=True).units
    except OrderError as error:
        st.error(error.message)
        return
    if not units:
        st.info(_("No badge or ticket in this order: no holder to fill in."))
    badge_fields = event_fields(engine(), S["wizard.event_id"], ("badge",))
    seated = next((e["seated"] for e in wizard_events(engine()) if e["id"] == S["wizard.event_id"]), False)
    holders = holder_list(units)
    counters: dict[int, int] = {}
    for position, (line, holder) in enumerate(zip(units, holders)):
        index = counters.get(line.tariff_id, 0)
        counters[line.tariff_id] = index + 1
        prefix = f"wizard.w.h.{line.tariff_id}.{index}."
        with st.container(border=True):
            st.markdown(f"**{line.name}** — " + _("holder {n}").format(n=position + 1))
            same = False
            if position == 0:
                seed(prefix + "same", bool(holder.get("same_as_buyer")))
                same = st.checkbox(_("Same as buyer"), key=prefix + "same")
            holder = dict(holder, same_as_buyer=same)
            if same:
                buyer = S["wizard.buyer"]
                for key in ("first_name", "last_name", "email"):
                    holder[key] = buyer.get(key, "")
                    S[prefix + key] = holder[key]
            columns = st.columns(3)
            for column, key, label in zip(
                columns,
                ("first_name", "last_name", "email"),
                (_("First name") + " *", _("Last name") + " *", _("Email")),
            ):
                seed(prefix + key, holder.get(key, ""))
                holder[key] = column.text_input(label, key=prefix + key, disabled=same)
            if seated:
                seed(prefix + "seat", holder.get("seat", ""))
                holder["seat"] = st.text_input(_("Seat"), key=prefix + "seat")
            holder["fields"] = custom_fields(badge_fields, prefix + "f.", holder.get("fields") or {})
        stored = S["wizard.holders"].setdefault(str(line.tariff_id), [])
        while len(stored) <= index:
            stored.append({})
        stored[index] = holder
    navigation(3, lambda: clean_holders(holder_list(units), len(units), badge_fields))


def step_summary() -> None:
    try:
        current = quote(strict=True)
    except OrderError as error:
        st.error(error.message)
        return
    totals = current.total
    table = pd.DataFrame(
        [
            {
                _("Tariff"): line.name,
                _("Quantity"): line.quantity,
                _("Unit price excl. tax"): money(line.unit_price_ht, line.currency),
                _("Tax rate"): f"{format_number(line.tax_rate)} %",
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
    buyer = S["wizard.buyer"]
    st.markdown(
        _("**Buyer:** {name} <{email}>").format(
            name=f"{buyer.get('first_name', '')} {buyer.get('last_name', '')}", email=buyer.get("email", "")
        )
    )
    if current.code:
        st.markdown(_("**Discount code:** {code}").format(code=current.code))

    st.subheader(_("Payment"))
    payment = dict(S["wizard.payment"])
    if totals.total_ttc == 0:
        st.info(_("The total is zero: the order is free and validated at once."))
        payment["mode"] = "free"
    else:
        modes = ["invoice", "paid_offline", "undecided"]
        labels = {m: _(PAYMENT_CHOICES[m]) for m in modes}
        if S["wizard.mode"] == "modify" and S.get("wizard.payment_initial") == "keep":
            modes.insert(0, "keep")
            labels["keep"] = _("Keep as it is ({mode}, {status})").format(
                mode=payment_mode_label(S["wizard.payment_mode"]), status=status_label(S["wizard.status"])
            )
        seed("wizard.w.pay_mode", payment.get("mode") if payment.get("mode") in modes else "invoice")
        payment["mode"] = st.radio(_("Payment mode"), modes, format_func=labels.get, key="wizard.w.pay_mode")
        if payment["mode"] == "paid_offline":
            seed("wizard.w.pay_method", payment.get("method") or "bank_transfer")
            payment["method"] = st.selectbox(
                _("Paid by"),
                list(OFFLINE_METHODS),
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
    S["wizard.payment"] = payment

    seed("wizard.w.send", bool(S.get("wizard.send")))
    send = st.checkbox(_("Send the payment details to the buyer by email"), key="wizard.w.send")
    S["wizard.send"] = send
    template_id = None
    if send:
        templates = payment_templates(engine(), S["wizard.event_id"])
        options = [0] + [t["id"] for t in templates]  # 0: the built-in text (None would read as "no choice")
        names = {t["id"]: f"{t['name']} ({t['language']})" for t in templates}
        seed(
            "wizard.w.template",
            S.get("wizard.template_id")
            if S.get("wizard.template_id") in options
            else (options[1] if len(options) > 1 else 0),
        )
        chosen = st.selectbox(
            _("Email template"),
            options,
            key="wizard.w.template",
            format_func=lambda t: names.get(t, _("Built-in payment details email")),
        )
        S["wizard.template_id"] = chosen
        template_id = chosen or None
    notify = False
    if S["wizard.mode"] == "modify":
        seed("wizard.w.notify", False)
        notify = st.checkbox(_("Tell the buyer that the order changed (email)"), key="wizard.w.notify")

    left, right = st.columns([1, 5])
    if left.button(_("Back"), key="wizard.back"):
        S["wizard.step"] = 3
        st.rerun()
    label = _("Save the changes") if S["wizard.mode"] == "modify" else _("Create the order")
    if right.button(label, key="wizard.save", type="primary"):
        save(current, payment, send, template_id, notify)


def save(current, payment: dict, send: bool, template_id, notify: bool) -> None:
    received = payment.get("received_on")
    service_payment = {
        "mode": payment.get("mode"),
        "method": payment.get("method"),
        "reference": payment.get("reference", ""),
        "received_at": datetime.combine(date.fromisoformat(received), time(12), tzinfo=UTC)
        if received and date.fromisoformat(received) < date.today()
        else None,
    }
    common = dict(
        quantities={int(k): v for k, v in S["wizard.quantities"].items()},
        codes=S["wizard.codes"],
        buyer=S["wizard.buyer"],
        holders=holder_list(current.units),
        custom_values=S["wizard.custom"],
        payment=service_payment,
        send_payment_details=send,
        template_id=template_id,
    )
    try:
        with unit_of_work(engine()) as session:
            if S["wizard.mode"] == "modify":
                order = modify_order(
                    session,
                    actor=current_actor(),
                    order_id=S["wizard.order_id"],
                    expected_version=S["wizard.version"],
                    notify_buyer=notify,
                    **common,
                )
            else:
                order = create_order(session, actor=current_actor(), event_id=S["wizard.event_id"], **common)
            number = order.number
    except ConflictError as error:
        S["wizard.conflict"] = error.message
        st.rerun()
    except OrderError as error:
        st.error(error.message)
        return
    clear_after_write()
    saved = _("Order {number} saved.") if S["wizard.mode"] == "modify" else _("Order {number} created.")
    reset_wizard()
    S[DETAIL_FLASH] = saved.format(number=number)  # shown once by the order's page
    st.query_params.clear()
    st.switch_page(DETAIL_PAGE, query_params={"order": str(number)})


def navigation(step: int, check) -> None:
    left, right = st.columns([1, 5])
    if left.button(_("Back"), key="wizard.back"):
        S["wizard.step"] = step - 1
        st.rerun()
    if right.button(_("Next"), key="wizard.next", type="primary"):
        try:
            check()
            advance(step)
            st.rerun()
        except OrderError as error:
            st.error(error.message)


def show_conflict() -> None:
    st.error(S["wizard.conflict"])
    fresh = order_for_edit(engine(), S["wizard.number"])
    if fresh is None:
        st.warning(_("The order has been deleted meanwhile."))
    else:
        st.info(
            _("Its state now: {status}, {mode}, version {version}.").format(
                status=status_label(fresh["status"]),
                mode=payment_mode_label(fresh["payment_mode"]),
                version=fresh["version"],
            )
        )
    if st.button(_("Reload the order and start again"), key="wizard.reload"):
        number = S["wizard.number"]
        reset_wizard()
        st.query_params["modify"] = str(number)
        st.rerun()


# --- page ----------------------------------------------------------------------------------------

wanted = modify_number()
if wanted is not None and (S.get("wizard.mode") != "modify" or S.get("wizard.number") != wanted):
    loaded = order_for_edit(engine(), wanted)
    if loaded is None:
        st.error(_("Order {number} does not exist or has been deleted.").format(number=wanted))
        st.stop()
    if loaded["status"] in ("paid", "cancelled"):
        st.title(_("Modify order {number}").format(number=wanted))
        st.error(
            _("Order {number} is {status}: paid and cancelled orders cannot be modified.").format(
                number=wanted, status=status_label(loaded["status"])
            )
        )
        st.stop()
    start("modify", loaded)
elif wanted is None and S.get("wizard.mode") != "create":
    start("create")

title = (
    _("Modify order {number}").format(number=S.get("wizard.number")) if S["wizard.mode"] == "modify" else _("New order")
)
st.title(title)
if S.get("wizard.conflict"):
    show_conflict()
    st.stop()

menu, body = st.columns([1, 4])
with menu:
    for number, label in STEPS.items():
        reachable = number <= S["wizard.validated"] + 1
        if st.button(
            f"{number}. {label}",
            key=f"wizard.goto.{number}",
            disabled=not reachable,
            type="primary" if number == S["wizard.step"] else "secondary",
            width="stretch",
        ):
            S["wizard.step"] = number
            st.rerun()
    if st.button(
        _("Start over"), key="wizard.reset", width="stretch", help=_("Forget what was typed; nothing has been saved.")
    ):
        mode, number = S["wizard.mode"], S.get("wizard.number")
        reset_wizard()
        if mode == "modify":
            st.query_params["modify"] = str(number)
        st.rerun()
with body:
    step = S["wizard.step"]
    st.subheader(f"{step}. {STEPS[step]}")
    if step > 1 and not S.get("wizard.event_id"):
        S["wizard.step"] = 1
        st.rerun()
    {1: step_tariffs, 2: step_buyer, 3: step_holders, 4: step_summary}[step]()
