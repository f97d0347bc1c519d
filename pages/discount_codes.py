"""Discount codes of an event (admin, event manager): percentage or fixed amount in the event's
currency (100 % allowed), applicable tariffs, usage limit, validity dates. Shows uses and the
revenue given away (discounts of paid orders, per currency)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_money, ngettext
from orders_core.services.catalogue import create_code, delete_code, set_code_active, update_code
from queries.catalogue import discount_codes_of_event, tariffs_of_event
from ui.catalogue import datetime_input, event_selector, history, when
from ui.data import cached_query
from ui.format import rate
from ui.guard import require_router
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

require_router()

PAGE = "codes"
DONE = f"{PAGE}.done"  # the success message shown after the rerun
PERCENT, AMOUNT = "percent", "amount"

st.title(_("Discount codes"))
show_notice(DONE)
event = event_selector(PAGE)
if event is None:
    st.info(_("No event yet: create an event first (Catalogue › Events)."))
    st.stop()
event_id, currency, timezone = int(event["id"]), event["currency"], event["timezone"]
codes = cached_query(discount_codes_of_event, event_id)
tariffs = cached_query(tariffs_of_event, event_id)
tariff_names = dict(zip(tariffs["id"], tariffs["name"]))


def discount_label(row) -> str:
    if row["percent_off"] is not None and not pd.isna(row["percent_off"]):
        return rate(row["percent_off"])
    return format_money(row["amount_off"], currency)


def given_away_label(amounts: dict) -> str:
    return ", ".join(format_money(v, c) for c, v in sorted(amounts.items())) or format_money(0, currency)


if codes.empty:
    st.info(_("No discount code for this event yet. Add the first one below."))
else:
    st.dataframe(
        pd.DataFrame(
            {
                _("Code"): codes["code"],
                _("Discount"): [discount_label(row) for _i, row in codes.iterrows()],
                _("Applies to"): [
                    ", ".join(tariff_names.get(t, f"#{t}") for t in ids) or _("All tariffs")
                    for ids in codes["tariff_ids"]
                ],
                _("Usage limit"): [_("unlimited") if pd.isna(v) else str(int(v)) for v in codes["max_uses"]],
                _("Uses"): codes["uses"],
                _("Paid uses"): codes["paid_uses"],
                _("Revenue given away"): [given_away_label(v) for v in codes["given_away"]],
                _("Valid from"): [when(v, timezone) for v in codes["valid_from"]],
                _("Valid until"): [when(v, timezone) for v in codes["valid_until"]],
                _("Active"): codes["active"].astype(bool),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _(
            "Uses = orders with the code, not cancelled, failed or deleted. Revenue given away = the "
            "discounts of the paid orders, excluding tax."
        )
    )


def code_fields(prefix: str, current: dict | None) -> dict:
    """The code form's widgets (inside an st.form); returns the service's keyword arguments."""
    new = current is None
    current = current or {}
    code = st.text_input(
        _("Code (case does not matter)"), value=current.get("code", ""), key=f"{prefix}.code", max_chars=64
    )
    is_amount = current.get("amount_off") is not None and not pd.isna(current.get("amount_off"))
    left, right = st.columns(2)
    kind = left.radio(
        _("Discount"),
        [PERCENT, AMOUNT],
        index=1 if is_amount else 0,
        key=f"{prefix}.kind",
        horizontal=True,
        format_func=lambda k: (
            _("Percentage") if k == PERCENT else _("Fixed amount ({currency})").format(currency=currency)
        ),
    )
    old = current.get("amount_off") if is_amount else current.get("percent_off")
    value = right.text_input(
        _("Value (percent, or amount in {currency})").format(currency=currency),
        value="" if old is None or pd.isna(old) else f"{old:f}",
        key=f"{prefix}.value",
    )
    chosen = st.multiselect(
        _("Applies to (empty = all tariffs)"),
        list(tariff_names),
        format_func=tariff_names.get,
        default=[t for t in current.get("tariff_ids", []) if t in tariff_names],
        key=f"{prefix}.tariffs",
    )
    max_uses = current.get("max_uses")
    max_uses = st.number_input(
        _("Usage limit (empty = unlimited)"),
        min_value=1,
        step=1,
        key=f"{prefix}.max_uses",
        value=None if max_uses is None or pd.isna(max_uses) else int(max_uses),
    )
    valid_from = datetime_input(_("Valid from (optional)"), current.get("valid_from"), timezone, f"{prefix}.from")
    valid_until = datetime_input(_("Valid until (optional)"), current.get("valid_until"), timezone, f"{prefix}.until")
    # Editing leaves `active` to the Deactivate button, which asks for confirmation first.
    active = st.checkbox(_("Active"), value=True, key=f"{prefix}.active") if new else None
    value = (value or "").strip() or None
    return dict(
        code=code,
        percent_off=value if kind == PERCENT else None,
        amount_off=value if kind == AMOUNT else None,
        tariff_ids=chosen,
        max_uses=None if max_uses is None else int(max_uses),
        valid_from=valid_from,
        valid_until=valid_until,
        **({"active": active} if new else {}),
    )


with st.expander(_("New discount code"), expanded=codes.empty), st.form("codes.new"):
    values = code_fields("codes.new", None)
    if st.form_submit_button(_("Add the code"), type="primary"):
        run_service(
            lambda s: create_code(s, actor=current_actor(), event_id=event_id, **values),
            success=_("Code {code} added.").format(code=md(values["code"].strip().upper())),
            notice=DONE,
        )

if codes.empty:
    st.stop()

st.subheader(_("Edit a discount code"))
labels = dict(zip(codes["id"], codes["code"]))
code_id = st.selectbox(_("Code"), list(labels), format_func=labels.get, key="codes.selected")
row = codes[codes["id"] == code_id].iloc[0].to_dict()

with st.form(f"codes.edit.{code_id}"):
    values = code_fields(f"codes.edit.{code_id}", row)
    reason = st.text_input(_("Reason for the change (optional)"), key=f"codes.edit.{code_id}.reason")
    if st.form_submit_button(_("Save changes"), type="primary"):
        run_service(
            lambda s: update_code(s, actor=current_actor(), code_id=code_id, reason=reason or None, **values),
            success=_("Code {code} saved.").format(code=md(values["code"].strip().upper())),
            notice=DONE,
        )

confirm_key = "codes.confirm"
pending = st.session_state.get(confirm_key)
if pending and pending[1] == code_id:
    action = pending[0]
    if action == "deactivate":
        st.warning(
            ngettext(
                "Deactivate {code}? It can no longer be used; the {uses} order that used it keeps its discount.",
                "Deactivate {code}? It can no longer be used; the {uses} orders that used it keep their discount.",
                int(row["uses"]),
            ).format(code=md(row["code"]), uses=int(row["uses"]))
        )
    else:
        st.warning(_("Delete {code}? No order used it; this cannot be undone.").format(code=md(row["code"])))
    yes, no = st.columns(2)
    if yes.button(_("Confirm"), key="codes.confirm_yes", type="primary"):
        st.session_state.pop(confirm_key, None)
        if action == "deactivate":
            run_service(
                lambda s: set_code_active(s, actor=current_actor(), code_id=code_id, active=False),
                success=_("Code {code} deactivated.").format(code=md(row["code"])),
                notice=DONE,
            )
        else:
            run_service(
                lambda s: delete_code(s, actor=current_actor(), code_id=code_id),
                success=_("Code {code} deleted.").format(code=md(row["code"])),
                notice=DONE,
            )
    if no.button(_("Cancel"), key="codes.confirm_no"):
        st.session_state.pop(confirm_key, None)
        st.rerun()
else:
    left, right = st.columns(2)
    if row["active"]:
        if left.button(_("Deactivate"), key="codes.deactivate", icon=":material/pause_circle:"):
            st.session_state[confirm_key] = ("deactivate", code_id)
            st.rerun()
    elif left.button(_("Activate"), key="codes.activate", icon=":material/play_circle:"):
        run_service(
            lambda s: set_code_active(s, actor=current_actor(), code_id=code_id, active=True),
            success=_("Code {code} activated.").format(code=md(row["code"])),
            notice=DONE,
        )
    if row["uses"] or row["paid_uses"]:
        right.caption(_("This code has been used: it cannot be deleted, only deactivated."))
    elif right.button(_("Delete"), key="codes.delete", icon=":material/delete:"):
        st.session_state[confirm_key] = ("delete", code_id)
        st.rerun()

with st.expander(_("Catalogue log of the codes")):
    history(event_id, timezone, entity="discount_code")
