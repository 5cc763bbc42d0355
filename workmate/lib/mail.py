"""Plain-text mail: subjects and text bodies are never HTML, so they are never HTML-escaped.

A title `<b>Q3</b> & more` must reach a mail client as typed. Templates rendered with
`render_to_string` escape it (`&lt;b&gt;`) unless each one remembers `{% autoescape off %}`;
`render_plain` turns escaping off for the whole template, so none has to remember.
"""

from __future__ import annotations

from typing import Any

from django.template import Context
from django.template.loader import get_template


def render_plain(template_name: str, context: dict[str, Any]) -> str:
    """Render a .txt mail template (subject or body) with autoescaping off."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def subject_line(text: str, limit: int = 200) -> str:
    """A subject on one line: a header must not carry the template's line breaks."""
    return " ".join(text.split())[:limit]
