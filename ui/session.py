"""The signed-in user of this browser session, as plain values in `st.session_state`, and the
session token it was validated with (ui/shell.py checks it against the database every rerun)."""

from __future__ import annotations

import streamlit as st

from orders_core.order_rules import OrderActions, actions_for
from orders_core.permissions import Actor, allowed
from queries.order_detail import order_facts
from ui.data import cached_query

USER_KEY = "auth.user"  # {"id": int, "email": str, "role": str, "name": str}
# The token of the server-side session (orders_core.sessions): read once from the HttpOnly cookie
# the browser connected with, then kept here so a reconnect of this browser session keeps it.
TOKEN_KEY = "auth.token"


def current_user() -> dict | None:
    return st.session_state.get(USER_KEY)


def current_actor() -> Actor:
    """The actor recorded in history; pages are only reachable signed in (the router sees to it)."""
    user = current_user()
    if user is None:
        raise RuntimeError("no signed-in user: pages run only behind the sign-in of app.py")
    return Actor(email=user["email"], role=user["role"])


def can(capability: str) -> bool:
    user = current_user()
    return user is not None and allowed(Actor(user["email"], user["role"]), capability)


def order_actions(*, number: int | None = None, order_id: int | None = None) -> OrderActions | None:
    """What the signed-in user may do with this order now, and why not the rest: the domain's one
    answer (orders_core.order_rules), from the order's cached facts. None when there is no order."""
    facts = cached_query(order_facts, number=number, order_id=order_id)
    user = current_user()
    if facts is None or user is None:
        return None
    return actions_for(facts, user["role"])
