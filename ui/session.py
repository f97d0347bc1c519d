"""The signed-in user of this browser session, as plain values in `st.session_state`, and the
session token it was validated with (ui/shell.py checks it against the database every rerun)."""

from __future__ import annotations

import streamlit as st

from orders_core.order_rules import OrderActions, actions_for
from orders_core.permissions import Actor, allowed
from queries.order_detail import order_facts
from ui.data import cached_query

USER_KEY = "auth.user"  # {"id", "email", "role", "name", "event_ids": None (every event) or ids}
# The token of the server-side session (orders_core.sessions): read once from the HttpOnly cookie
# the browser connected with, then kept here so a reconnect of this browser session keeps it.
TOKEN_KEY = "auth.token"


def current_user() -> dict | None:
    return st.session_state.get(USER_KEY)


def actor_of(user: dict) -> Actor:
    """The principal of a signed-in user's plain values (`SignedInUser.as_session`): who, role,
    event scope (absent or None: every event)."""
    return Actor.of(user["email"], user["role"], user.get("event_ids"), user.get("id"))


def current_actor() -> Actor:
    """The principal of this browser session (who, role, event scope, as the database said at
    the start of this rerun): every service call and every cached read gets it."""
    user = current_user()
    if user is None:
        raise RuntimeError("no signed-in user: pages run only behind the sign-in of app.py")
    return actor_of(user)


def can(capability: str) -> bool:
    user = current_user()
    return user is not None and allowed(actor_of(user), capability)


def order_actions(*, number: int | None = None, order_id: int | None = None) -> OrderActions | None:
    """What the signed-in user may do with this order now, and why not the rest: the domain's one
    answer (orders_core.order_rules), from the order's cached facts. None when there is no order."""
    facts = cached_query(order_facts, number=number, order_id=order_id)
    user = current_user()
    if facts is None or user is None:
        return None
    return actions_for(facts, user["role"])
