"""One duration formatter, in the reader's language."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from workmate.lib.durations import format_duration

MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("minutes", "english", "korean"),
    [
        (0, "0m", "0분"),
        (45, "45m", "45분"),
        (60, "1h", "1시간"),
        (213, "3h 33m", "3시간 33분"),
        (-213, "3h 33m", "3시간 33분"),
        (24 * 60, "1d", "1일"),
        (2 * 24 * 60 + 5 * 60 + 7, "2d 5h", "2일 5시간"),
    ],
)
def test_duration_reads_naturally_in_both_languages(minutes, english, korean):
    value = minutes * MINUTE
    with translation.override("en"):
        assert format_duration(value) == english
    with translation.override("ko"):
        assert format_duration(value) == korean


def test_no_duration_is_empty():
    assert format_duration(None) == ""
