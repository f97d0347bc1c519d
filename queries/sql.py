"""SQL building blocks shared by the read side."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, Select, TypeDecorator, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect

from orders_core.models import Order, Refund

CENT = Decimal("0.01")
# A SELECT of any columns (SQLAlchemy 2.1 types a Select by the tuple of its columns).
AnySelect = Select[*tuple[Any, ...]]


class ExactMoney(TypeDecorator[Decimal]):
    """Result type of `money_sum`: a Decimal to the cent whatever the database returned."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
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
def _money_sum_default(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"SUM({compiler.process(element.clauses, **kw)})"


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"SUM(CAST(ROUND(({compiler.process(element.clauses, **kw)}) * 100) AS INTEGER))"


def refunded_sum(*, in_sql: bool = False) -> ScalarSelect[Any]:
    """The sum of an order's refunds, correlated to `orders`: with `orders.amount_paid` (payments
    - refunds) it gives the sum of the payments, from which the balance due follows
    (orders_core.payment_state.balance_due). An exact Decimal (NULL when none) to read; with
    `in_sql`, a plain SUM (0 when none) for arithmetic inside a query."""
    total = func.coalesce(func.sum(Refund.amount), 0) if in_sql else money_sum(Refund.amount)
    return select(total).where(Refund.order_id == Order.id).scalar_subquery()
