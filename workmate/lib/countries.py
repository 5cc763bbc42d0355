"""Country names in the reader's language, for the countries whose public holidays we know."""

from __future__ import annotations

from functools import cache

import holidays
from babel import Locale, UnknownLocaleError


@cache
def holiday_countries() -> frozenset[str]:
    """The two-letter codes `holidays` has calendars for (its three-letter aliases left out)."""
    return frozenset(holidays.list_supported_countries(include_aliases=False))


@cache
def country_names(language: str) -> dict[str, str]:
    """Code -> name in `language` for every holiday country, sorted by that name."""
    try:
        territories = Locale.parse(language.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale("en").territories
    names = {code: territories.get(code, code) for code in holiday_countries()}
    return dict(sorted(names.items(), key=lambda item: item[1]))


def country_name(code: str, language: str) -> str:
    return country_names(language).get(code, code)
