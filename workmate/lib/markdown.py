"""Markdown for task descriptions and comments, rendered so that it cannot carry scripts.

Two layers: markdown-it-py renders with raw HTML switched off (any `<tag>` in the text
comes out escaped), then nh3 keeps only an allow-list of tags, attributes and URL
schemes, so a `javascript:` link or an `on*` attribute cannot slip through either.

Mentions (`workmate.lib.mentions`) become links to the person, with the class `mention`
(and `mention-me` for the reader's own name), but only for the people the text was found
to mention when it was saved: the renderer is given them and matches nothing else.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from workmate.lib.mentions import Directory, Mentionable

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
# Classes only our own renderer writes (raw HTML is off, so people cannot write these).
ALLOWED_CLASSES = {"a": {"mention", "mention-me"}}
# Only table cell alignment survives from inline styles.
STYLE_PROPERTIES = {"text-align"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": LINKIFY, "breaks": True}).enable(
    ["table", "strikethrough"]
)
if LINKIFY:
    _parser.enable("linkify")


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """An `@` that mentions one of `env["mentions"]` becomes a `mention` token."""
    directory: Directory | None = state.env.get("mentions")
    if directory is None or state.src[state.pos] != "@":
        return False
    found = directory.read_at(state.src, state.pos)
    if found is None or found.person is None or found.end > state.posMax:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"person": found.person}
    state.pos = found.end
    return True


def _render_mention(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    person = tokens[idx].meta["person"]
    classes = "mention mention-me" if person.pk == env.get("viewer_pk") else "mention"
    return (
        f'<a href="{escape(env["mention_href"](person))}" class="{classes}">'
        f"@{escape(person.full_name or person.email)}</a>"
    )


# Before "text", which stops at every `@`, and before emphasis, which would read the
# `**` of a canonical token as bold.
_parser.inline.ruler.before("text", "mention", _mention_rule)
_parser.add_render_rule("mention", _render_mention)


def render_markdown(
    text: str | None,
    *,
    mentions: Iterable[Mentionable] | None = None,
    mention_href: Callable[[Mentionable], str] | None = None,
    viewer_pk: int | None = None,
) -> SafeString:
    """Markdown text as sanitised HTML, safe to put into a page as is.

    `mentions` are the people the text mentions; each of their mentions becomes a link to
    `mention_href(person)`, highlighted, and marked as the reader's when it is `viewer_pk`.
    """
    if not text:
        return mark_safe("")
    env: dict[str, object] = {}
    people = list(mentions or ())
    if people and mention_href is not None:
        env = {"mentions": Directory(people), "mention_href": mention_href, "viewer_pk": viewer_pk}
    html = _parser.render(text, env)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties=STYLE_PROPERTIES,
    )
    # nh3 has just sanitised it.
    return mark_safe(cleaned)
