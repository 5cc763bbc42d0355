"""Pydantic types the API's schemas share, so a value the database cannot hold is a 422
with a message instead of a 500 from the driver."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

# Primary and foreign keys are 64-bit (BigAutoField); SQLite cannot even bind a larger
# Python int ("Python int too large to convert to SQLite INTEGER").
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID)]


def _storable(value: datetime.datetime) -> datetime.datetime:
    """A moment that converts to UTC: `0001-01-01T00:00:00` in Seoul does not (a 500 from
    the database layer before). A naive one is read in some zone later, so it must keep a
    day's distance from the ends of the calendar."""
    try:
        if timezone.is_naive(value):
            value - datetime.timedelta(days=1)
            value + datetime.timedelta(days=1)
        else:
            # In UTC: PostgreSQL refuses offsets beyond ±15:59 that pydantic accepts
            # ("time zone displacement out of range": a 500 before).
            value = value.astimezone(datetime.UTC)
    except OverflowError as error:
        raise ValueError(_("This moment is out of range.")) from error
    return value


# An input date and time: an aware one in UTC, a naive one as sent.
Moment = Annotated[datetime.datetime, AfterValidator(_storable)]


def parse_id(text: str) -> int | None:
    """`text` as an id, or None when it is not one (ASCII digits within range)."""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None
