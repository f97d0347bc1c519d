"""The grid's text search on both databases (issue 18): a full name in either order, with or
without accents and case, finds the same orders whatever was searched before in the process;
on PostgreSQL the folded search still goes through the pg_trgm indexes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from orders_core.db import unit_of_work
from orders_core.models import Order, OrderItem
from orders_core.permissions import Actor
from orders_core.text_fold import fold
from queries.export import export_chunks
from queries.grid import GridFilters, filter_conditions, grid_count_and_totals, grid_page
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event


@pytest.fixture
def people(engine):
    """Five orders: two buyers Olivia Wilson, a Lefèvre, a holder Åsa Øberg, a company."""
    with unit_of_work(engine) as session:
        event = make_event(session, name="Salon", currency="EUR", timezone="Europe/Paris")
        badge = make_tariff(session, event, kind="badge", unit_price_ht=Decimal("10.00"), tax_rate=Decimal("20"))

        def order(first: str, last: str, **extra) -> int:
            return make_order(
                session, event, [(badge, 1)], buyer_first_name=first, buyer_last_name=last, **extra
            ).number

        numbers = {
            "olivia": order("Olivia", "Wilson", buyer_email="olivia@example.org"),
            "olivia2": order("olivia", "WILSON", buyer_email="o.w@example.org"),
            "lefevre": order("Hélène", "Lefèvre", buyer_email="helene@example.org"),
            "holder": order("Noah", "Smith", holders=[("Åsa", "Øberg", "asa@example.org")]),
            "company": order("Liam", "Brown", company_name="Œuvres Wilson & Fils"),
        }
    return engine, numbers


def found(engine, search: str) -> set[int]:
    filters = GridFilters(search=search)
    rows = set(grid_page(engine, filters, page_size=100, principal=EVERY_EVENT)["number"])
    count, _totals = grid_count_and_totals(engine, filters, principal=EVERY_EVENT)
    exported = {row["number"] for chunk in export_chunks(engine, filters, principal=EVERY_EVENT) for row in chunk}
    assert count == len(rows) and exported == rows
    return rows


def test_a_full_name_is_found_after_a_one_word_search_in_the_same_process(people):
    engine, n = people
    assert found(engine, "Wilson") == {n["olivia"], n["olivia2"], n["company"]}
    # The same engine, hence SQLAlchemy's compiled cache: the full name must not reuse the
    # one-word compilation (it used to drop the "first last" branch on SQLite).
    assert found(engine, "Olivia Wilson") == {n["olivia"], n["olivia2"]}
    assert found(engine, "Lefèvre") == {n["lefevre"]}
    assert found(engine, "Hélène Lefèvre") == {n["lefevre"]}


@pytest.mark.parametrize("search", ["Olivia Wilson", "Wilson Olivia", "wilson OLIVIA", "  Olívia   Wilsón "])
def test_a_full_name_matches_in_either_order_and_any_case(people, search):
    engine, n = people
    assert found(engine, search) == {n["olivia"], n["olivia2"]}


@pytest.mark.parametrize(
    "search", ["Lefevre", "lefèvre", "LEFÈVRE", "LEFEVRE", "helene lefevre", "Lefèvre Hélène", "HELENE@example"]
)
def test_accents_and_case_do_not_matter(people, search):
    engine, n = people
    assert found(engine, search) == {n["lefevre"]}


@pytest.mark.parametrize("search", ["asa oberg", "ÅSA", "Øberg Åsa"])
def test_a_holder_is_found_without_accents_or_special_letters(people, search):
    engine, n = people
    assert found(engine, search) == {n["holder"]}


def test_a_company_with_a_ligature_is_found_spelled_out(people):
    engine, n = people
    assert found(engine, "oeuvres") == {n["company"]}
    assert found(engine, "Œuvres wilson") == {n["company"]}


def test_words_must_all_be_found_in_the_same_buyer_or_holder(people):
    engine, _n = people
    assert found(engine, "Olivia Lefèvre") == set()
    assert found(engine, "Wilson nobody") == set()


def test_search_results_do_not_depend_on_what_ran_before(people):
    engine, n = people
    searches = ["Olivia Wilson", "Wilson", "Lefevre", "Wilson Olivia", "LEFÈVRE", "Olivia Wilson"]
    first = {search: found(engine, search) for search in searches}
    again = {search: found(engine, search) for search in reversed(searches)}
    assert first == again
    assert first["Olivia Wilson"] == {n["olivia"], n["olivia2"]}


def test_the_database_folds_like_python(engine):
    words = ["LEFÈVRE", "Ærøskøbing", "Straße", "Œuvre", "Łódź", "Ça", "ÉLODIE", "naïve"]
    with engine.connect() as conn:
        folded = [conn.execute(select(text("orders_fold(:w)")), {"w": w}).scalar_one() for w in words]
    assert folded == [fold(w) for w in words]
    assert folded[:3] == ["lefevre", "aeroskobing", "strasse"]


def test_postgresql_folded_search_uses_the_trigram_indexes(people):
    engine, _n = people
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm exists on PostgreSQL only")
    for search in ("lefèvre", "Olivia Wilson"):
        query = select(Order.id).where(*filter_conditions(GridFilters(search=search), principal=EVERY_EVENT))
        with engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            compiled = query.compile(engine)
            # Bound as the app binds it (server-side parameters), not inlined.
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
        assert "ix_orders_search_trgm" in plan and "ix_order_items_search_trgm" in plan, plan


def test_a_renamed_buyer_or_holder_is_found_under_the_new_name_only(people, owner_engine):
    """The folded text is the database's (triggers): even a fix written in SQL keeps it in step."""
    engine, n = people
    with owner_engine.begin() as conn:
        conn.execute(update(Order).where(Order.number == n["lefevre"]).values(buyer_last_name="Çelik"))
        order_id = conn.execute(select(Order.id).where(Order.number == n["holder"])).scalar_one()
        conn.execute(update(OrderItem).where(OrderItem.order_id == order_id).values(holder_last_name="Śmigły"))
    assert found(engine, "celik helene") == {n["lefevre"]}
    assert found(engine, "helene lefevre") == set()  # (its holder keeps the name Lefèvre)
    assert found(engine, "asa smigly") == {n["holder"]}
    assert found(engine, "oberg") == set()
