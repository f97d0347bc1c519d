"""SQL building blocks shared by the read side."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

CENT = Decimal("0.01")


class ExactMoney(TypeDecorator):
    """Result type of `money_sum`: a Decimal to the cent whatever the database returned."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":  # SQLite summed whole cents (see money_sum)
            return (Decimal(int(round(value))) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class money_sum(FunctionElement[Any]):
    """SUM of a money column, exact on both databases. PostgreSQL sums NUMERIC exactly; SQLite
    stores NUMERIC as binary floats, so there it sums whole cents as integers."""

    type = ExactMoney()
    inherit_cache = True
    name = "money_sum"


@compiles(money_sum)
def _money_sum_default(element, compiler, **kw):
    return f"SUM({compiler.process(element.clauses, **kw)})"


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element, compiler, **kw):
    return f"SUM(CAST(ROUND(({compiler.process(element.clauses, **kw)}) * 100) AS INTEGER))"
