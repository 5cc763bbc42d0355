"""The one CSV writer for downloads: cells that a spreadsheet would run as a formula are
neutralised, as OWASP recommends for CSV injection.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
single quote: Excel, LibreOffice and Google Sheets then show the text instead of
evaluating it (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(1+1)`). The rest of the text is kept.
Numbers are written as they are, so a negative figure stays a number. `restore` undoes
the quote for importers reading a file this writer made.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def neutralise(value: object) -> object:
    """The cell as written: formula-looking text gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text a neutralised cell stood for (for importing an export of ours)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class SafeWriter:
    """`csv.writer` whose rows go through `neutralise`; `writerow` returns what the
    stream's `write` returned, so an echo stream can feed a streaming response."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])


def writer(out: _Writable) -> SafeWriter:
    return SafeWriter(out)
