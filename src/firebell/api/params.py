"""Request parameters validated exactly as the OpenAPI document describes them."""

import re
from datetime import date, datetime
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import BeforeValidator, WithJsonSchema

# Incident numbers are INTEGER columns (32-bit on PostgreSQL): no incident can have a larger number.
DB_INTEGER_MAX = 2**31 - 1

_DIGITS = re.compile(r"-?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def whole_number(value: object) -> object:
    """Refuse what pydantic's lax mode would read as an integer but JSON Schema would not ("1_0", "5.0", " 5")."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("expected a whole number written with the digits 0-9")
    return value


def iso_date(value: object) -> object:
    """Accept only a calendar date as YYYY-MM-DD (not a timestamp, a week date or a bare number)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date on the calendar") from None
    raise ValueError("expected a date as YYYY-MM-DD, for example 2026-01-31")


# The bounds come before the validator in each Annotated: pydantic then writes them into the JSON Schema as
# minimum and maximum (after it, they would appear as "ge"/"le", which no OpenAPI tool understands).
IncidentNumber = Annotated[int, Ge(1), Le(DB_INTEGER_MAX), BeforeValidator(whole_number)]
# Row ids (alerts, alert groups) are INTEGER columns too.
RowId = Annotated[int, Ge(1), Le(DB_INTEGER_MAX), BeforeValidator(whole_number)]
PageSize = Annotated[int, Ge(1), Le(200), BeforeValidator(whole_number)]
IsoDate = Annotated[date, BeforeValidator(iso_date), WithJsonSchema({"type": "string", "format": "date"})]


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
RFC3339_EXPECTED = "expected an RFC 3339 time with a UTC offset, for example 2026-01-05T09:00:00Z"


def rfc3339(value: object) -> object:
    """Accept only an RFC 3339 date-time with its offset (`Z` or `+01:00`); the result is aware, not yet in UTC
    (a far year with an offset may not convert: the route checks the year first)."""
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        try:
            return datetime.fromisoformat(value.upper())
        except ValueError:
            raise ValueError(f"{value} is not a moment on the calendar") from None
    raise ValueError(RFC3339_EXPECTED)


Rfc3339 = Annotated[datetime, BeforeValidator(rfc3339), WithJsonSchema({"type": "string", "format": "date-time"})]
