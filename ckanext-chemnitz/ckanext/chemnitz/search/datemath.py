"""Solr date math (``NOW-1DAY``, ``NOW/DAY+6MONTHS``, ``2024-01-01T00:00:00Z+1YEAR``).

Clients such as ckanext-dcat and CKAN's own API users filter with ranges like
``metadata_modified:[NOW-7DAYS TO NOW]``; this module turns such an expression into a
timezone-aware ``datetime`` in UTC.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TypedDict

from dateutil.parser import isoparse

_UNITS = {
    "YEAR": "years", "YEARS": "years",
    "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days",
    "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes",
    "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "milliseconds", "MILLIS": "milliseconds",
    "MILLISECOND": "milliseconds", "MILLISECONDS": "milliseconds",
}  # fmt: skip

_ANCHOR = re.compile(r"^(NOW|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+)?(?:Z|[+-]\d{2}:?\d{2})?)")
_OPERATION = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")


class DateMathError(ValueError):
    """The expression is not a date or Solr date-math expression."""


def parse(expression: str, now: dt.datetime | None = None) -> dt.datetime:
    """Evaluate ``expression`` to an aware UTC datetime."""
    text = expression.strip().upper()
    match = _ANCHOR.match(text)
    if not match:
        raise DateMathError(f"{expression!r} is not a date (expected ISO 8601 or NOW)")
    anchor = match.group(1)
    if anchor == "NOW":
        value = now or dt.datetime.now(dt.timezone.utc)
    else:
        try:
            value = isoparse(anchor)
        except ValueError as error:
            raise DateMathError(f"{expression!r} is not a valid date: {error}") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(dt.timezone.utc)

    rest = text[match.end() :]
    position = 0
    while position < len(rest):
        operation = _OPERATION.match(rest, position)
        if not operation:
            raise DateMathError(f"{expression!r}: cannot read date math at {rest[position:]!r}")
        sign, amount, unit, round_unit = operation.groups()
        if round_unit:
            value = _round_down(value, _unit(round_unit, expression))
        else:
            value = _shift(value, _unit(unit, expression), int(amount) * (1 if sign == "+" else -1))
        position = operation.end()
    return value


def _unit(name: str, expression: str) -> str:
    try:
        return _UNITS[name]
    except KeyError:
        raise DateMathError(f"{expression!r}: unknown date math unit {name!r}") from None


def _shift(value: dt.datetime, unit: str, amount: int) -> dt.datetime:
    if unit in ("years", "months"):
        months = value.month - 1 + amount * (12 if unit == "years" else 1)
        year, month = value.year + months // 12, months % 12 + 1
        day = min(value.day, calendar.monthrange(year, month)[1])
        return value.replace(year=year, month=month, day=day)
    return value + dt.timedelta(**{unit: amount})


class _Fields(TypedDict, total=False):
    """The fields of a ``datetime`` that rounding down resets."""

    month: int
    day: int
    hour: int
    minute: int
    second: int
    microsecond: int


def _round_down(value: dt.datetime, unit: str) -> dt.datetime:
    fields = ["years", "months", "days", "hours", "minutes", "seconds", "milliseconds"]
    keep = fields.index(unit)
    replacements: _Fields = {}
    if keep < 1:
        replacements["month"] = 1
    if keep < 2:
        replacements["day"] = 1
    if keep < 3:
        replacements["hour"] = 0
    if keep < 4:
        replacements["minute"] = 0
    if keep < 5:
        replacements["second"] = 0
    if keep < 6:
        replacements["microsecond"] = 0
    else:
        replacements["microsecond"] = value.microsecond // 1000 * 1000
    return value.replace(**replacements)
