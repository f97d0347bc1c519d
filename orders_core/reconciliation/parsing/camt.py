"""ISO 20022 CAMT.053 statements (also reads the entries of CAMT.052 and CAMT.054): one line per
transfer. An entry (Ntry) that books a batch (several TxDtls) gives one line per transfer, with
its own amount, counterparty, remittance information and end-to-end id. Parsed with defusedxml: a
file that declares entities (the "billion laughs" attack) or fetches external resources is
refused, never expanded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from orders_core.i18n import _
from orders_core.reconciliation.parsing.lines import CENT, ParsedStatement, StatementLine, currency_code
from orders_core.status import BankDirection

NOT_PROVIDED = "NOTPROVIDED"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: Element | None, *path: str) -> Element | None:
    found = node
    for step in path:
        if found is None:
            return None
        found = next((c for c in found if _local(c.tag) == step), None)
    return found


def _text(node: Element | None, *path: str) -> str:
    found = _find(node, *path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _all(node: Element, name: str) -> list[Element]:
    return [n for n in node.iter() if _local(n.tag) == name]


def _amount(node: Element | None) -> tuple[Decimal, str] | None:
    """(magnitude, currency) of an Amt element, or None when there is none."""
    if node is None or not (node.text or "").strip():
        return None
    value = Decimal(node.text.strip()).quantize(CENT)  # type: ignore[union-attr]
    if not value.is_finite() or value < 0:
        raise InvalidOperation(node.text)
    currency = currency_code(node.get("Ccy") or "")
    if currency is None:
        raise ValueError(node.get("Ccy"))
    return value, currency


def _transfer_amount(details: Element) -> tuple[Decimal, str] | None:
    """A transfer's own amount: Amt (camt.053 v04 and later), else AmtDtls TxAmt, else InstdAmt."""
    for path in (("Amt",), ("AmtDtls", "TxAmt", "Amt"), ("AmtDtls", "InstdAmt", "Amt")):
        found = _amount(_find(details, *path))
        if found is not None:
            return found
    return None


def _party(details: Element | None, direction: BankDirection) -> str:
    """The counterparty: who paid an incoming transfer, who was paid by an outgoing one."""
    role = "Dbtr" if direction is BankDirection.CREDIT else "Cdtr"
    for path in (
        ("RltdPties", role, "Nm"),
        ("RltdPties", role, "Pty", "Nm"),
        ("RltdPties", f"Ultmt{role}", "Nm"),
        ("RltdPties", f"Ultmt{role}", "Pty", "Nm"),
    ):
        name = _text(details, *path)
        if name:
            return name
    return ""


def _reference(details: Element | None, entry: Element) -> str:
    parts: list[str] = []
    if details is not None:
        parts = [" ".join((n.text or "").split()) for n in _all(details, "Ustrd")]
        parts += [" ".join((n.text or "").split()) for n in _all(details, "Ref")]
        parts = [p for p in parts if p]
        if not parts:
            parts = [_text(details, "AddtlTxInf")]
    if not any(parts):
        parts = [_text(entry, "AddtlNtryInf")]
    return " ".join(p for p in parts if p)


def _direction(node: Element | None, default: BankDirection | None = None) -> BankDirection | None:
    mark = _text(node, "CdtDbtInd")
    return {"CRDT": BankDirection.CREDIT, "DBIT": BankDirection.DEBIT}.get(mark, default)


def read_camt053(content: bytes | str) -> ParsedStatement:
    """Every transfer of a CAMT statement, incoming and outgoing, zero amounts included."""
    result = ParsedStatement(file_format="camt053")
    try:
        root = fromstring(content if isinstance(content, bytes) else content.encode(), forbid_dtd=False)
    except DefusedXmlException:
        result.errors.append(
            _("The XML file declares entities or external resources, which a bank statement never does: refused.")
        )
        return result
    except ParseError as error:
        result.errors.append(_("The XML file is not readable: {reason}").format(reason=str(error)))
        return result
    number = 0
    for entry_number, entry in enumerate(_all(root, "Ntry"), start=1):
        direction = _direction(entry)
        try:
            total = _amount(_find(entry, "Amt"))
            booked = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")
            booked = booked or _text(entry, "ValDt", "Dt") or _text(entry, "ValDt", "DtTm")
            booked_on = date.fromisoformat(booked[:10])
            if total is None or direction is None:
                raise ValueError("no amount or no credit/debit mark")
            transfers = [(d, _transfer_amount(d)) for d in _all(entry, "TxDtls")]
        except (InvalidOperation, ValueError):
            result.errors.append(
                _("Entry {line}: amount, currency, credit/debit mark or booking date missing or unreadable.").format(
                    line=entry_number
                )
            )
            continue
        entry_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        if len(transfers) <= 1 or any(amount is None for _, amount in transfers):
            # One transfer, or a batch whose transfers do not give their amounts: the entry is one line.
            details = transfers[0][0] if len(transfers) == 1 else None
            number += 1
            end_to_end = _text(details, "Refs", "EndToEndId")
            payers = [_party(d, direction) for d, _ in transfers]
            references = [_reference(d, entry) for d, _ in transfers] or [_reference(None, entry)]
            result.lines.append(
                StatementLine(
                    number,
                    booked_on,
                    total[0],
                    total[1],
                    ", ".join(dict.fromkeys(p for p in payers if p)),
                    " ".join(dict.fromkeys(r for r in references if r)),
                    (entry_id or _text(details, "Refs", "AcctSvcrRef")) or None,
                    direction,
                    end_to_end if end_to_end and end_to_end != NOT_PROVIDED else None,
                )
            )
            continue
        for position, (details, amount) in enumerate(transfers, start=1):
            assert amount is not None
            number += 1
            end_to_end = _text(details, "Refs", "EndToEndId")
            end_to_end = end_to_end if end_to_end != NOT_PROVIDED else ""
            own_id = _text(details, "Refs", "AcctSvcrRef") or _text(details, "Refs", "TxId")
            if not own_id and entry_id:  # a batch shares the entry's id: each transfer gets its own
                own_id = f"{entry_id}/{end_to_end or position}"
            line_direction = _direction(details, direction) or direction
            result.lines.append(
                StatementLine(
                    number,
                    booked_on,
                    amount[0],
                    amount[1],
                    _party(details, line_direction),
                    _reference(details, entry),
                    own_id or None,
                    line_direction,
                    end_to_end or None,
                )
            )
    return result
