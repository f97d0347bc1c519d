"""`orders outbox send`: delivers over SMTP when configured, else writes .eml files."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select

from orders_core.cli import main
from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import OutboxEmail
from tests.factories import make_event, make_order, make_tariff
from tests.smtp_server import smtp_server


def queue_two(engine) -> None:
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for name in ("Zoé", "Noël"):
            queue_email(
                session, order=make_order(session, event, [(tariff, 1)], buyer_first_name=name), kind="payment_details"
            )


def test_outbox_send_without_smtp_writes_eml_files_and_marks_the_emails_sent(
    db_url, engine, tmp_path, monkeypatch, capsys
):
    queue_two(engine)
    monkeypatch.delenv("ORDERS_SMTP_URL", raising=False)
    monkeypatch.setenv("ORDERS_OUTBOX_DIR", str(tmp_path / "eml"))
    assert main(["--database-url", db_url, "outbox", "send"]) == 0
    out = capsys.readouterr().out
    assert f"files in {tmp_path / 'eml'}/" in out and "2 sent, 0 to retry, 0 failed" in out
    names = sorted(
        message_from_bytes(p.read_bytes(), policy=policy.default)["To"].addresses[0].display_name
        for p in (tmp_path / "eml").glob("*.eml")
    )
    assert names == ["Noël Lovelace", "Zoé Lovelace"]
    with unit_of_work(engine) as session:
        assert list(session.scalars(select(OutboxEmail.status))) == ["sent", "sent"]


def test_outbox_send_uses_the_smtp_url_and_the_from_address(db_url, engine, monkeypatch, capsys):
    queue_two(engine)
    with smtp_server() as (handler, port):
        monkeypatch.setenv("ORDERS_SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("ORDERS_SMTP_FROM", "tickets@example.org")
        assert main(["--database-url", db_url, "outbox", "send", "--limit", "1"]) == 0
        assert len(handler.received) == 1
        assert main(["--database-url", db_url, "outbox", "send"]) == 0
    assert [r.mail_from for r in handler.received] == ["tickets@example.org"] * 2
    assert f"SMTP 127.0.0.1:{port} (plain)" in capsys.readouterr().out


def test_outbox_send_refuses_a_malformed_smtp_url_in_one_line(db_url, monkeypatch, capsys):
    monkeypatch.setenv("ORDERS_SMTP_URL", "http://mail.example.org")
    assert main(["--database-url", db_url, "outbox", "send"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orders: ORDERS_SMTP_URL must look like smtp://") and err.count("\n") == 1


def test_outbox_send_watch_keeps_polling_until_interrupted(db_url, engine, tmp_path, monkeypatch, capsys):
    import orders_core.cli as cli

    queue_two(engine)
    monkeypatch.delenv("ORDERS_SMTP_URL", raising=False)
    monkeypatch.setenv("ORDERS_OUTBOX_DIR", str(tmp_path / "eml"))
    pauses = []

    def sleep(seconds):  # the second pause stands for Ctrl-C
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli.time, "sleep", sleep)
    assert main(["--database-url", db_url, "outbox", "send", "--watch", "--interval", "3"]) == 0
    assert pauses == [3.0, 3.0]
    out = capsys.readouterr().out
    assert out.count("2 sent, 0 to retry, 0 failed") == 1 and out.rstrip().endswith("stopped")
    assert len(list((tmp_path / "eml").glob("*.eml"))) == 2
