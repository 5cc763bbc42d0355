"""Searching: who may see what (in SQL, before ranking, limiting and counting), the
qualifiers as filters, the full-text match, ranking, counts and snippets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.search.models import Entry, Kind, kind_ids
from workmate.search.query import Query, fts5_expression, parse, tsquery_expression
from workmate.search.text import Phrase, highlight, normalise, runs

GROUP_SIZE = 5
PAGE_SIZE = 20
# How many matches of one type a search reads at most: counts stop there ("500+"), and
# the ranking (title first, open, recent) orders the newest CAP matches of each type.
CAP = 500
# Types in the order the grouped results show them.
ORDER = [Kind.TASK, Kind.TICKET, Kind.PAGE, Kind.PROPOSAL, Kind.CUSTOMER, Kind.CONTACT, Kind.PERSON]


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    snippet: str  # safe HTML with <mark>
    title_html: str
    url: str
    status: str
    is_open: bool
    updated_at: datetime.datetime


@dataclass
class Results:
    query: Query
    counts: dict[str, int] = field(default_factory=dict)
    groups: list[tuple[str, str, int, list[Hit]]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)  # with a type: the page asked for
    page: int = 1
    has_next: bool = False
    # Types whose count stopped at CAP: there are at least that many.
    capped: set[str] = field(default_factory=set)
    page_ids: list[int] = field(default_factory=list)
    group_ids: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_capped(self) -> bool:
        return bool(self.capped)


# Who may see what ------------------------------------------------------------------


def visible(user: User) -> Q:
    return visibility(user)[0]


def visibility(user: User) -> tuple[Q, set[str]]:
    """`visible`'s filter and the types it can let through (a search reads no others).

    The rule of each object's page, as one filter on entries (a few small subqueries):

    - tasks: in a project the person may see (`ProjectQuerySet.visible_to`);
    - tickets, customers, contacts: agents only (`desk.services.is_agent`), who also
      read internal notes;
    - pages: in a space the person may read (`SpaceQuerySet.visible_to`);
    - proposals: all but hidden ones, which leads, executives and their author see
      (`voice.services.get_proposal_for_user`); the author by digest, checked in Python
      over the few hidden proposals;
    - people: every active colleague (the directory).
    """
    from workmate.library.models import Space
    from workmate.voice.models import Proposal
    from workmate.work.models import Project

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[]), set()
    roles = list(Membership.objects.filter(user=user).values_list("role", flat=True))
    agent = user.is_superuser or bool(roles)
    lead = user.is_executive or TeamRole.LEAD in roles
    rule = (
        Q(kind=Kind.TASK, project_id__in=Project.objects.visible_to(user).values("pk"))
        | Q(kind=Kind.PAGE, space_id__in=Space.objects.visible_to(user).values("pk"))
        | Q(kind=Kind.PERSON)
    )
    if lead:
        rule |= Q(kind=Kind.PROPOSAL)
    else:
        hidden_mine = [
            p.pk
            for p in Proposal.objects.filter(hidden_at__isnull=False)
            .filter(Q(author=user) | Q(is_anonymous=True))
            .only("pk", "nonce", "author_digest")
            if p.is_by(user)
        ]
        rule |= Q(kind=Kind.PROPOSAL) & (Q(hidden=False) | Q(object_id__in=hidden_mine))
    kinds = {Kind.TASK, Kind.PAGE, Kind.PERSON, Kind.PROPOSAL}
    if agent:
        rule |= Q(kind__in=[Kind.TICKET, Kind.CUSTOMER, Kind.CONTACT])
        kinds |= {Kind.TICKET, Kind.CUSTOMER, Kind.CONTACT}
    return rule, kinds


def visible_to_contact(contact) -> Q:
    from workmate.desk.models import Ticket

    return Q(
        kind=Kind.TICKET, object_id__in=Ticket.objects.visible_to_contact(contact).values("pk")
    )


# Qualifiers --------------------------------------------------------------------------


def _any(q_list: list[Q]) -> Q:
    found = Q(pk__in=[])
    for q in q_list:
        found |= q
    return found


def _filters(query: Query, user: User | None) -> Q:
    from workmate.desk.models import Customer
    from workmate.work.models import Priority, Project

    q = Q()
    if query.types:
        q &= Q(kind__in=query.types)
    for name, values in query.qualifiers.items():
        if name == "assignee":
            people = Q(pk__in=[])
            for value in values:
                if value == "me" and user is not None:
                    people |= Q(pk=user.pk)
                else:
                    people |= Q(full_name__icontains=value) | Q(email__istartswith=value)
            q &= Q(assignee_id__in=User.objects.filter(people).values("pk"))
        elif name == "status":
            options = []
            for value in values:
                if value == "open":
                    options.append(Q(is_open=True))
                elif value in {"closed", "done"}:
                    options.append(Q(is_open=False) if value == "closed" else Q(status="done"))
                else:
                    options.append(Q(status=value.replace("-", "_").replace(" ", "_")))
            q &= _any(options)
        elif name == "project":
            q &= Q(kind=Kind.TASK) & _any(
                [
                    Q(project_id__in=Project.objects.filter(name__icontains=v).values("pk"))
                    for v in values
                ]
            )
        elif name == "customer":
            q &= _any(
                [
                    Q(customer_id__in=Customer.objects.filter(name__icontains=v).values("pk"))
                    for v in values
                ]
            )
        elif name == "team":
            ids = list(
                Team.objects.filter(
                    _any([Q(code__iexact=v) | Q(name__icontains=v) for v in values])
                ).values_list("pk", flat=True)
            )
            q &= _any([Q(teams__contains=f"|{pk}|") for pk in ids])
        elif name == "tag":
            q &= _any([Q(tags__contains=f"|{v}|") for v in values])
        elif name == "priority":
            task_names = {p.name.lower(): p.value for p in Priority}
            options = []
            for value in values:
                if value in task_names:
                    options.append(Q(kind=Kind.TASK, priority=task_names[value]))
                elif len(value) == 2 and value[0] == "p" and value[1] in "1234":
                    options.append(Q(kind=Kind.TICKET, priority=int(value[1])))
                elif value.isdigit() and len(value) < 3:
                    options.append(Q(priority=int(value)))
            q &= _any(options)
    for name, span in query.dates.items():
        if name == "due":
            if span.start:
                q &= Q(due_on__gte=span.start)
            if span.end:
                q &= Q(due_on__lte=span.end)
            continue
        zone = timezone.get_current_timezone()
        column = f"{name}_at"
        if span.start:
            start = datetime.datetime.combine(span.start, datetime.time(), zone)
            q &= Q(**{f"{column}__gte": start})
        if span.end:
            end = datetime.datetime.combine(
                span.end + datetime.timedelta(days=1), datetime.time(), zone
            )
            q &= Q(**{f"{column}__lt": end})
    return q


# The full-text match -------------------------------------------------------------------


def _matching(
    clauses: list[list[Phrase]], *, public_only: bool, title_only: bool = False
) -> RawSQL:
    """A subquery of the entry ids matching `clauses`, for `pk__in` (the searches by
    qualifiers alone, which leave words out with `-word`)."""
    if connection.vendor == "postgresql":
        expression = tsquery_expression(clauses)
        if title_only:
            where = "to_tsvector('simple'::regconfig, title_grams) @@ %s::tsquery"
        elif public_only:
            where = (
                "to_tsvector('simple'::regconfig, title_grams || ' ' || body_grams) @@ %s::tsquery"
            )
        else:
            where = "tsv @@ %s::tsquery"
        return RawSQL(f"SELECT id FROM search_entry WHERE {where}", [expression])
    expression = fts5_expression(clauses)
    if title_only:
        expression = "{title_grams} : (" + expression + ")"
    elif public_only:
        expression = "{title_grams body_grams} : (" + expression + ")"
    return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [expression])


def _match_q(query: Query, *, public_only: bool) -> Q:
    q = Q()
    if query.clauses:
        q &= Q(pk__in=_matching(query.clauses, public_only=public_only))
    if query.excluded:
        # One clause, any of the excluded phrases: an object matching one is left out.
        q &= ~Q(pk__in=_matching([query.excluded], public_only=public_only))
    return q


def _where(q: Q) -> tuple[str, list] | None:
    """`q` as SQL over search_entry, or None when it can match nothing."""
    query = Entry.objects.filter(q).query
    try:
        sql, params = query.get_compiler(connection.alias).compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", []
    return sql, list(params)


@dataclass
class _Candidate:
    id: int
    title_hit: bool
    is_open: bool
    updated_at: object  # a datetime (PostgreSQL) or its ISO text (SQLite): compared only

    def rank(self) -> tuple:
        return (self.title_hit, self.is_open, self.updated_at, self.id)


def _in_title(title_grams: str, clauses: list[list[Phrase]]) -> bool:
    """Whether the title alone matches every clause (the index's phrase rule on the
    stored tokens: consecutive, the last one a prefix when the phrase ends in one)."""
    padded = " " + title_grams + " "
    for clause in clauses:
        for phrase in clause:
            needle = " " + " ".join(phrase.tokens) + ("" if phrase.prefix else " ")
            if needle in padded:
                break
        else:
            return False
    return True


def _candidate_sql(
    kind: str, query: Query, where: tuple[str, list], *, public_only: bool
) -> tuple[str, list]:
    """Up to CAP + 1 of `kind`'s entries matching the query's words and passing `where`
    (permissions, qualifiers), newest first.

    The full-text index drives the read: it lists the kind's matches in id order from
    the top of the kind's id range, each is joined to its entry row and checked against
    `where`, and the read stops at the limit. So a word on 300,000 rows costs about as
    much as one on 1,000; what is read is ranked in Python (title first)."""
    first, last = kind_ids(kind)
    condition, params = where
    extra = f" AND ({condition})" if condition else ""
    columns = (
        "search_entry.id, search_entry.title_grams, search_entry.is_open, search_entry.updated_at"
    )
    if connection.vendor == "postgresql":
        positive = tsquery_expression(query.clauses)
        full = positive
        if query.excluded:
            full = f"({positive}) & !({tsquery_expression([query.excluded])})"
        if public_only:
            # The index finds the words anywhere; the public text is checked per row.
            match = (
                "search_entry.tsv @@ %s::tsquery AND to_tsvector('simple'::regconfig,"
                " search_entry.title_grams || ' ' || search_entry.body_grams) @@ %s::tsquery"
            )
            match_params = [positive, full]
        else:
            match = "search_entry.tsv @@ %s::tsquery"
            match_params = [full]
        sql = (
            f"SELECT {columns} FROM search_entry WHERE {match}"
            f" AND search_entry.id BETWEEN %s AND %s{extra}"
            " ORDER BY search_entry.id DESC LIMIT %s"
        )
    else:
        expression = fts5_expression(query.clauses)
        if query.excluded:
            expression = f"({expression}) NOT ({fts5_expression([query.excluded])})"
        fields = (
            "{title_grams body_grams}" if public_only else "{title_grams body_grams private_grams}"
        )
        match_params = [f"{fields} : ({expression})"]
        # CROSS JOIN keeps the full-text table outermost: without it SQLite may walk
        # every entry a person may see and look each up in the index.
        join = "CROSS JOIN" if not public_only else "JOIN"
        sql = (
            f"SELECT {columns} FROM search_fts {join} search_entry"
            " ON search_entry.id = search_fts.rowid"
            " WHERE search_fts MATCH %s AND search_fts.rowid BETWEEN %s AND %s"
            f"{extra} ORDER BY search_fts.rowid DESC LIMIT %s"
        )
    return sql, [*match_params, first, last, *params, CAP + 1]


def _candidates(
    kind: str, query: Query, where: tuple[str, list], *, public_only: bool
) -> list[_Candidate]:
    sql, params = _candidate_sql(kind, query, where, public_only=public_only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        _Candidate(pk, _in_title(title_grams, query.clauses), bool(is_open), updated)
        for pk, title_grams, is_open, updated in rows
    ]


# Putting it together ----------------------------------------------------------------------


def _needles(query: Query) -> list[str]:
    return [run.text for term in query.terms for run in runs(normalise(term))]


def _hit(entry: Entry, needles: list[str], *, private: bool) -> Hit:
    body = entry.body
    if private and entry.private and needles:
        folded_body = normalise(entry.body)
        if not any(n in folded_body for n in needles) and any(
            n in normalise(entry.private) for n in needles
        ):
            body = entry.private
    return Hit(
        kind=entry.kind,
        id=entry.object_id,
        title=entry.title,
        title_html=highlight(entry.title, needles, width=300),
        snippet=highlight(body, needles) if body else "",
        url=entry.url,
        status=entry.status,
        is_open=entry.is_open,
        updated_at=entry.updated_at,
    )


FIELDS = ("kind", "object_id", "title", "body", "private", "url", "status", "is_open", "updated_at")


def _entries(ids: list[int], *, public_only: bool) -> list[Entry]:
    """The entries of `ids` in that order, with what a hit shows."""
    fields = tuple(f for f in FIELDS if f != "private") if public_only else FIELDS
    found = Entry.objects.only(*fields).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _by_filters(
    results: Results,
    entries: QuerySet[Entry],
    kinds: list[str],
    *,
    kind: str,
    flat: bool,
    per_page: int,
    group_size: int,
    public_only: bool,
) -> None:
    """Searches by qualifiers alone (`type:task assignee:me`): no words to read from the
    full-text index, so the entries are filtered and ordered in SQL; counts stop at CAP."""
    for k in kinds:
        n = len(entries.filter(kind=k).order_by().values_list("pk", flat=True)[: CAP + 1])
        if n:
            results.counts[k] = min(n, CAP)
            if n > CAP:
                results.capped.add(k)
    ranked = entries.order_by("-is_open", "-updated_at", "-pk")
    if kind or flat or public_only:
        if kind:
            ranked = ranked.filter(kind=kind)
        start = (results.page - 1) * per_page
        ids = list(ranked.values_list("pk", flat=True)[start : start + per_page + 1])
        results.has_next = len(ids) > per_page
        results.page_ids = ids[:per_page]
        return
    for group in ORDER:
        if results.counts.get(group):
            ids = list(ranked.filter(kind=group).values_list("pk", flat=True)[:group_size])
            results.group_ids.append((group, ids))


def search(
    text: str,
    *,
    user: User | None = None,
    contact=None,
    kind: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
    group_size: int = GROUP_SIZE,
    flat: bool = False,
) -> Results:
    """Search as `user` (or, in the portal, as `contact`): counts per type, and either
    the first hits of each type, or one page of one type's hits (`kind`), or one page of
    all types' hits ranked together (`flat`, the API).

    Steps:
    1. parse the query; permissions (`visible`) and qualifiers become one SQL condition;
    2. per type, read up to CAP + 1 matching entries the person may see, newest first,
       from the full-text index (`_candidates`); their number is the type's count,
       shown as "CAP+" when the read stopped at the limit;
    3. rank what was read: title matches first, open before closed, recently changed
       first; slice the page or each group's first hits;
    4. read those entries whole and make the snippets.
    """
    query = parse(text)
    results = Results(query=query, page=max(1, page))
    if query.is_empty:
        return results
    public_only = contact is not None
    if contact is not None:
        allowed, open_kinds = visible_to_contact(contact), {Kind.TICKET}
    else:
        allowed, open_kinds = visibility(user)
    condition = allowed & _filters(query, user)
    kinds = [k for k in ORDER if k in open_kinds and (not query.types or k in query.types)]
    if not query.clauses:
        entries = Entry.objects.filter(condition).filter(_match_q(query, public_only=public_only))
        _by_filters(
            results, entries, kinds, kind=kind, flat=flat, per_page=per_page,
            group_size=group_size, public_only=public_only,
        )  # fmt: skip
    else:
        where = _where(condition)
        ranked: dict[str, list[_Candidate]] = {}
        if where is not None:
            for k in kinds:
                found = _candidates(k, query, where, public_only=public_only)
                if found:
                    results.counts[k] = min(len(found), CAP)
                    if len(found) > CAP:
                        results.capped.add(k)
                        found = found[:CAP]
                    ranked[k] = sorted(found, key=_Candidate.rank, reverse=True)
        if kind or flat or public_only:
            if kind:
                pool = ranked.get(kind, [])
            else:
                pool = sorted(
                    (c for found in ranked.values() for c in found),
                    key=_Candidate.rank,
                    reverse=True,
                )
            start = (results.page - 1) * per_page
            results.has_next = len(pool) > start + per_page
            results.page_ids = [c.id for c in pool[start : start + per_page]]
        else:
            for group in ORDER:
                if group in ranked:
                    results.group_ids.append((group, [c.id for c in ranked[group][:group_size]]))
    needles = _needles(query)
    wanted = results.page_ids + [pk for _group, ids in results.group_ids for pk in ids]
    entries_by_id = {e.pk: e for e in _entries(wanted, public_only=public_only)}

    def hits(ids: list[int]) -> list[Hit]:
        return [
            _hit(entries_by_id[pk], needles, private=not public_only)
            for pk in ids
            if pk in entries_by_id
        ]

    results.hits = hits(results.page_ids)
    if contact is not None:
        for hit in results.hits:
            hit.url = reverse("portal:ticket", args=[hit.id])
    for group, ids in results.group_ids:
        results.groups.append((group, Kind(group).label, results.counts[group], hits(ids)))
    return results
