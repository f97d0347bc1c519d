"""Gapless document numbers per series. A pattern such as `F{YYYY}-{counter:05}` names the series
(`F2026-`: the pattern with its dates filled in, the counter left out) and the number
(`F2026-00042`). The counter is the `counters` row `invoice:<series>`, incremented under its row
lock in the transaction that issues the document: a rollback gives the number back, and two
finance users issuing at once get consecutive numbers, one after the other's commit."""

from __future__ import annotations

import re
import string
from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.models import Counter

DATE_FIELDS = {"YYYY": "%Y", "YY": "%y", "MM": "%m"}
COUNTER = "counter"
# `counters.name` is VARCHAR(40), and `invoice:` takes 8 of them.
MAX_SERIES_LENGTH = 32
SAFE_LITERAL = re.compile(r"^[A-Za-z0-9/_.\-]*$")


def check_pattern(pattern: str) -> str:
    """The pattern, stripped, or InvalidInput saying what is wrong with it: exactly one
    `{counter}` (with an optional width such as `{counter:05}`) at the end, dates among {YYYY},
    {YY}, {MM}, and only letters, digits and `-_/.` around them."""
    pattern = (pattern or "").strip()
    fields = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        raise InvalidInput(_("The number pattern has an unclosed brace: {pattern}").format(pattern=pattern)) from None
    for literal, field, spec, _conversion in parsed:
        if not SAFE_LITERAL.match(literal):
            raise InvalidInput(
                _("A number pattern may only hold letters, digits and - _ / . around its fields: {pattern}").format(
                    pattern=pattern
                )
            )
        if field is not None:
            fields.append((field, spec))
    names = [name for name, _spec in fields]
    if names.count(COUNTER) != 1 or names[-1] != COUNTER or pattern.rstrip("}").endswith("{"):
        raise InvalidInput(
            _("A number pattern ends with one {{counter}}, for instance F{{YYYY}}-{{counter:05}}: {pattern}").format(
                pattern=pattern
            )
        )
    for name, spec in fields:
        if name != COUNTER and (name not in DATE_FIELDS or spec):
            raise InvalidInput(
                _(
                    "Unknown field {{{name}}} in the number pattern: use {{YYYY}}, {{YY}}, {{MM}} and {{counter}}."
                ).format(name=name)
            )
        if name == COUNTER and spec and not re.fullmatch(r"0?[1-9]", spec):
            raise InvalidInput(_("The counter's width is a digit, for instance {{counter:05}}."))
    if len(series_of(pattern, date(2000, 12, 1))) > MAX_SERIES_LENGTH:
        raise InvalidInput(_("The number pattern is too long: at most 32 characters before the counter."))
    return pattern


def series_of(pattern: str, on: date) -> str:
    """The pattern's text before its counter, with the dates of `on` filled in."""
    head = pattern[: pattern.index("{" + COUNTER)]
    return head.format(**{name: on.strftime(code) for name, code in DATE_FIELDS.items()})


def format_number(pattern: str, on: date, counter: int) -> str:
    return format_numbers(pattern, on, range(counter, counter + 1))[0]


def format_numbers(pattern: str, on: date, counters: range) -> list[str]:
    """The numbers of these counters, the series' dates filled in once (bulk issuing)."""
    series = series_of(pattern, on)
    tail = pattern[pattern.index("{" + COUNTER) :]
    return [series + tail.format(counter=counter) for counter in counters]


def next_number(session: Session, pattern: str, on: date) -> tuple[str, str]:
    """(series, number): the series' next number, its counter row locked until the commit."""
    series = series_of(pattern, on)
    name = f"invoice:{series}"
    value = _increment(session, name)
    if value is None:
        try:
            with session.begin_nested():  # another transaction may create the row at the same time
                session.execute(insert(Counter).values(name=name, value=0))
        except IntegrityError:
            pass
        value = _increment(session, name)
    if value is None:  # pragma: no cover - the row was just made
        raise InvalidInput(_("The document counter could not be created."))
    return series, format_number(pattern, on, value)


def _increment(session: Session, name: str) -> int | None:
    value = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one_or_none()
    return None if value is None else int(value)
