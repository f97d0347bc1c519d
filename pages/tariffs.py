"""Tariffs of an event (admin, event manager): kind, names EN/FR, price excl. tax, tax rate with
the usual presets, capacity, sales window, active. Shows sold, awaiting payment and remaining.
A tariff with orders is deactivated, never deleted; a new price applies to new orders only."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_money
from orders_core.services.catalogue import (
    TAX_RATE_PRESETS,
    create_tariff,
    delete_tariff,
    set_tariff_active,
    update_tariff,
)
from orders_core.status import TARIFF_KIND_LABELS, TariffKind
from queries.catalogue import tariffs_of_event
from ui.catalogue import datetime_input, event_selector, history, when
from ui.data import cached_query
from ui.format import rate
from ui.guard import require_router
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

require_router()

PAGE = "tariffs"
DONE = f"{PAGE}.done"  # the success message shown after the rerun
KINDS = [k.value for k in TariffKind]
CUSTOM = "custom"

st.title(_("Tariffs"))
show_notice(DONE)
event = event_selector(PAGE)
if event is None:
    st.info(_("No event yet: create an event first (Catalogue › Events)."))
    st.stop()
event_id, currency, timezone = int(event["id"]), event["currency"], event["timezone"]
tariffs = cached_query(tariffs_of_event, event_id)


def kind_label(kind: str) -> str:
    return _(TARIFF_KIND_LABELS[TariffKind(kind)])


def rate_label(value) -> str:
    return rate(value)


def units(value) -> str:
    return _("unlimited") if value is None or pd.isna(value) else str(int(value))


if tariffs.empty:
    st.info(_("No tariff for this event yet. Add the first one below."))
else:
    st.dataframe(
        pd.DataFrame(
            {
                _("Kind"): [kind_label(k) for k in tariffs["kind"]],
                _("Name"): tariffs["name"],
                _("Name (French)"): tariffs["name_fr"],
                _("Price excl. tax"): [
                    format_money(p, c) for p, c in zip(tariffs["unit_price_ht"], tariffs["currency"])
                ],
                _("Tax rate"): [rate_label(r) for r in tariffs["tax_rate"]],
                _("Capacity"): [units(v) for v in tariffs["capacity"]],
                _("Sold"): tariffs["sold"],
                _("Awaiting payment"): tariffs["awaiting"],
                _("Remaining"): [units(v) for v in tariffs["remaining"]],
                _("Sales open"): [when(v, timezone) for v in tariffs["sales_start"]],
                _("Sales close"): [when(v, timezone) for v in tariffs["sales_end"]],
                _("Active"): tariffs["active"].astype(bool),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _(
            "Sold = paid units; awaiting payment = units of orders waiting for payment or approval; "
            "remaining = capacity minus both."
        )
    )


def tariff_fields(prefix: str, current: dict | None) -> dict:
    """The tariff form's widgets (inside an st.form); returns the service's keyword arguments."""
    new = current is None
    current = current or {}
    kind = st.selectbox(
        _("Kind"), KINDS, format_func=kind_label, key=f"{prefix}.kind", index=KINDS.index(current.get("kind", "badge"))
    )
    left, right = st.columns(2)
    name = left.text_input(_("Name (English)"), value=current.get("name", ""), key=f"{prefix}.name", max_chars=200)
    name_fr = right.text_input(
        _("Name (French)"), value=current.get("name_fr", ""), key=f"{prefix}.name_fr", max_chars=200
    )
    left, right = st.columns(2)
    price = left.text_input(
        _("Price excl. tax ({currency})").format(currency=currency),
        value=str(current.get("unit_price_ht", "0.00")),
        key=f"{prefix}.price",
    )
    presets = [*TAX_RATE_PRESETS, CUSTOM]
    rate = Decimal(str(current["tax_rate"])) if current.get("tax_rate") is not None else Decimal("20.000")
    preset_now = next((k for k, (_label, value) in TAX_RATE_PRESETS.items() if value == rate), CUSTOM)
    preset = right.selectbox(
        _("Tax rate"),
        presets,
        index=presets.index(preset_now),
        key=f"{prefix}.preset",
        format_func=lambda k: _(TAX_RATE_PRESETS[k][0]) if k in TAX_RATE_PRESETS else _("Other rate"),
    )
    custom = right.text_input(
        _("Other rate (%), used when “Other rate” is chosen"),
        value=f"{rate.normalize():f}" if preset_now == CUSTOM else "",
        key=f"{prefix}.custom",
    )
    capacity = current.get("capacity")
    capacity = st.number_input(
        _("Capacity (empty = unlimited)"),
        min_value=0,
        step=1,
        key=f"{prefix}.capacity",
        value=None if capacity is None or pd.isna(capacity) else int(capacity),
    )
    sales_start = datetime_input(_("Sales open on (optional)"), current.get("sales_start"), timezone, f"{prefix}.start")
    sales_end = datetime_input(_("Sales close on (optional)"), current.get("sales_end"), timezone, f"{prefix}.end")
    # Editing leaves `active` to the Deactivate button, which asks for confirmation first.
    active = st.checkbox(_("Active (on sale)"), value=True, key=f"{prefix}.active") if new else None
    tax_rate = TAX_RATE_PRESETS[preset][1] if preset in TAX_RATE_PRESETS else (custom or "").strip()
    values = dict(
        kind=kind,
        name=name,
        name_fr=name_fr,
        unit_price_ht=(price or "").strip(),
        tax_rate=tax_rate,
        capacity=None if capacity is None else int(capacity),
        sales_start=sales_start,
        sales_end=sales_end,
    )
    return {**values, "active": active} if new else values


with st.expander(_("New tariff"), expanded=tariffs.empty), st.form("tariffs.new"):
    values = tariff_fields("tariffs.new", None)
    if st.form_submit_button(_("Add the tariff"), type="primary"):
        run_service(
            lambda s: create_tariff(s, actor=current_actor(), event_id=event_id, **values),
            success=_("Tariff {name} added.").format(name=md(values["name"].strip())),
            notice=DONE,
        )

if tariffs.empty:
    st.stop()

st.subheader(_("Edit a tariff"))
names = dict(zip(tariffs["id"], tariffs["name"]))
tariff_id = st.selectbox(_("Tariff"), list(names), format_func=names.get, key="tariffs.selected")
tariff = tariffs[tariffs["id"] == tariff_id].iloc[0].to_dict()

with st.form(f"tariffs.edit.{tariff_id}"):
    values = tariff_fields(f"tariffs.edit.{tariff_id}", tariff)
    reason = st.text_input(_("Reason for the change (optional)"), key=f"tariffs.edit.{tariff_id}.reason")
    st.caption(_("A new price or tax rate applies to new orders only: existing orders keep their own prices."))
    if st.form_submit_button(_("Save changes"), type="primary"):
        run_service(
            lambda s: update_tariff(s, actor=current_actor(), tariff_id=tariff_id, reason=reason or None, **values),
            success=_("Tariff {name} saved.").format(name=md(values["name"].strip())),
            notice=DONE,
        )

confirm_key = "tariffs.confirm"
pending = st.session_state.get(confirm_key)
if pending and pending[1] == tariff_id:
    action = pending[0]
    if action == "deactivate":
        st.warning(
            _(
                "Deactivate {name}? It stops being offered for sale; the units already ordered stay in their "
                "orders ({sold} sold, {awaiting} awaiting payment)."
            ).format(name=md(tariff["name"]), sold=int(tariff["sold"]), awaiting=int(tariff["awaiting"]))
        )
    else:
        st.warning(
            _("Delete {name}? It has never been ordered; this cannot be undone.").format(name=md(tariff["name"]))
        )
    yes, no = st.columns(2)
    if yes.button(_("Confirm"), key="tariffs.confirm_yes", type="primary"):
        st.session_state.pop(confirm_key, None)
        if action == "deactivate":
            run_service(
                lambda s: set_tariff_active(s, actor=current_actor(), tariff_id=tariff_id, active=False),
                success=_("Tariff {name} deactivated.").format(name=md(tariff["name"])),
                notice=DONE,
            )
        else:
            run_service(
                lambda s: delete_tariff(s, actor=current_actor(), tariff_id=tariff_id),
                success=_("Tariff {name} deleted.").format(name=md(tariff["name"])),
                notice=DONE,
            )
    if no.button(_("Cancel"), key="tariffs.confirm_no"):
        st.session_state.pop(confirm_key, None)
        st.rerun()
else:
    left, right = st.columns(2)
    if tariff["active"]:
        if left.button(_("Deactivate"), key="tariffs.deactivate", icon=":material/pause_circle:"):
            st.session_state[confirm_key] = ("deactivate", tariff_id)
            st.rerun()
    elif left.button(_("Activate"), key="tariffs.activate", icon=":material/play_circle:"):
        run_service(
            lambda s: set_tariff_active(s, actor=current_actor(), tariff_id=tariff_id, active=True),
            success=_("Tariff {name} activated.").format(name=md(tariff["name"])),
            notice=DONE,
        )
    if tariff["order_lines"]:
        right.caption(_("This tariff has orders: it cannot be deleted, only deactivated."))
    elif right.button(_("Delete"), key="tariffs.delete", icon=":material/delete:"):
        st.session_state[confirm_key] = ("delete", tariff_id)
        st.rerun()

with st.expander(_("Catalogue log of the tariffs")):
    history(event_id, timezone, entity="tariff")
