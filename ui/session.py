"""The signed-in user of this browser session, as plain values in `st.session_state`."""

from __future__ import annotations

import streamlit as st

from orders_core.permissions import Actor, allowed

USER_KEY = "auth.user"  # {"id": int, "email": str, "role": str, "name": str}


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
