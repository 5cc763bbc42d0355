"""The one CSV writer for downloads neutralises cells a spreadsheet would run (OWASP)."""

from __future__ import annotations

import csv
import io

import pytest

from workmate.lib import csvexport


def written(row: list[object]) -> list[str]:
    out = io.StringIO()
    csvexport.writer(out).writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_each_formula_prefix_gets_a_quote_and_keeps_the_rest(cell, expected):
    assert written([cell]) == [expected]
    assert csvexport.restore(expected) == cell


@pytest.mark.parametrize(
    "cell", ["Plain title", "회의록 = 정리", "a=b", "'quoted", "", "2026-11-05"]
)
def test_other_text_is_written_as_it_is(cell):
    assert written([cell]) == [cell]
    assert csvexport.restore(cell) == cell


def test_numbers_stay_numbers():
    assert written([-5, 1.5, None]) == ["-5", "1.5", ""]


def test_writerow_returns_what_the_stream_wrote_for_streaming():
    class Echo:
        def write(self, value: str) -> str:
            return value

    assert csvexport.writer(Echo()).writerow(["=1", "x"]) == "'=1,x\r\n"
