"""Searching: who may see what (in SQL, before ranking, limiting and counting), the
qualifiers as filters, the full-text match, ranking, counts and snippets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.search.models import Entry, Kind
from workmate.search.query import Query, fts5_expression, parse, tsquery_expression
from workmate.search.text import Phrase, highlight, normalise, runs

GROUP_SIZE = 5
PAGE_SIZE = 20
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

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# Who may see what ------------------------------------------------------------------


def visible(user: User) -> Q:
    """The rule of each object's page, as one filter on entries (a few small subqueries):

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
        return Q(pk__in=[])
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
    if agent:
        rule |= Q(kind__in=[Kind.TICKET, Kind.CUSTOMER, Kind.CONTACT])
    return rule


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
    """A subquery of the entry ids matching `clauses`, for `pk__in`."""
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


def _ranked(entries: QuerySet[Entry], query: Query, *, public_only: bool) -> QuerySet[Entry]:
    if query.clauses:
        title = Case(
            When(
                pk__in=_matching(query.clauses, public_only=public_only, title_only=True),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
        entries = entries.annotate(title_hit=title).order_by(
            "-title_hit", "-is_open", "-updated_at", "-pk"
        )
    else:
        entries = entries.order_by("-is_open", "-updated_at", "-pk")
    return entries


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
    all types' hits ranked together (`flat`, the API)."""
    query = parse(text)
    results = Results(query=query, page=max(1, page))
    if query.is_empty:
        return results
    public_only = contact is not None
    allowed = visible_to_contact(contact) if contact is not None else visible(user)
    entries = (
        Entry.objects.filter(allowed)
        .filter(_filters(query, user))
        .filter(_match_q(query, public_only=public_only))
    )
    fields = (
        "kind",
        "object_id",
        "title",
        "body",
        "private",
        "url",
        "status",
        "is_open",
        "updated_at",
    )
    if public_only:
        fields = tuple(f for f in fields if f != "private")
    results.counts = {
        row["kind"]: row["n"] for row in entries.order_by().values("kind").annotate(n=Count("pk"))
    }
    needles = _needles(query)
    ranked = _ranked(entries, query, public_only=public_only).only(*fields)
    if kind or flat or contact is not None:
        start = (results.page - 1) * per_page
        if kind:
            ranked = ranked.filter(kind=kind)
        rows = list(ranked[start : start + per_page + 1])
        results.has_next = len(rows) > per_page
        results.hits = [_hit(e, needles, private=not public_only) for e in rows[:per_page]]
        if contact is not None:
            for hit in results.hits:
                hit.url = reverse("portal:ticket", args=[hit.id])
        return results
    for group in ORDER:
        if results.counts.get(group):
            rows = list(ranked.filter(kind=group)[:group_size])
            hits = [_hit(e, needles, private=True) for e in rows]
            results.groups.append((group, Kind(group).label, results.counts[group], hits))
    return results
