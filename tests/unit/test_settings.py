"""Every numeric `ORDERS_*` setting is read by one rule: a typo falls back to the default."""

from __future__ import annotations

import pytest

from orders_core.settings import number_setting


def test_a_number_in_the_environment_is_read(monkeypatch):
    monkeypatch.setenv("ORDERS_SOME_SETTING", " 2.5 ")
    assert number_setting("ORDERS_SOME_SETTING", 7) == 2.5


def test_an_unset_or_empty_setting_gives_the_default(monkeypatch):
    monkeypatch.delenv("ORDERS_SOME_SETTING", raising=False)
    assert number_setting("ORDERS_SOME_SETTING", 7) == 7
    monkeypatch.setenv("ORDERS_SOME_SETTING", "")
    assert number_setting("ORDERS_SOME_SETTING", 7) == 7


@pytest.mark.parametrize("typed", ["ten", "-3", "nan", "inf", "1e999", "0"])
def test_a_value_that_means_nothing_gives_the_default(monkeypatch, typed):
    monkeypatch.setenv("ORDERS_SOME_SETTING", typed)
    assert number_setting("ORDERS_SOME_SETTING", 7) == 7


def test_zero_is_kept_where_it_means_something(monkeypatch):
    monkeypatch.setenv("ORDERS_SOME_SETTING", "0")
    assert number_setting("ORDERS_SOME_SETTING", 7, zero_allowed=True) == 0
    monkeypatch.setenv("ORDERS_SOME_SETTING", "-1")
    assert number_setting("ORDERS_SOME_SETTING", 7, zero_allowed=True) == 7
