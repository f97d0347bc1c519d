"""Errors a user can read. Services raise these; pages and the CLI show the message, never a
traceback."""

from __future__ import annotations


class OrderError(Exception):
    """Base of every refusal the user should see; `message` is already in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(OrderError):
    """The signed-in role may not do this."""


class InvalidInput(OrderError):
    """The input breaks a rule (missing email, negative price, unknown order...)."""


class TransitionRefused(OrderError):
    """The order's status does not allow this change."""


class ConflictError(OrderError):
    """Someone else changed the data since it was read."""
