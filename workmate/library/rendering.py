"""A page's text as HTML with its outline, and the difference between two revisions.

The HTML comes from the project's Markdown renderer (`workmate.lib.markdown`: raw HTML
off, then an allow-list sanitiser), so a page can carry no script, event handler or
`javascript:` link. Headings then get ids for the outline's links: the sanitiser keeps
no attributes on headings, so each `<hN>` it wrote is exactly one heading of the text,
in order, and gets the id of the matching entry.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
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


def _unique_anchors(
    a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines found exactly once in each range, paired, keeping the longest run that is in
    order on both sides (patience sorting: a longest increasing subsequence by bisect)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    tops: list[int] = []  # the smallest j ending an increasing run of each length
    ends: list[int] = []  # the index in `pairs` of that run's last pair
    before: list[int] = []
    for index, (_i, j) in enumerate(pairs):
        length = bisect.bisect_left(tops, j)
        if length == len(tops):
            tops.append(j)
            ends.append(index)
        else:
            tops[length] = j
            ends[length] = index
        before.append(ends[length - 1] if length else -1)
    chain: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        chain.append(pairs[index])
        index = before[index]
    return chain[::-1]


def _match(
    a: list[str],
    b: list[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    out: list[tuple[int, int]],
) -> None:
    """Append the matching line pairs of two ranges to `out`, in order.

    Steps: match the common head and tail; pair the lines unique on both sides as anchors
    and match the gaps between them the same way; where no line is unique, leave the rest
    to difflib (small ranges, or text without unique lines)."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        out.append((alo, blo))
        alo += 1
        blo += 1
    tail = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi -= 1
        bhi -= 1
        tail.append((ahi, bhi))
    if alo < ahi and blo < bhi:
        anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
        if anchors:
            i0, j0 = alo, blo
            for i, j in anchors:
                _match(a, b, i0, i, j0, j, out)
                out.append((i, j))
                i0, j0 = i + 1, j + 1
            _match(a, b, i0, ahi, j0, bhi, out)
        else:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi])
            for x, y, size in matcher.get_matching_blocks():
                out.extend((alo + x + k, blo + y + k) for k in range(size))
    out.extend(reversed(tail))


def diff_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes of two line lists, by patience diff (`_match`).

    difflib's SequenceMatcher alone took ~200 ms on two 2,000-line runbooks that differ in
    every tenth line: it rescans the rest of the text after each of the 200 matches. Anchored
    on unique lines, the same diff takes a few milliseconds and reads better (unique lines
    such as headings line up)."""
    pairs: list[tuple[int, int]] = []
    _match(a, b, 0, len(a), 0, len(b), pairs)
    pairs.append((len(a), len(b)))  # sentinel
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for x, y in pairs:
        if i < x and j < y:
            opcodes.append(("replace", i, x, j, y))
        elif i < x:
            opcodes.append(("delete", i, x, j, j))
        elif j < y:
            opcodes.append(("insert", i, i, j, y))
        if x < len(a) and y < len(b):
            last = opcodes[-1] if opcodes else None
            if last and last[0] == "equal" and last[2] == x and last[4] == y:
                opcodes[-1] = ("equal", last[1], x + 1, last[3], y + 1)
            else:
                opcodes.append(("equal", x, x + 1, y, y + 1))
        i, j = x + 1, y + 1
    return opcodes


def diff_texts(old: str, new: str, context: int = 3) -> Diff:
    """Line by line difference of two texts, unchanged runs longer than twice `context`
    cut down to `context` lines either side of each change.

    Steps: split both texts into lines; take their opcodes (`diff_opcodes`); write each as rows
    (a replaced block pairs its lines side by side, the longer side's rest alone);
    shorten the equal runs."""
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    rows: list[DiffRow] = []
    added = removed = 0
    opcodes = diff_opcodes(a, b)
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
