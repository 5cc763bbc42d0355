"""Markdown for task descriptions and comments, rendered so that it cannot carry scripts.

Two layers: markdown-it-py renders with raw HTML switched off (any `<tag>` in the text
comes out escaped), then nh3 keeps only an allow-list of tags, attributes and URL
schemes, so a `javascript:` link or an `on*` attribute cannot slip through either.
"""

from __future__ import annotations

import importlib.util

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Link bare URLs only when the optional helper is installed; markdown-it needs it for that.
LINKIFY = importlib.util.find_spec("linkify_it") is not None

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Only table cell alignment survives from inline styles.
STYLE_PROPERTIES = {"text-align"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": LINKIFY, "breaks": True}).enable(
    ["table", "strikethrough"]
)
if LINKIFY:
    _parser.enable("linkify")


def render_markdown(text: str | None) -> SafeString:
    """Markdown text as sanitised HTML, safe to put into a page as is."""
    if not text:
        return mark_safe("")
    html = _parser.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties=STYLE_PROPERTIES,
    )
    # nh3 has just sanitised it.
    return mark_safe(cleaned)
