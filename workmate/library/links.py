"""Links between pages, read from the Markdown people write.

Two ways to point at a page:

1. `[[Page title]]`: the title as the writer knows it. It is resolved once, when the
   text is saved, to a page id kept in a `PageLink` row together with the title as
   written (its `label`). Later reads go through that row, so renaming the target keeps
   the link working, and a text that still says `[[Old title]]` keeps its page.
2. A plain link to a page's address, `/library/pages/42/` or the same with the site's
   host in front: the id is in the address, so it survives renames by itself.

Links inside code (fenced blocks, indented blocks, `inline code`) are examples, not
links: they are skipped when reading and left alone when rendering.

This module knows no models: it finds what the text points at, and rewrites the text
for rendering with a lookup the caller provides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

# A title may hold anything but brackets and line breaks; 200 is the page title limit.
WIKILINK_RE = re.compile(r"\[\[([^\[\]\n]{1,200})\]\]")
# A page address: /library/pages/<id>/ with anything after it (an anchor, a query, a
# sub-page such as history), with or without scheme and host in front.
PAGE_PATH_RE = re.compile(
    r"(?:https?://[^\s/()<>\[\]\"']+)?/library/pages/(\d{1,12})(?=[/?#)\s\]>\"']|$)"
)
# Fenced blocks (``` or ~~~, to the closing fence or the end), indented blocks after a
# blank line, and inline code spans (a run of backticks to the same run).
_CODE_RE = re.compile(
    r"(?ms)^[ ]{0,3}(```|~~~)[^\n]*\n.*?(?:^[ ]{0,3}\1[^\n]*$|\Z)"
    r"|(?:(?<=\n\n)|\A)(?:(?:[ ]{4}|\t)[^\n]*\n?)+"
    r"|(`+)(?!`).+?(?<!`)\2(?!`)"
)


@dataclass(frozen=True)
class Target:
    """What a piece of text points at: a title as written, or a page id from an address."""

    label: str = ""
    page_id: int | None = None


def normalise_title(title: str) -> str:
    """The form titles are compared in: spaces collapsed, case ignored."""
    return " ".join(title.split()).casefold()


def _outside_code(text: str) -> list[tuple[bool, str]]:
    """`text` cut into (is_code, piece) pieces, in order."""
    pieces: list[tuple[bool, str]] = []
    last = 0
    for match in _CODE_RE.finditer(text):
        if match.start() > last:
            pieces.append((False, text[last : match.start()]))
        pieces.append((True, match.group(0)))
        last = match.end()
    if last < len(text):
        pieces.append((False, text[last:]))
    return pieces


def find_targets(text: str | None, *, site_host: str = "") -> list[Target]:
    """Every page `text` points at, in order, once each.

    Addresses with a host count only when the host is `site_host` (ours): a link to
    another site's /library/pages/1/ is not a link to our page 1.
    """
    found: dict[Target, None] = {}
    if not text or ("[[" not in text and "/library/pages/" not in text):
        return []
    for is_code, piece in _outside_code(text):
        if is_code:
            continue
        for match in WIKILINK_RE.finditer(piece):
            label = " ".join(match.group(1).split())
            if label:
                found.setdefault(Target(label=label), None)
        for match in PAGE_PATH_RE.finditer(piece):
            address = match.group(0)
            if address.startswith("http"):
                host = urlsplit(address).netloc.lower()
                if not site_host or host != site_host.lower():
                    continue
            found.setdefault(Target(page_id=int(match.group(1))), None)
    return list(found)


def labels(text: str | None) -> list[str]:
    """The `[[titles]]` of `text`, as written (spaces collapsed), once each."""
    return [target.label for target in find_targets(text) if target.label]


def render_wikilinks(text: str | None, href_for: Callable[[str], str | None]) -> str:
    """`text` with each `[[Title]]` outside code written as a Markdown link.

    `href_for(label)` gives the address of the page the label points at for the reader,
    or None when there is none they may see: the label then stays as plain text (it is
    what the writer typed, so it reveals nothing the text did not already say).
    """
    if not text or "[[" not in text:
        return text or ""
    out: list[str] = []
    for is_code, piece in _outside_code(text):
        if is_code:
            out.append(piece)
            continue

        def replace(match: re.Match[str]) -> str:
            label = " ".join(match.group(1).split())
            href = href_for(label) if label else None
            # Markdown-escape what could end the link text or start markup early.
            shown = re.sub(r"([\\`*_<>\[\]()!#])", r"\\\1", label)
            if href is None:
                return shown
            return f"[{shown}](<{href}>)"

        out.append(WIKILINK_RE.sub(replace, piece))
    return "".join(out)
