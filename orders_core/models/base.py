"""The declarative base, the naming convention and the column types every model shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, mapped_column

Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
# Percent with three decimals: Québec's GST+QST is 14.975 %.
Rate = Annotated[Decimal, mapped_column(Numeric(6, 3))]
IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
UtcTime = Annotated[datetime, mapped_column(DateTime(timezone=True))]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def enum_type(enum_class: type[StrEnum], length: int) -> Enum:
    """A column storing one of `enum_class`'s string values in a VARCHAR(`length`), read back as
    the enum member. The CHECK constraint is declared by the table (with the migrations' name)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=False,  # an unknown string reaches the CHECK constraint, as before
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}
