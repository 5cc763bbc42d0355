"""The one rule for text people send: no control characters but tab and line breaks.

PostgreSQL refuses NUL in text ("text fields cannot contain NUL": a 500), SQLite stores
it and it ends up raw in the `.ics` feed and exports; the other C0 characters are never
typed by people and break feeds and mail headers alike. So text with any of them is
refused with a 400 that names the field — never stripped silently.

The API checks what an operation reads in its parser (`workmate.api.Parser`); every other
request goes through `RefuseControlCharactersMiddleware` (query string and form fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls and DEL, except tab (\t), line feed (\n) and carriage return (\r: browsers
# send a text area's line breaks as CRLF).
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_in(value: str) -> str | None:
    """The first forbidden character in `value`, or None."""
    found = CONTROL_CHARACTER.search(value)
    return found.group() if found else None


def refusal(field: str, character: str) -> str:
    return _("%(field)s contains a control character (U+%(code)04X), which is not accepted.") % {
        "field": field,
        "code": ord(character),
    }


def find_in_data(data: Any, path: str = "") -> tuple[str, str] | None:
    """(field path, character) of the first control character in parsed JSON, or None;
    keys count as well as values."""
    items: Iterator[tuple[str, Any]]
    if isinstance(data, str):
        character = control_character_in(data)
        return (path or "body", character) if character else None
    if isinstance(data, dict):
        items = iter(data.items())
    elif isinstance(data, list):
        items = ((str(index), value) for index, value in enumerate(data))
    else:
        return None
    for key, value in items:
        name = f"{path}.{key}" if path else str(key)
        character = control_character_in(str(key))
        if character:
            return name, character
        if found := find_in_data(value, name):
            return found
    return None


def find_in_querydict(data: Any) -> tuple[str, str] | None:
    """(field, character) of the first control character in a QueryDict, or None."""
    for key, values in data.lists():
        for value in [key, *values]:
            if isinstance(value, str) and (character := control_character_in(value)):
                return key, character
    return None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseControlCharactersMiddleware:
    """Answer 400 to a page request whose query string or form holds a control character.

    Paths under /api/ are left to the API's parser, which knows the person's language and
    answers in the API's JSON shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            found = find_in_querydict(request.GET)
            if found is None and request.method == "POST" and request.content_type in FORM_TYPES:
                found = find_in_querydict(request.POST)
            if found is not None:
                # A parameter's name (`q`) means nothing to the reader of a page.
                message = _(
                    "What you sent contains a control character (U+%(code)04X), "
                    "which is not accepted."
                ) % {"code": ord(found[1])}
                context = {"message": message}
                return render(request, "includes/refused_input.html", context, status=400)
        return self.get_response(request)
