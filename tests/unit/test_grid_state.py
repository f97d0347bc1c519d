"""The grid's view survives a trip through the URL, and bad URLs fall back to defaults."""

from datetime import date

from queries.grid import GridFilters, day_bounds
from ui.grid_state import GridView, view_from_params, view_to_params, with_filters


def test_the_default_view_has_an_empty_url():
    assert view_to_params(GridView()) == {}
    assert view_from_params({}) == GridView()


def test_every_filter_survives_a_round_trip_through_the_url():
    view = GridView(
        filters=GridFilters(
            group="pending",
            statuses=("awaiting_payment", "paid"),
            payment_modes=("invoice",),
            event_ids=(3, 12),
            source="organizer",
            discount_code="PROMO10",
            created_from=date(2026, 1, 2),
            created_to=date(2026, 3, 4),
            include_deleted=True,
            search="Dupont",
            timezone="Europe/Paris",
        ),
        sort="total_desc",
        page=4,
        show_utm=True,
    )
    params = view_to_params(view)
    assert params["status"] == "awaiting_payment,paid" and params["from"] == "2026-01-02"
    assert view_from_params(params, timezone="Europe/Paris") == view


def test_payment_date_ranges_survive_a_round_trip_too():
    view = GridView(filters=GridFilters(paid_from=date(2026, 5, 1), paid_to=date(2026, 5, 31)))
    assert view_from_params(view_to_params(view)) == view


def test_unknown_values_in_a_url_are_ignored():
    view = view_from_params(
        {
            "group": "everything",
            "status": "paid,bogus",
            "mode": "barter",
            "event": "1,x",
            "source": "moon",
            "from": "not-a-date",
            "sort": "random",
            "page": "-3",
        }
    )
    assert view.filters == GridFilters(statuses=("paid",), event_ids=(1,))
    assert (view.sort, view.page) == ("created_desc", 1)


def test_a_new_filter_goes_back_to_the_first_page():
    view = GridView(page=5)
    assert with_filters(view, GridFilters(group="validated")).page == 1
    assert with_filters(view, GridFilters()).page == 5


def test_calendar_days_become_utc_instants_of_the_timezone():
    start, end = day_bounds(date(2026, 7, 1), date(2026, 7, 1), "Europe/Paris")
    assert (start.isoformat(), end.isoformat()) == ("2026-06-30T22:00:00+00:00", "2026-07-01T22:00:00+00:00")


def test_a_seven_digit_search_is_an_order_number_and_nothing_else_is():
    assert GridFilters(search=" 1234567 ").order_number() == 1234567
    assert GridFilters(search="#1234567").order_number() == 1234567
    assert GridFilters(search="123456").order_number() is None
    assert GridFilters(search="12345678").search_text() == "12345678"
