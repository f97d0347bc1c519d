"""The demo orders, drawn batch by batch from one seeded random stream."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from orders_core.demo.catalogue import DemoEvent
from orders_core.demo.catalogue_data import (
    CAMPAIGNS,
    COMPANIES,
    EMAIL_DOMAINS,
    EVENTS,
    FIRST_NAMES,
    LAST_NAMES,
    UTM_CHANNELS,
)
from orders_core.demo.seats import SeatAllocator
from orders_core.money import LineInput, price_order
from orders_core.payment_terms import due_date_after
from orders_core.permissions import EVENT_MANAGER, FINANCE, SYSTEM, Actor
from orders_core.status import PaymentMethod, PaymentMode, Source, Status

BOX_OFFICE_STAFF = ["box.office@demo.example", "vip.desk@demo.example"]
GENERATED = [
    "orders",
    "order_lines",
    "order_items",
    "attendees",
    "payments",
    "order_history",
    "field_values",
    "seats",
    "seat_assignments",
]


@dataclass(frozen=True)
class PlannedPayment:
    """A paid demo order's payment, confirmed through the ledger once its batch is written."""

    actor: Actor
    order: dict[str, Any]
    method: str
    reference: str
    received_at: datetime


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower().replace("'", "")


class OrderGenerator:
    """Draws orders from one random stream, so a seed always gives the same data."""

    def __init__(self, events: list[DemoEvent], seed: int, today: datetime, now: datetime):
        self.rng = random.Random(seed)
        self.events = events
        self.event_weights = [spec["weight"] for spec in EVENTS]
        self.today = today
        self.now = now
        self.channel_weights = [c[2] for c in UTM_CHANNELS]
        self.planned: list[PlannedPayment] = []  # confirmed by the loader after each batch
        self.seats = SeatAllocator()

    def batch(self, size: int, first_number: int, ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in GENERATED}
        self.ids = ids
        for i in range(size):
            self._order(first_number + i, rows)
        return rows

    def take_planned(self) -> list[PlannedPayment]:
        """The payments planned since the last call (the loader confirms them)."""
        planned, self.planned = self.planned, []
        return planned

    def _take(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def _created_at(self, event: DemoEvent) -> datetime:
        # Sales accelerate towards the event (beta-shaped curve), with a launch bump.
        end = min(event.starts_at, self.now)
        span = (end - event.sales_open).total_seconds()
        share = self.rng.betavariate(1.0, 1.0) * 0.15 if self.rng.random() < 0.12 else self.rng.betavariate(2.4, 1.2)
        return (event.sales_open + timedelta(seconds=int(share * span))).replace(microsecond=0)

    def _order(self, number: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        rng = self.rng
        event = rng.choices(self.events, self.event_weights)[0]
        order_id = self._take("orders")
        created_at = self._created_at(event)
        organizer = rng.random() < 0.05
        corporate = rng.random() < 0.3
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
        company = rng.choice(COMPANIES) if corporate else ""

        # Lines: an admitting tariff first, sometimes a second one, sometimes products.
        admitting = [t for t in event.tariffs if t.kind != "product"]
        products = [t for t in event.tariffs if t.kind == "product"]
        chosen = [rng.choice(admitting)]
        if rng.random() < 0.15:
            other = rng.choice(admitting)
            if other is not chosen[0]:
                chosen.append(other)
        code = None
        if rng.random() < 0.13:
            code = rng.choices(event.codes, [6 if c.discount.percent_off != 100 else 1 for c in event.codes])[0]
        if rng.random() < 0.3 and not (code and code.only_kind):
            chosen.append(rng.choice(products))
        quantities = []
        for _tariff in chosen:
            if corporate and rng.random() < 0.4:
                quantities.append(rng.randint(2, 8))
            else:
                quantities.append(rng.choices([1, 2, 3, 4], [70, 20, 6, 4])[0])
        applies = [code is None or code.only_kind is None or t.kind == code.only_kind for t in chosen]
        priced = price_order(
            [LineInput(t.price, q, t.tax_rate, ok) for t, q, ok in zip(chosen, quantities, applies, strict=True)],
            code.discount if code else None,
        )
        zero_total = priced.total_ttc == 0

        status, mode = self._status_and_mode(event, organizer, corporate, zero_total)
        paid_at = None
        if status == Status.PAID:
            delay = (
                timedelta(minutes=rng.randint(1, 20))
                if mode == PaymentMode.ONLINE
                else timedelta(days=rng.randint(0, 25), hours=rng.randint(1, 9))
            )
            paid_at = min(created_at + delay, self.now - timedelta(minutes=5))
            paid_at = max(paid_at, created_at)

        utm = self._utm(event) if not organizer and rng.random() < 0.8 else (None,) * 5
        created_status = self._initial_status(status, mode)
        if organizer and status == Status.PAID and mode == PaymentMode.INVOICE:
            # Paid at the desk: created as the wizard's "paid offline" creates it, then confirmed
            # by the box office, which makes its payment mode `box_office` (order_rules).
            created_status = Status.CART_INCOMPLETE
        order = dict(
            id=order_id,
            number=number,
            event_id=event.id,
            # A paid order is written as it was before its payment, which the ledger confirms.
            status=(created_status if status == Status.PAID else status).value,
            payment_mode=mode.value,
            source=(Source.ORGANIZER if organizer else Source.ONLINE).value,
            buyer_first_name=first,
            buyer_last_name=last,
            buyer_email=email,
            buyer_phone=f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            company_name=company,
            billing_address=f"{rng.randint(1, 180)} rue de la Paix" if corporate else "",
            billing_postcode=str(rng.randint(10000, 95999)) if corporate else "",
            billing_city="Paris" if corporate else "",
            billing_country="FR" if corporate else "",
            vat_number="",
            discount_code=code.code if code else None,
            currency=event.currency,
            total_ht=priced.total_ht,
            total_ttc=priced.total_ttc,
            amount_paid=Decimal("0.00"),
            terms_accepted=not organizer and mode != PaymentMode.UNDEFINED,
            language=event.language,
            created_at=created_at,
            updated_at=created_at,
            paid_at=None,
            utm_source=utm[0],
            utm_medium=utm[1],
            utm_campaign=utm[2],
            utm_term=utm[3],
            utm_content=utm[4],
            notes="",
            deleted_at=None,
            deleted_reason=None,
            version=1,
            # Invoice orders get their due date from the event's terms, as through the wizard; it
            # stays as history once paid or cancelled.
            due_date=due_date_after(
                None,
                before=None,
                after=(created_status.value, mode.value),  # a desk sale never awaited an invoice
                terms=event.terms,
                at=created_at,
                event_starts_at=event.starts_at,
                timezone=event.timezone,
            ),
        )
        actor = rng.choice(BOX_OFFICE_STAFF) if organizer else "online checkout"
        history = rows["order_history"]
        history.append(
            dict(
                id=self._take("order_history"),
                order_id=order_id,
                at=created_at,
                actor=actor,
                action="created",
                details={
                    "status": {"old": None, "new": created_status.value},
                    "total_ttc": str(priced.total_ttc),
                    "currency": event.currency,
                },
                reason=None,
            )
        )

        items_by_line: list[tuple[int, tuple[str, str, str]]] = []
        for t, q, pl in zip(chosen, quantities, priced.lines, strict=True):
            line_id = self._take("order_lines")
            rows["order_lines"].append(
                dict(
                    id=line_id,
                    order_id=order_id,
                    tariff_id=t.id,
                    kind=t.kind,
                    name=t.name,
                    quantity=q,
                    unit_price_ht=pl.unit_price_ht,
                    tax_rate=pl.tax_rate,
                    discount_amount=pl.discount_amount,
                    total_ht=pl.total_ht,
                    total_ttc=pl.total_ttc,
                )
            )
            if t.kind == "product":
                continue
            for unit in range(q):
                holder = (first, last, email) if unit == 0 else self._person()
                item_id = self._take("order_items")
                seat = self._seat(event, status, order_id, item_id, first_unit=not items_by_line, rows=rows)
                rows["order_items"].append(
                    dict(
                        id=item_id,
                        order_id=order_id,
                        order_line_id=line_id,
                        holder_first_name=holder[0],
                        holder_last_name=holder[1],
                        holder_email=holder[2],
                        seat=seat,
                        delivery_mode="will_call" if organizer and rng.random() < 0.3 else "e_ticket",
                        created_at=created_at,
                    )
                )
                items_by_line.append((item_id, holder))
                if event.key == "paris" and rng.random() < 0.25:
                    rows["field_values"].append(
                        dict(
                            id=self._take("field_values"),
                            order_id=order_id,
                            order_item_id=item_id,
                            field_id=event.fields["tshirt_size"],
                            value=rng.choice(["S", "M", "L", "XL"]),
                        )
                    )
        if rng.random() < 0.35:
            rows["field_values"].append(
                dict(
                    id=self._take("field_values"),
                    order_id=order_id,
                    order_item_id=None,
                    field_id=event.fields["job_title"],
                    value=rng.choice(["CTO", "Développeuse", "Data analyst", "Chef de projet", "Student"]),
                )
            )
        if rng.random() < 0.2:
            rows["field_values"].append(
                dict(
                    id=self._take("field_values"),
                    order_id=order_id,
                    order_item_id=None,
                    field_id=event.fields["dietary"],
                    value=rng.choice(["none", "vegetarian", "vegan", "halal", "gluten_free"]),
                )
            )
        if corporate and mode == PaymentMode.INVOICE:
            rows["field_values"].append(
                dict(
                    id=self._take("field_values"),
                    order_id=order_id,
                    order_item_id=None,
                    field_id=event.fields["po_number"],
                    value=f"PO-{rng.randint(10000, 99999)}",
                )
            )

        if status == Status.PAID and paid_at is not None:
            self._pay(order, organizer, actor, paid_at)
        elif status != self._initial_status(status, mode):
            at = min(created_at + timedelta(hours=rng.randint(1, 240)), self.now)
            order["updated_at"] = at
            history.append(
                dict(
                    id=self._take("order_history"),
                    order_id=order_id,
                    at=at,
                    actor="payment provider"
                    if status in (Status.FAILED, Status.CANCELLED) and mode == PaymentMode.ONLINE
                    else actor,
                    action={Status.CANCELLED: "cancelled", Status.FAILED: "payment_failed"}.get(
                        status, "status_changed"
                    ),
                    details={"status": {"old": self._initial_status(status, mode).value, "new": status.value}},
                    reason="Buyer asked to cancel"
                    if status == Status.CANCELLED and mode != PaymentMode.ONLINE
                    else None,
                )
            )
        rows["orders"].append(order)

    def _seat(
        self,
        event: DemoEvent,
        status: Status,
        order_id: int,
        item_id: int,
        *,
        first_unit: bool,
        rows: dict[str, list[dict[str, Any]]],
    ) -> str | None:
        """A seated event's ticket gets the next free seat (a seat left free before an order, now
        and then); a cancelled order holds none. Draws from the random stream as the free-text
        seats did, so the rest of the demo data stays the same."""
        if not event.seated:
            return None
        self.rng.choice("ABCDEFGH")
        draw = self.rng.randint(1, 30)
        gap = draw % 3 if first_unit else 0
        if status == Status.CANCELLED:
            return None
        seat_id, label = self.seats.take(event.id, gap, rows, self._take)
        rows["seat_assignments"].append(
            dict(
                id=self._take("seat_assignments"),
                event_id=event.id,
                seat_id=seat_id,
                order_id=order_id,
                order_item_id=item_id,
            )
        )
        return label

    @staticmethod
    def _initial_status(status: Status, mode: PaymentMode) -> Status:
        """The status an order was created in, before the change that gave it `status`."""
        if status not in (Status.PAID, Status.CANCELLED, Status.FAILED):
            return status
        return {
            PaymentMode.ONLINE: Status.PENDING_ONLINE,
            PaymentMode.INVOICE: Status.AWAITING_PAYMENT,
            PaymentMode.UNDEFINED: Status.CART_INCOMPLETE,
            PaymentMode.FREE: Status.CART_INCOMPLETE,
        }[mode]

    def _status_and_mode(
        self, event: DemoEvent, organizer: bool, corporate: bool, zero_total: bool
    ) -> tuple[Status, PaymentMode]:
        rng = self.rng
        if organizer:
            status = Status.PAID if rng.random() < 0.6 else Status.AWAITING_PAYMENT
            mode = PaymentMode.INVOICE
        elif event.community and rng.random() < 0.08:
            status, mode = Status.PENDING_ADMIN, (PaymentMode.INVOICE if rng.random() < 0.5 else PaymentMode.ONLINE)
        else:
            status = rng.choices(
                [
                    Status.PAID,
                    Status.AWAITING_PAYMENT,
                    Status.CART_INCOMPLETE,
                    Status.CANCELLED,
                    Status.FAILED,
                    Status.PENDING_ONLINE,
                ],
                [64, 8, 15, 6, 5, 1],
            )[0]
            if status == Status.PAID:
                mode = PaymentMode.INVOICE if rng.random() < (0.3 if corporate else 0.07) else PaymentMode.ONLINE
            elif status == Status.AWAITING_PAYMENT:
                mode = PaymentMode.INVOICE
            elif status == Status.CART_INCOMPLETE:
                mode = PaymentMode.UNDEFINED if rng.random() < 0.6 else PaymentMode.ONLINE
            elif status == Status.CANCELLED:
                mode = rng.choices([PaymentMode.ONLINE, PaymentMode.INVOICE, PaymentMode.UNDEFINED], [5, 3, 2])[0]
            else:
                mode = PaymentMode.ONLINE
        if zero_total and mode != PaymentMode.UNDEFINED:
            # Free iff the total is zero: a 100 % code needs no payment, so it is validated at once.
            mode = PaymentMode.FREE
            if status in (Status.AWAITING_PAYMENT, Status.PENDING_ONLINE, Status.FAILED):
                status = Status.PAID
        return status, mode

    def _person(self) -> tuple[str, str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        return first, last, f"{_ascii(first)}.{_ascii(last)}{self.rng.randint(1, 999)}@{self.rng.choice(EMAIL_DOMAINS)}"

    def _utm(self, event: DemoEvent) -> tuple[Any, ...]:
        rng = self.rng
        source, medium, _, terms, contents = rng.choices(UTM_CHANNELS, self.channel_weights)[0]
        campaign = f"{event.key}_{rng.choices(CAMPAIGNS, [30, 20, 15, 15, 10, 10])[0]}"
        return source, medium, campaign, rng.choice(terms), rng.choice(contents)

    def _pay(self, order: dict[str, Any], organizer: bool, actor: str, paid_at: datetime) -> None:
        """Plan the order's payment: the loader confirms it through the ledger once the batch is
        written (demo.ledger, services.ledger: the one path to paid), which writes the payment,
        `paid_at`, the attendees and the history entry, as for any order."""
        rng = self.rng
        mode = PaymentMode(order["payment_mode"])
        if mode == PaymentMode.ONLINE:
            method, who = PaymentMethod.ONLINE, Actor("payment provider", SYSTEM)
        elif organizer:
            method = rng.choice([PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.CHEQUE])
            who = Actor(actor, EVENT_MANAGER)
        else:
            method = rng.choices(
                [PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE, PaymentMethod.CARD, PaymentMethod.OTHER],
                [70, 15, 10, 5],
            )[0]
            who = Actor("finance@demo.example", FINANCE)
        reference = (
            f"CMD {order['number']}"
            if method == PaymentMethod.BANK_TRANSFER
            else (f"psp_{rng.getrandbits(48):012x}" if method == PaymentMethod.ONLINE else "")
        )
        method_value = method.value if order["total_ttc"] > 0 else PaymentMethod.OTHER.value
        self.planned.append(PlannedPayment(who, order, method_value, reference, paid_at))
