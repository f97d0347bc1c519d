"""The ids of a bulk action go to PostgreSQL as one array parameter, in its text form (id_chunks)."""

import pytest

from orders_core.db import int_array


def test_ids_are_written_as_a_postgresql_integer_array_in_their_order():
    assert int_array([3, 1, 20_000_000]) == "{3,1,20000000}"


def test_no_ids_make_an_empty_array():
    assert int_array([]) == "{}"


@pytest.mark.parametrize("bad", ["1", "1}", 1.5, None])
def test_anything_but_a_whole_number_is_refused_before_reaching_the_database(bad):
    with pytest.raises(TypeError):
        int_array([1, bad])
