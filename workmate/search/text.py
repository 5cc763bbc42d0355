"""Text for the index: normalising, the grams the full-text index stores, and snippets.

Neither SQLite's FTS5 nor PostgreSQL's `simple` configuration splits Korean into words:
`unicode61` keeps particles on (서버가), `trigram` cannot match two syllables, and
PostgreSQL has no Korean dictionary. So the application writes the tokens itself and
both databases only index space-separated tokens:

1. normalise: NFKC (which also composes NFD jamo into syllables) and case-fold;
2. split into runs: Hangul/CJK characters, other letters and digits, anything else
   separates;
3. a letter/digit run is one token (`api`, `v2`, `2026`);
4. a CJK run of n characters gives n tokens: its n-1 overlapping bigrams and then its
   last character alone (서버를 -> 서버 버를 를), so a run's tokens sit at the positions
   of its characters and phrases across runs stay adjacent.

A query term becomes the phrase of the same tokens, except that the last CJK run of a
term gives only its bigrams (the text may go on: 서버 must find 서버를), and a term that
ends in a one-character CJK run matches it as a prefix (서 -> `서*`, which finds the
bigrams starting with it and the run-final 서).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Stored text is cut here: a ticket with years of replies still indexes in one row.
MAX_INDEXED_CHARS = 20_000


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x3040 <= code <= 0x30FF  # Hiragana, Katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


# Unicode's control characters (category Cc) are exactly these two ranges.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The ranges of `_is_cjk`, for the regular expressions below.
_CJK_CLASS = "\uac00-\ud7a3\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run: CJK characters, or other letters and digits (`[^\W_]` is `str.isalnum`).
_RUN = re.compile(f"([{_CJK_CLASS}]+)|([^\\W_{_CJK_CLASS}]+)")


def normalise(text: str) -> str:
    """NFKC and case-folded, with NUL and other control characters as spaces."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Run:
    text: str
    cjk: bool


def runs(normalised: str) -> list[Run]:
    """The runs of a normalised text: CJK characters, or other letters and digits."""
    return [Run(m.group(), m.group(1) is not None) for m in _RUN.finditer(normalised)]


def run_tokens(run: Run, *, open_end: bool = False) -> list[str]:
    """A run's tokens; `open_end` leaves out a CJK run's final character (query side)."""
    if not run.cjk:
        return [run.text]
    text = run.text
    grams = [text[i : i + 2] for i in range(len(text) - 1)]
    if not open_end or not grams:
        grams.append(text[-1])
    return grams


def grams(text: str) -> str:
    """The tokens the full-text index stores for `text`, space-separated (what
    `run_tokens` gives for each run, written out here: rebuilding calls it for every
    text of the index)."""
    tokens: list[str] = []
    for cjk, other in _RUN.findall(normalise(text[:MAX_INDEXED_CHARS])):
        if other:
            tokens.append(other)
        else:
            tokens.extend(map(str.__add__, cjk, cjk[1:]))  # its bigrams (map stops short)
            tokens.append(cjk[-1])
    return " ".join(tokens)


@dataclass(frozen=True)
class Phrase:
    """A query term as tokens; `prefix` when its last token must match as a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


def phrase_of(term: str) -> Phrase | None:
    """The phrase a query term (a word, or the inside of quotes) matches; None if empty."""
    found = runs(normalise(term))
    if not found:
        return None
    tokens: list[str] = []
    for i, run in enumerate(found):
        tokens.extend(run_tokens(run, open_end=i == len(found) - 1))
    last = found[-1]
    prefix = last.cjk and len(last.text) == 1
    return Phrase(tuple(tokens), prefix)


# Snippets -------------------------------------------------------------------------


def _fold_map(text: str) -> tuple[str, list[int]]:
    """`text` normalised character by character, and for each normalised character the
    index of the original character it came from (for highlighting the original)."""
    # A text has few distinct characters: normalise each once.
    pieces = {ch: normalise(ch) for ch in set(text)}
    folded = "".join([pieces[ch] for ch in text])
    if len(folded) == len(text) and all(len(p) == 1 for p in pieces.values()):
        return folded, list(range(len(text)))
    origin: list[int] = []
    for i, ch in enumerate(text):
        origin.extend([i] * len(pieces[ch]))
    return folded, origin


def highlight(text: str, needles: list[str], width: int = 160) -> str:
    """HTML: an excerpt of `text` around the first needle found, every needle marked.

    Matching is on the normalised text and the marks go around the original characters,
    so 서버 is marked inside 웹서버를 and `API` inside `api서버`. The text is escaped here;
    the result is safe to show as is."""
    text = unicodedata.normalize("NFC", text)
    folded, origin = _fold_map(text)
    spans: list[tuple[int, int]] = []
    for needle in {n for n in needles if n}:
        for match in re.finditer(re.escape(needle), folded):
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            spans.append((start, end))
    spans.sort()
    if spans:
        first = spans[0][0]
        begin = max(0, first - width // 3)
        # Start at a word boundary when one is near.
        space = text.rfind(" ", begin - 10, first)
        if space != -1 and space >= begin - 10 and begin > 0:
            begin = space + 1
    else:
        begin = 0
    end = min(len(text), begin + width)
    parts: list[str] = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop in spans:
        if stop <= cursor or start >= end:
            continue
        start = max(start, cursor)
        stop = min(stop, end)
        parts.append(html.escape(text[cursor:start]))
        parts.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        cursor = stop
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def needles_of(phrases: list[Phrase], terms: list[str]) -> list[str]:
    """What to mark in a snippet: each positive term's normalised text and its runs."""
    found: list[str] = []
    for term in terms:
        for run in runs(normalise(term)):
            found.append(run.text)
    return found
