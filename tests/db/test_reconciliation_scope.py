"""Issue 17: bank reconciliation for a finance user scoped to one event, on both databases. The
statement (tests/scope/specs_reconciliation.py) pays both events: ours (Montréal, CAD) and theirs
(Zürich, CHF). The scoped user sees our lines and how many others there are, never their orders,
payers, amounts or reasons; suggestions only propose our orders; confirming one of theirs is
refused like an unknown order; a bulk confirmation naming one is refused whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import set_locale
from orders_core.models import BankLineClassification, BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.classes import describe
from orders_core.reconciliation.decisions import confirm_decided, confirm_line
from orders_core.reconciliation.proposals import suggestions
from orders_core.reconciliation.service import confirm_match, find_order_by_number, import_statement
from queries.reconciliation import classification_counts, classified_lines, decided_plan, statement_report
from tests.factories import NOW
from tests.scope import specs_reconciliation  # noqa: F401 (registers the statement in the world)
from tests.scope.harness import as_text
from tests.scope.world import World, build_world

EVERYWHERE = Actor("finance@head-office.example", "finance")


@pytest.fixture
def world(engine) -> World:
    set_locale("en")
    with unit_of_work(engine) as session:
        return build_world(session)  # with the statement of specs_reconciliation (WORLD_BUILDERS)


def scoped(world: World) -> Actor:
    return Actor("finance@montreal.example", "finance", event_ids=frozenset({world.ours.event_id}))


def secrets_of(world: World) -> list[str]:
    return ["ZSECRET", "CHF", str(world.theirs.pending_number), str(world.theirs.paid_number)]


def leaks(value: object, world: World) -> list[str]:
    text = as_text(value)
    return [secret for secret in secrets_of(world) if secret in text]


def status_of(engine, order_id: int) -> str:
    with unit_of_work(engine) as session:
        return session.scalars(select(Order.status).where(Order.id == order_id)).one()


def test_a_scoped_finance_user_sees_only_their_lines_and_how_many_others(engine, world):
    statement_id = world.extra["statement_id"]
    lines = classified_lines(engine, statement_id, None, 100, 0, principal=scoped(world))
    assert [(r["line_number"], r["currency"], r["classification"], r["order_number"]) for r in lines] == [
        (2, "CAD", "matched", world.ours.pending_number),  # line 1 is the header
        (6, "CAD", "no_match", None),
    ]
    assert leaks(lines, world) == []
    assert leaks([describe(r["reason"]) for r in lines], world) == []
    counts = classification_counts(engine, statement_id, principal=scoped(world))
    assert counts == {"matched": 1, "no_match": 1, "all": 2, "unclassified": 0, "other_events": 3}
    report = statement_report(engine, statement_id, principal=scoped(world))
    assert report["currency"].tolist() == ["CAD"]
    assert int(report["transactions"].iloc[0]) == 2
    # The control: a finance user of every event sees the five lines, theirs included.
    everything = classified_lines(engine, statement_id, None, 100, 0, principal=EVERYWHERE)
    assert [r["line_number"] for r in everything] == [2, 3, 4, 5, 6]
    assert "ZSECRET" in as_text(everything)
    assert classification_counts(engine, statement_id, principal=EVERYWHERE)["other_events"] == 0
    assert statement_report(engine, statement_id, principal=EVERYWHERE)["currency"].tolist() == ["CAD", "CHF"]


def test_a_principal_of_no_event_sees_no_linked_line(engine, world):
    nobody = Actor("finance@nowhere.example", "finance", event_ids=frozenset())
    lines = classified_lines(engine, world.extra["statement_id"], None, 100, 0, principal=nobody)
    assert [r["line_number"] for r in lines] == [6]  # the line linked to no order is anybody's


def test_suggestions_for_a_scoped_user_never_name_the_other_events_order(engine, world):
    with unit_of_work(engine) as session:
        lines = list(
            session.scalars(
                select(BankTransaction)
                .where(BankTransaction.statement_id == world.extra["statement_id"])
                .order_by(BankTransaction.line_number)
            )
        )
        theirs = {
            o
            for ranked in suggestions(session, lines, principal=EVERYWHERE).values()
            for s in ranked
            for o in s.order_numbers
        }
        ours = suggestions(session, lines, principal=scoped(world))
    assert world.theirs.pending_number in theirs  # the control: it is a candidate for every event
    named = {number for ranked in ours.values() for s in ranked for number in s.order_numbers}
    assert world.ours.pending_number in named
    assert world.theirs.pending_number not in named and world.theirs.paid_number not in named
    assert leaks([s.reasons for ranked in ours.values() for s in ranked], world) == []


def test_a_line_only_the_amount_links_to_their_order_is_shown_without_it(engine, world):
    with unit_of_work(engine) as session:
        their_balance = session.scalars(
            select(Order.total_ttc - Order.amount_paid).where(Order.id == world.theirs.pending_id)
        ).one()
        content = (
            "Date;Montant;Devise;Donneur d'ordre;Communication\n"
            f"{NOW.date():%d/%m/%Y};{Decimal(str(their_balance)):.2f};CHF;Walter Nobody;virement\n"
        ).encode()
        statement_id = import_statement(session, actor=EVERYWHERE, filename="amount.csv", content=content).statement_id
    [everyone] = classified_lines(engine, statement_id, None, 10, 0, principal=EVERYWHERE)
    assert (everyone["classification"], everyone["order_number"]) == ("no_match", world.theirs.pending_number)
    [line] = classified_lines(engine, statement_id, None, 10, 0, principal=scoped(world))
    assert (line["classification"], line["order_id"], line["order_number"], line["score"]) == (
        "no_match",
        None,
        None,
        None,
    )
    assert describe(line["reason"]) == "No order of your events in CHF has this amount and payer name"
    assert str(world.theirs.pending_number) not in as_text(line)


def test_confirming_their_order_is_refused_like_an_unknown_order(engine, world):
    neutral = world.extra["neutral_line_id"]  # a line the scoped user sees
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as unknown:
        confirm_match(
            session, actor=scoped(world), transaction_id=neutral, allocations=[(999_999_999, Decimal("12.34"))]
        )
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as theirs:
        confirm_match(
            session,
            actor=scoped(world),
            transaction_id=neutral,
            allocations=[(world.theirs.pending_id, Decimal("12.34"))],
        )
    assert str(theirs.value) == str(unknown.value) == "Unknown order."
    # Their line itself reads as an unknown line, for a single confirmation too.
    their_line = world.theirs.extra["line_id"]
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as refused:
        confirm_line(session, actor=scoped(world), transaction_id=their_line)
    assert str(refused.value) == f"Unknown bank transaction {their_line}."
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as by_number:
        find_order_by_number(session, world.theirs.pending_number, actor=scoped(world))
    assert str(by_number.value) == f"No order has the number {world.theirs.pending_number}."
    assert status_of(engine, world.theirs.pending_id) == "awaiting_payment"
    # The control: a finance user of every event confirms it.
    with unit_of_work(engine) as session:
        confirm_line(session, actor=EVERYWHERE, transaction_id=their_line)
    assert status_of(engine, world.theirs.pending_id) == "paid"


def test_the_bulk_confirmation_pays_only_their_own_events_orders(engine, world):
    statement_id = world.extra["statement_id"]
    assert decided_plan(engine, statement_id, principal=EVERYWHERE).lines == 2
    plan = decided_plan(engine, statement_id, principal=scoped(world))
    assert (plan.lines, plan.orders, list(plan.amounts)) == (1, 1, ["CAD"])
    with unit_of_work(engine) as session:
        done = confirm_decided(session, actor=scoped(world), statement_id=statement_id)
    assert (done.lines, done.skipped) == (1, [])
    assert status_of(engine, world.ours.pending_id) == "paid"
    assert status_of(engine, world.theirs.pending_id) == "awaiting_payment"


def test_a_bulk_confirmation_naming_their_order_is_refused_whole(engine, world):
    """A decided line of ours whose stored allocations also pay their order (stored before a
    transfer was kept to one event): the whole action is refused, naming it; nothing is paid."""
    statement_id, our_line = world.extra["statement_id"], world.extra["our_line_id"]
    with unit_of_work(engine) as session:
        stored = session.get(BankLineClassification, our_line)
        reason = dict(stored.reason)
        reason["allocations"] = [*reason["allocations"], [world.theirs.pending_id, world.theirs.pending_number, "1.00"]]
        session.execute(
            update(BankLineClassification)
            .where(BankLineClassification.transaction_id == our_line)
            .values(reason=reason)
        )
    with unit_of_work(engine) as session, pytest.raises(NotAllowed) as refused:
        confirm_decided(session, actor=scoped(world), statement_id=statement_id)
    assert str(refused.value) == (
        f"Order {world.theirs.pending_number} is not one of your events' orders. Nothing was changed."
    )
    assert status_of(engine, world.ours.pending_id) == "awaiting_payment"
    assert status_of(engine, world.theirs.pending_id) == "awaiting_payment"


def test_a_transfer_naming_orders_of_two_events_is_never_one_match_of_both(engine):
    """Two events in one currency; a reference names an order of each and the amount is their sum:
    the classifier never proposes paying both (each team confirms its own), while two orders of
    one event are still paid together (the control)."""
    from tests.factories import make_event, make_order, make_tariff

    with unit_of_work(engine) as session:
        paris, lyon = make_event(session, name="Paris"), make_event(session, name="Lyon")
        paris_pass, lyon_pass = make_tariff(session, paris), make_tariff(session, lyon)
        first = make_order(session, paris, [(paris_pass, 1)], number=1000101, buyer_last_name="Roux")
        second = make_order(session, lyon, [(lyon_pass, 1)], number=1000102, buyer_last_name="Roux")
        third = make_order(session, paris, [(paris_pass, 1)], number=1000103, buyer_last_name="Roux")
        amount = Decimal(str(first.total_ttc)) + Decimal(str(second.total_ttc))
        content = (
            "Date;Montant;Devise;Donneur d'ordre;Communication\n"
            f"{NOW.date():%d/%m/%Y};{amount:.2f};EUR;Roux;CMD 1000101 1000102\n"
            f"{NOW.date():%d/%m/%Y};{amount:.2f};EUR;Roux;CMD 1000101 1000103\n"
        ).encode()
        statement_id = import_statement(session, actor=EVERYWHERE, filename="two.csv", content=content).statement_id
        assert Decimal(str(third.total_ttc)) == Decimal(str(second.total_ttc))
    two_events, one_event = classified_lines(engine, statement_id, None, 10, 0, principal=EVERYWHERE)
    assert "1000102" not in str(two_events["reason"].get("allocations"))
    assert two_events["classification"] != "matched"
    assert (one_event["classification"], one_event["decided"]) == ("matched", True)
    assert [number for _id, number, _amount in one_event["reason"]["allocations"]] == [1000101, 1000103]
