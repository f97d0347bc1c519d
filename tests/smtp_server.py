"""A real SMTP server for tests: aiosmtpd on a free loopback port, recording what it receives.

`Controller(port=0)` does not work (it connects back to its own port to check it is up), so a
free port is chosen first: bind a socket to port 0, read the port, close it, start there."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts every message, or answers `reply` (e.g. "550 ...") to refuse them. `on_message`
    is called with each message once it is recorded and before "250" is answered: a test can
    stop or kill the sender exactly between the server's acceptance and the sender's commit."""

    reply: str | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_message: Callable[[Received], None] | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        with self.lock:
            self.received.append(received)
        if self.on_message:
            self.on_message(received)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(handler: RecordingHandler | None = None, **controller_options):
    """Run a server for the block; yields (handler, port)."""
    handler = handler or RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **controller_options)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@contextmanager
def smtp_server_at(port: int, handler: RecordingHandler | None = None, **controller_options):
    """A server at `port` that the test starts itself (e.g. after an outage); yields (handler,
    controller) and stops it afterwards if it was started."""
    handler = handler or RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **controller_options)
    try:
        yield handler, controller
    finally:
        controller.stop(no_assert=True)
