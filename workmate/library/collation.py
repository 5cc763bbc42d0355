"""Korean collation order for page titles and space names (issue 12, point 12).

PostgreSQL built with ICU (the usual packages are) has the collation "ko-x-icu": CLDR's
Korean order, which puts digits and punctuation first, then Hangul in 가나다 order, then
other scripts such as Latin, case folded. SQLite has no locale collations, so the same
order is registered on each SQLite connection as a Python collation under the same
rule, and `korean_order()` picks whichever the database has. Titles are stored in NFC
(`models.nfc`), so decomposed jamo from macOS never sort apart from the same word typed
elsewhere.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F, Func
from django.db.models.functions import Collate, Lower

ICU_KOREAN = "ko-x-icu"
SQLITE_KOREAN = "workmate_ko"


def _rank(char: str) -> int:
    """0 for digits, spaces and punctuation, 1 for Hangul, 2 for every other script."""
    code = ord(char)
    if (
        0xAC00 <= code <= 0xD7A3  # syllables
        or 0x1100 <= code <= 0x11FF  # jamo
        or 0x3130 <= code <= 0x318F  # compatibility jamo
        or 0xA960 <= code <= 0xA97F
        or 0xD7B0 <= code <= 0xD7FF
    ):
        return 1
    if unicodedata.category(char)[0] in {"N", "P", "Z", "S"}:
        return 0
    return 2


def sort_key(text: str) -> tuple[tuple[int, str], ...]:
    """The Korean order of `text` as a Python sort key (what the SQLite collation uses)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return (*((_rank(char), char) for char in folded), (-1, text))


def _compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_KOREAN, _compare)


@functools.cache
def _has_icu_korean(alias: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [ICU_KOREAN])
        return cursor.fetchone() is not None


def korean_order(field: str) -> Func:
    """An order_by expression sorting `field` in Korean collation order."""
    if connection.vendor == "sqlite":
        return Collate(F(field), SQLITE_KOREAN)
    if connection.vendor == "postgresql" and _has_icu_korean(connection.alias):
        return Collate(F(field), ICU_KOREAN)
    return Lower(field)


connection_created.connect(register_sqlite_collation, dispatch_uid="library_korean_collation")
