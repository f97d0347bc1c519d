"""examples/analysis.py (the marketer's notebook) runs as a plain script on the configured
database and prints the figures of the hand-built data set."""

from __future__ import annotations

import runpy
from decimal import Decimal
from pathlib import Path

import pytest

from tests import dashboard_dataset

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "analysis.py"


@pytest.fixture
def backend():
    return "sqlite"  # the query functions are tested on both databases


def test_the_notebook_runs_on_the_configured_database_and_prints_the_figures(engine, db_url, monkeypatch, capsys):
    dashboard_dataset.build(engine)
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    result = runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "Orders created from 2026-10-22 to 2026-11-20" in out
    assert "7 orders, 4 without any UTM (57.1%)" in out
    assert "Best source: google" in out
    google = result["sources"].set_index(["utm_source", "currency"]).loc[("google", "EUR")]
    assert (google["orders"], google["paid_orders"], google["revenue_ttc"]) == (3, 2, Decimal("381.48"))
    assert list(result["campaigns"]["utm_campaign"]) == ["launch"]
    assert list(result["with_code"]["discount_code"]) == ["PROMO10"]
    assert result["top"].iloc[0]["utm_campaign"] == "launch"
