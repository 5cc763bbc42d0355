"""Parts other apps add to a proposal's page, without Voice importing them.

The pipeline (above Voice) shows the PoC made of a proposal, or a "turn into PoC" button,
on the proposal's page. Voice sits below it, so the pipeline registers a panel from its
`apps.py`; the page asks each panel in turn. A panel gets the request (its viewer, and
the CSRF token for a form) and the proposal, and returns HTML (already escaped, e.g. from
`render_to_string(..., request=request)`) or "" when it has nothing for this viewer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, object], str]

_panels: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    _panels[name] = panel


def for_proposal(request: HttpRequest, proposal: object) -> list[SafeString]:
    parts = []
    for panel in _panels.values():
        html = panel(request, proposal)
        if html:
            parts.append(SafeString(html))
    return parts
