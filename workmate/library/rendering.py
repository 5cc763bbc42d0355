"""A page's text as HTML with its outline, and the difference between two revisions.

The HTML comes from the project's Markdown renderer (`workmate.lib.markdown`: raw HTML
off, then an allow-list sanitiser), so a page can carry no script, event handler or
`javascript:` link. Headings then get ids for the outline's links: the sanitiser keeps
no attributes on headings, so each `<hN>` it wrote is exactly one heading of the text,
in order, and gets the id of the matching entry.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from workmate.lib.markdown import render_markdown

# The same block rules as the renderer, to find the headings it will write.
_headings = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_HEADING_TAG = re.compile(r"<h([1-6])>")
_NOT_SLUG = re.compile(r"[^\w\- ]+")


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class RenderedPage:
    html: SafeString
    outline: list[Heading] = field(default_factory=list)


def _slug(text: str, taken: set[str]) -> str:
    base = "-".join(_NOT_SLUG.sub("", text.lower()).split()) or "section"
    anchor, number = f"h-{base}", 1
    while anchor in taken:
        number += 1
        anchor = f"h-{base}-{number}"
    taken.add(anchor)
    return anchor


def outline_of(text: str) -> list[Heading]:
    """The headings of a Markdown text, with the anchors `render_page` gives them."""
    outline: list[Heading] = []
    taken: set[str] = set()
    tokens = _headings.parse(text or "")
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        words = "".join(
            child.content
            for child in inline.children or ()
            if child.type in {"text", "code_inline"}
        ).strip()
        outline.append(Heading(int(token.tag[1]), words, _slug(words, taken)))
    return outline


def render_page(text: str) -> RenderedPage:
    """Sanitised HTML of a page's Markdown, headings carrying the outline's anchors."""
    html = str(render_markdown(text))
    outline = outline_of(text)
    entries = iter(outline)

    def add_id(match: re.Match[str]) -> str:
        heading = next(entries, None)
        if heading is None:
            return match.group(0)
        return f'<h{match.group(1)} id="{heading.anchor}">'

    # Anchors are made of word characters and hyphens only: safe inside the quotes.
    return RenderedPage(mark_safe(_HEADING_TAG.sub(add_id, html)), outline)


# --- Differences -----------------------------------------------------------------------


@dataclass
class DiffRow:
    """One row of a side-by-side difference; `kind` is equal, delete, insert, change or
    skip (that many unchanged lines left out, in `skipped`)."""

    kind: str
    old_number: int | None = None
    old: str = ""
    new_number: int | None = None
    new: str = ""
    skipped: int = 0


@dataclass
class Diff:
    rows: list[DiffRow]
    added: int
    removed: int

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed

    def inline(self) -> list[DiffRow]:
        """The same rows for an inline view: a changed line as its old then its new."""
        rows: list[DiffRow] = []
        for row in self.rows:
            if row.kind == "change":
                if row.old_number is not None:
                    rows.append(DiffRow("delete", row.old_number, row.old))
                if row.new_number is not None:
                    rows.append(DiffRow("insert", new_number=row.new_number, new=row.new))
            else:
                rows.append(row)
        return rows


def diff_texts(old: str, new: str, context: int = 3) -> Diff:
    """Line by line difference of two texts (difflib), unchanged runs longer than
    twice `context` cut down to `context` lines either side of each change.

    Steps: split both texts into lines; take difflib's opcodes; write each as rows
    (a replaced block pairs its lines side by side, the longer side's rest alone);
    shorten the equal runs."""
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    rows: list[DiffRow] = []
    added = removed = 0
    opcodes = difflib.SequenceMatcher(None, a, b).get_opcodes()
    for position, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            run = [
                DiffRow("equal", i + 1, a[i], j + 1, b[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            head = context if position > 0 else 0
            tail = context if position < len(opcodes) - 1 else 0
            if len(run) > head + tail + 1:
                rows.extend(run[:head])
                rows.append(DiffRow("skip", skipped=len(run) - head - tail))
                rows.extend(run[len(run) - tail :] if tail else [])
            else:
                rows.extend(run)
            continue
        removed += i2 - i1
        added += j2 - j1
        if tag == "delete":
            rows.extend(DiffRow("delete", i + 1, a[i]) for i in range(i1, i2))
        elif tag == "insert":
            rows.extend(DiffRow("insert", new_number=j + 1, new=b[j]) for j in range(j1, j2))
        else:
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                rows.append(
                    DiffRow(
                        "change",
                        i + 1 if i < i2 else None,
                        a[i] if i < i2 else "",
                        j + 1 if j < j2 else None,
                        b[j] if j < j2 else "",
                    )
                )
    return Diff(rows, added, removed)
