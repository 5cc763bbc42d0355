"""Page templates' variables, filled by plain substitution.

A template's text may hold `{{date}}`, `{{author}}`, `{{customer}}` and the other names
in `VARIABLES` (spaces inside the braces allowed, case ignored). Each is replaced by its
value as plain text, once: the values are not read again, so a customer called
`{{author}}` stays that, and nothing here goes near Django's template engine — `{% %}`
tags, filters (`{{ date|upper }}`) and unknown names are left exactly as written, to be
shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

# The names a template may use, with what each becomes (shown beside the editor).
VARIABLES = {
    "date": _("today's date in the writer's time zone, 2026-12-05"),
    "time": _("the time now in the writer's time zone, 14:30"),
    "author": _("the writer's name"),
    "customer": _("the customer picked when the page is made (empty if none)"),
    "space": _("the space's name"),
    "title": _("the new page's title"),
}

VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_]{1,30})\s*\}\}")


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{{name}}` of a known variable replaced by `values[name]`."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in VARIABLES:
            return match.group(0)
        return values.get(name, "")

    return VARIABLE_RE.sub(replace, text or "")


def used_variables(text: str) -> list[str]:
    """The known variables `text` uses, in order, once each."""
    names = (match.group(1).lower() for match in VARIABLE_RE.finditer(text or ""))
    return list(dict.fromkeys(name for name in names if name in VARIABLES))
