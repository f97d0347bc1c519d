"""Where messages go: an SMTP server (`ORDERS_SMTP_URL`) or, without one, `.eml` files under
`data/outbox/` so the demo works offline."""

from __future__ import annotations

import base64
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

DEFAULT_FROM = "orders@localhost"
DEFAULT_OUTBOX_DIR = Path("data/outbox")
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class TransportError(Exception):
    """The message could not be handed over; the sender retries it later. `server_unavailable`:
    the server could not be reached or would not talk to us (connection, TLS, greeting, login,
    421), so every other message would fail the same way and the sender stops its run there
    instead of spending their attempts."""

    def __init__(self, message: str, *, server_unavailable: bool = False):
        super().__init__(message)
        self.server_unavailable = server_unavailable


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool = False
    implicit_tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://user:pass@host:port`, `smtp+starttls://...` (STARTTLS) or `smtps://...` (TLS)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError(
            f"ORDERS_SMTP_URL must look like smtp://user:password@host:port "
            f"(or smtp+starttls://, smtps://), not {parts.scheme or '?'}://..."
        )
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or SCHEMES[parts.scheme],
        starttls=parts.scheme == "smtp+starttls",
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpTransport:
    """One connection per message: simple, and a dropped connection affects one message only."""

    def __init__(self, settings: SmtpSettings, *, timeout: float = 20.0, tls_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> SmtpTransport:
        return cls(parse_smtp_url(url), **kwargs)

    def describe(self) -> str:
        s = self.settings
        mode = "STARTTLS" if s.starttls else ("TLS" if s.implicit_tls else "plain")
        return f"SMTP {s.host}:{s.port} ({mode}{', login ' + s.username if s.username else ''})"

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            client: smtplib.SMTP
            if s.implicit_tls:
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.tls_context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if s.starttls:
                    client.starttls(context=self.tls_context)
                    client.ehlo()
                if s.username:
                    _login(client, s.username, s.password or "")
                refused = client.send_message(message)
                if refused:
                    raise TransportError(f"recipient refused: {_refusals(refused)}")
        except TransportError:
            raise
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"recipient refused: {_refusals(error.recipients)}") from error
        except (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError) as error:
            raise TransportError(
                f"SMTP {error.smtp_code}: {_text(error.smtp_error)}", server_unavailable=True
            ) from error
        except smtplib.SMTPResponseException as error:
            raise TransportError(
                f"SMTP {error.smtp_code}: {_text(error.smtp_error)}", server_unavailable=error.smtp_code == 421
            ) from error
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPNotSupportedError, OSError) as error:
            raise TransportError(f"{type(error).__name__}: {error}", server_unavailable=True) from error
        except smtplib.SMTPException as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; AUTH PLAIN is UTF-8 (RFC 4616), so use it for others."""
    if (username + password).isascii() or "plain" not in client.esmtp_features.get("auth", "").lower().split():
        client.login(username, password)
        return
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode("ascii")
    code, reply = client.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusals(refused: dict[str, Any]) -> str:
    return "; ".join(f"{address} ({code} {_text(reason)})" for address, (code, reason) in refused.items())


class FileTransport:
    """Writes each message as `<folder>/<date>-<id>.eml` (written whole, then renamed)."""

    def __init__(self, folder: Path | str = DEFAULT_OUTBOX_DIR):
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"files in {self.folder}/"

    def send(self, message: EmailMessage) -> None:
        email_id = message.get("X-Orders-Email-Id", "x")
        stamp = message["Date"].datetime.strftime("%Y%m%dT%H%M%S") if message["Date"] else "message"
        path = self.folder / f"{stamp}-{email_id}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".eml.part")
            partial.write_bytes(message.as_bytes())
            partial.replace(path)
        except OSError as error:
            raise TransportError(f"cannot write {path}: {error}", server_unavailable=True) from error


def transport_from_env(environ: Mapping[str, str] | None = None) -> Transport:
    """SMTP when `ORDERS_SMTP_URL` is set, else `.eml` files (`ORDERS_OUTBOX_DIR`, default data/outbox)."""
    environ = os.environ if environ is None else environ
    url = environ.get("ORDERS_SMTP_URL", "").strip()
    if url:
        return SmtpTransport.from_url(url)
    return FileTransport(environ.get("ORDERS_OUTBOX_DIR", "").strip() or DEFAULT_OUTBOX_DIR)


def sender_address(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get("ORDERS_SMTP_FROM", "").strip() or DEFAULT_FROM
