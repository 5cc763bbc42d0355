"""The query language: words (all must match), "exact phrases", -exclusions, OR, and
qualifiers (`type:task`, `created:>2026-01-01`, `due:2026-01-01..2026-02-01`).

`parse` never fails: what it cannot use becomes a message in `Query.errors` and the rest
still searches. Nothing the person typed reaches the database as syntax: terms become
quoted gram phrases (`text.phrase_of`), qualifier values become ORM filters."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workmate.search.text import Phrase, normalise, phrase_of

# Longer queries are cut: nobody types more, and the index query stays small.
MAX_QUERY_CHARS = 500
MAX_TERMS = 20

TYPES = {
    "task": ["task"],
    "ticket": ["ticket"],
    "page": ["page"],
    "proposal": ["proposal"],
    "customer": ["customer", "contact"],
    "contact": ["contact"],
    "person": ["person"],
}
QUALIFIERS = (
    "type",
    "assignee",
    "status",
    "project",
    "customer",
    "team",
    "tag",
    "priority",
    "created",
    "updated",
    "due",
)
DATE_QUALIFIERS = {"created", "updated", "due"}

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:
        (?P<qual>[A-Za-z_]+):(?P<qvalue>"[^"]*"?|[^\s"]*)   # name:value or name:"a b"
      | "(?P<phrase>[^"]*)"?                               # "a phrase" (unclosed: to the end)
      | (?P<word>[^\s"]+)
    )
    """,
    re.VERBOSE,
)


@dataclass
class DateRange:
    start: datetime.date | None = None  # inclusive
    end: datetime.date | None = None  # inclusive


@dataclass
class Query:
    # All clauses must match; a clause matches when any of its phrases does.
    clauses: list[list[Phrase]] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the positive words, for highlighting
    types: list[str] = field(default_factory=list)
    qualifiers: dict[str, list[str]] = field(default_factory=dict)
    dates: dict[str, DateRange] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.types or self.qualifiers or self.dates)

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.has_filters


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_dates(name: str, value: str) -> DateRange | str:
    """`>2026-01-01`, `>=…`, `<…`, `<=…`, `2026-01-01`, `a..b`, `a..*`, `*..b`; or an error."""
    bad = _(
        "“%(value)s” is not a date for %(name)s: write 2026-01-31, >2026-01-31 "
        "or 2026-01-01..2026-01-31."
    ) % {
        "value": value,
        "name": f"{name}:",
    }
    if ".." in value:
        left, _sep, right = value.partition("..")
        start = None if left in {"", "*"} else _date(left)
        end = None if right in {"", "*"} else _date(right)
        if (left not in {"", "*"} and start is None) or (right not in {"", "*"} and end is None):
            return bad
        if start and end and start > end:
            return _("The range of %(name)s ends before it starts.") % {"name": f"{name}:"}
        return DateRange(start, end)
    for op in (">=", "<=", ">", "<", "="):
        if value.startswith(op):
            day = _date(value[len(op) :])
            if day is None:
                return bad
            one = datetime.timedelta(days=1)
            return {
                ">=": DateRange(day, None),
                "<=": DateRange(None, day),
                ">": DateRange(day + one, None),
                "<": DateRange(None, day - one),
                "=": DateRange(day, day),
            }[op]
    day = _date(value)
    return DateRange(day, day) if day else bad


def parse(text: str) -> Query:
    query = Query()
    text = text.replace("\x00", " ")[:MAX_QUERY_CHARS]
    pending_or = False
    for match in _TOKEN.finditer(text):
        negative = bool(match.group("neg"))
        if match.group("qual") is not None:
            name = match.group("qual").lower()
            value = match.group("qvalue").strip('"').strip()
            if name not in QUALIFIERS:
                query.errors.append(
                    _("“%(name)s” is not a search filter. Use one of: %(known)s.")
                    % {"name": f"{name}:", "known": ", ".join(f"{q}:" for q in QUALIFIERS)}
                )
                continue
            if not value:
                query.errors.append(_("%(name)s needs a value.") % {"name": f"{name}:"})
                continue
            if name == "type":
                for part in re.split(r"[|,]", value.lower()):
                    if part in TYPES:
                        query.types.extend(TYPES[part])
                    elif part:
                        query.errors.append(
                            _(
                                "“%(value)s” is not a type. "
                                "Use task, ticket, page, proposal, customer or person."
                            )
                            % {"value": part}
                        )
            elif name in DATE_QUALIFIERS:
                found = parse_dates(name, value)
                if isinstance(found, str):
                    query.errors.append(found)
                else:
                    query.dates[name] = found
            else:
                query.qualifiers.setdefault(name, []).extend(
                    v for v in (normalise(p).strip() for p in re.split(r"[|,]", value)) if v
                )
            continue
        term = match.group("phrase") if match.group("phrase") is not None else match.group("word")
        if term == "OR" and not negative:
            pending_or = bool(query.clauses)
            continue
        phrase = phrase_of(term)
        if phrase is None:
            continue  # Only operators or punctuation: nothing to look for.
        if negative:
            query.excluded.append(phrase)
        elif pending_or:
            query.clauses[-1].append(phrase)
            query.terms.append(term)
        else:
            query.clauses.append([phrase])
            query.terms.append(term)
        pending_or = False
        if len(query.clauses) + len(query.excluded) >= MAX_TERMS:
            break
    return query


# The full-text expressions ------------------------------------------------------


def _fts5_phrase(phrase: Phrase) -> str:
    # Tokens are letters, digits or CJK only (text.runs), so quoting them is enough.
    return '"' + " ".join(phrase.tokens) + '"' + ("*" if phrase.prefix else "")


def fts5_expression(clauses: list[list[Phrase]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(_fts5_phrase(p) for p in clause) + ")" for clause in clauses
    )


def _tsquery_phrase(phrase: Phrase) -> str:
    parts = [f"'{t}'" for t in phrase.tokens]
    if phrase.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")"


def tsquery_expression(clauses: list[list[Phrase]]) -> str:
    return " & ".join(
        "(" + " | ".join(_tsquery_phrase(p) for p in clause) + ")" for clause in clauses
    )
