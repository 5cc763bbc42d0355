"""Writing the index: one builder per kind turns a batch of object ids into entries.

`refresh` (after each commit), the sweeper and `rebuild_search` all go through `refresh`,
so a rebuilt index is the same as one kept by incremental updates."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse

from workmate.search.models import Entry, Kind, entry_id
from workmate.search.text import MAX_INDEXED_CHARS, grams, normalise


def _bar(values: Iterable[object]) -> str:
    values = [str(v) for v in values if str(v)]
    return "|" + "|".join(values) + "|" if values else ""


def _entry(kind: str, pk: int, title: str, body: str, private: str = "", **fields) -> dict:
    """One index row as field name → value (what `_write` inserts)."""
    body = body[:MAX_INDEXED_CHARS]
    private = private[:MAX_INDEXED_CHARS]
    return {
        "id": entry_id(kind, pk),
        "kind": kind,
        "object_id": pk,
        "title": title[:300],
        "body": body,
        "private": private,
        "title_grams": grams(title),
        "body_grams": grams(body),
        "private_grams": grams(private),
        **fields,
    }


def _url(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` as a string template, resolved once per batch (reverse
    per row was a fifth of a rebuild's time)."""
    marker = 987654321987
    prefix, _sep, suffix = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def build_tasks(ids: list[int]) -> list[dict]:
    from workmate.work.models import Comment, Task, TaskStatus

    comments: dict[int, list[str]] = defaultdict(list)
    for task_id, body in (
        Comment.objects.filter(task_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("task_id", "body")
    ):
        comments[task_id].append(body)
    tags: dict[int, list[str]] = defaultdict(list)
    for task_id, name in Task.tags.through.objects.filter(task_id__in=ids).values_list(
        "task_id", "tag__name"
    ):
        tags[task_id].append(normalise(name))
    rows = Task.objects.filter(pk__in=ids).values(
        "pk",
        "title",
        "description",
        "status",
        "project_id",
        "project__team_id",
        "assignee_id",
        "priority",
        "created_at",
        "updated_at",
        "due_on",
    )
    url = _url("work:task")
    return [
        _entry(
            Kind.TASK,
            r["pk"],
            r["title"],
            _join(r["description"], *comments[r["pk"]]),
            url=url(r["pk"]),
            status=r["status"],
            is_open=r["status"] != TaskStatus.DONE,
            project_id=r["project_id"],
            teams=_bar([r["project__team_id"]]),
            assignee_id=r["assignee_id"],
            priority=r["priority"],
            tags=_bar(sorted(tags[r["pk"]])),
            created_at=r["created_at"],
            updated_at=r["updated_at"],
            due_on=r["due_on"],
        )
        for r in rows
    ]


def build_tickets(ids: list[int]) -> list[dict]:
    from workmate.desk.models import DONE_STATUSES, EntryKind, Ticket, TicketEntry

    public: dict[int, list[str]] = defaultdict(list)
    notes: dict[int, list[str]] = defaultdict(list)
    for ticket_id, kind, body in (
        TicketEntry.objects.filter(
            ticket_id__in=ids, kind__in=[EntryKind.CUSTOMER, EntryKind.REPLY, EntryKind.NOTE]
        )
        .exclude(body="")
        .order_by("created_at", "pk")
        .values_list("ticket_id", "kind", "body")
    ):
        (notes if kind == EntryKind.NOTE else public)[ticket_id].append(body)
    rows = Ticket.objects.filter(pk__in=ids).values(
        "pk",
        "subject",
        "description",
        "escalation_note",
        "status",
        "customer_id",
        "requester_id",
        "team_id",
        "assignee_id",
        "priority",
        "tags",
        "created_at",
        "updated_at",
    )
    url = _url("desk:ticket")
    return [
        _entry(
            Kind.TICKET,
            r["pk"],
            r["subject"],
            _join(r["description"], *public[r["pk"]]),
            _join(*notes[r["pk"]], r["escalation_note"]),
            url=url(r["pk"]),
            status=r["status"],
            is_open=r["status"] not in DONE_STATUSES,
            customer_id=r["customer_id"],
            contact_id=r["requester_id"],
            teams=_bar([r["team_id"] or ""]),
            assignee_id=r["assignee_id"],
            priority=r["priority"],
            tags=_bar(sorted(normalise(str(t)) for t in r["tags"] or [])),
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


def build_pages(ids: list[int]) -> list[dict]:
    """Title, the current published text and tags only: drafts are the writer's."""
    from workmate.library.models import Page

    tags: dict[int, list[str]] = defaultdict(list)
    for page_id, name in Page.tags.through.objects.filter(page_id__in=ids).values_list(
        "page_id", "tag__name"
    ):
        tags[page_id].append(normalise(name))
    rows = Page.objects.filter(pk__in=ids).values(
        "pk",
        "title",
        "current_revision__body",
        "space_id",
        "space__team_id",
        "trust_state",
        "owner_id",
        "created_at",
        "updated_at",
    )
    url = _url("library:page")
    return [
        _entry(
            Kind.PAGE,
            r["pk"],
            r["title"],
            r["current_revision__body"] or "",
            url=url(r["pk"]),
            status=r["trust_state"],
            space_id=r["space_id"],
            teams=_bar([r["space__team_id"] or ""]),
            assignee_id=r["owner_id"],
            tags=_bar(sorted(tags[r["pk"]])),
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


def build_proposals(ids: list[int]) -> list[dict]:
    """Never the author: an anonymous proposal's text must not lead to them."""
    from workmate.voice.models import CLOSED_STATUSES, Answer, Proposal, ProposalComment

    extra: dict[int, list[str]] = defaultdict(list)
    for proposal_id, body in (
        Answer.objects.filter(proposal_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("proposal_id", "body")
    ):
        extra[proposal_id].append(body)
    for proposal_id, body in (
        ProposalComment.objects.filter(proposal_id__in=ids, hidden_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("proposal_id", "body")
    ):
        extra[proposal_id].append(body)
    teams: dict[int, list[int]] = defaultdict(list)
    for proposal_id, team_id in Proposal.affected_teams.through.objects.filter(
        proposal_id__in=ids
    ).values_list("proposal_id", "team_id"):
        teams[proposal_id].append(team_id)
    rows = Proposal.objects.filter(pk__in=ids).values_list(
        "pk",
        "title",
        "problem",
        "suggestion",
        "status",
        "hidden_at",
        "created_at",
        "edited_at",
        "first_answer_at",
    )
    entries = []
    for pk, title, problem, suggestion, status, hidden_at, created_at, edited_at, answered in rows:
        updated = max(d for d in (created_at, edited_at, answered) if d is not None)
        entries.append(
            _entry(
                Kind.PROPOSAL,
                pk,
                title,
                _join(problem, suggestion, *extra[pk]),
                url=reverse("voice:proposal", args=[pk]),
                status=status,
                is_open=status not in CLOSED_STATUSES,
                hidden=hidden_at is not None,
                teams=_bar(sorted(teams[pk])),
                created_at=created_at,
                updated_at=updated,
            )
        )
    return entries


def build_customers(ids: list[int]) -> list[dict]:
    from workmate.desk.models import Customer

    rows = Customer.objects.filter(pk__in=ids).values_list(
        "pk", "name", "email_domains", "created_at"
    )
    return [
        _entry(
            Kind.CUSTOMER,
            pk,
            name,
            " ".join(str(d) for d in domains or []),
            url=reverse("desk:customer", args=[pk]),
            customer_id=pk,
            created_at=created_at,
            updated_at=created_at,
        )
        for pk, name, domains, created_at in rows
    ]


def build_contacts(ids: list[int]) -> list[dict]:
    from workmate.desk.models import Contact, ContactMembership

    customers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for contact_id, customer_id, name in (
        ContactMembership.objects.filter(contact_id__in=ids)
        .order_by("customer__name")
        .values_list("contact_id", "customer_id", "customer__name")
    ):
        customers[contact_id].append((customer_id, name))
    entries = []
    for pk, email, full_name, is_active, created_at in Contact.objects.filter(
        pk__in=ids
    ).values_list("pk", "email", "full_name", "is_active", "created_at"):
        if not customers[pk]:
            continue  # Nowhere to show them: the directory lists contacts by customer.
        first = customers[pk][0][0]
        entries.append(
            _entry(
                Kind.CONTACT,
                pk,
                full_name or email,
                _join(email, *(name for _id, name in customers[pk])),
                url=reverse("desk:customer", args=[first]),
                customer_id=first,
                is_open=is_active,
                created_at=created_at,
                updated_at=created_at,
            )
        )
    return entries


def build_people(ids: list[int]) -> list[dict]:
    from workmate.accounts.models import Membership, User

    teams: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for user_id, team_id, name in Membership.objects.filter(user_id__in=ids).values_list(
        "user_id", "team_id", "team__name"
    ):
        teams[user_id].append((team_id, name))
    rows = User.objects.filter(pk__in=ids, is_active=True, profile__isnull=False).values_list(
        "pk", "full_name", "email", "profile__title", "date_joined"
    )
    return [
        _entry(
            Kind.PERSON,
            pk,
            full_name or email,
            _join(email, title or "", *(name for _id, name in teams[pk])),
            url=reverse("directory") + "?" + urlencode({"q": email}),
            teams=_bar(sorted(t for t, _n in teams[pk])),
            created_at=joined,
            updated_at=joined,
        )
        for pk, full_name, email, title, joined in rows
    ]


BUILDERS: dict[str, Callable[[list[int]], list[dict]]] = {
    Kind.TASK: build_tasks,
    Kind.TICKET: build_tickets,
    Kind.PAGE: build_pages,
    Kind.PROPOSAL: build_proposals,
    Kind.CUSTOMER: build_customers,
    Kind.CONTACT: build_contacts,
    Kind.PERSON: build_people,
}


def source_model(kind: str):
    from workmate.accounts.models import User
    from workmate.desk.models import Contact, Customer, Ticket
    from workmate.library.models import Page
    from workmate.voice.models import Proposal
    from workmate.work.models import Task

    return {
        Kind.TASK: Task,
        Kind.TICKET: Ticket,
        Kind.PAGE: Page,
        Kind.PROPOSAL: Proposal,
        Kind.CUSTOMER: Customer,
        Kind.CONTACT: Contact,
        Kind.PERSON: User,
    }[kind]


def _write(rows: list[dict]) -> None:
    """INSERT the rows with their ids. (A plain `executemany` of the same rows was twice
    as slow on SQLite as bulk_create's multi-row INSERT: 3.2 vs 1.8 s of CPU for 500
    tickets, the FTS5 triggers included.)"""
    Entry.objects.bulk_create([Entry(**row) for row in rows])


def refresh(kind: str, ids: list[int]) -> int:
    """Make the index hold exactly these objects as they are now: rows for those that
    exist (and are indexed), none for those gone. Returns how many rows were written."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    with transaction.atomic():
        _lock(kind, ids)
        # Built under the lock: the rows written are those of the latest committed state.
        rows = BUILDERS[kind](ids)
        # By object and by id: a row the kind's id rule does not give (written before
        # it, or edited by hand) must not block the insert.
        Entry.objects.filter(
            Q(kind=kind, object_id__in=ids) | Q(pk__in=[entry_id(kind, pk) for pk in ids])
        ).delete()
        _write(rows)
    return len(rows)


def _lock(kind: str, ids: list[int]) -> None:
    """Let one transaction at a time refresh an object (until it commits).

    Two comments on one task, committed at once by two web processes, each refresh its
    entry. On PostgreSQL the second one's DELETE does not see the row the first has just
    inserted (not committed yet), so its INSERT then broke the unique (kind, object_id) and
    the request that had saved the comment answered 500 (bench/scale.sh found it). A
    transaction-scoped advisory lock per object, taken in id order (no deadlock between
    two refreshes), makes the second wait and then replace the first one's row. SQLite
    needs none: its write transactions already run one at a time.
    """
    if connection.vendor != "postgresql":
        return
    # One statement for a batch (rebuild_search refreshes 2,000 at a time), locking in the
    # sorted array's order; ids over 2^31 share a key with a smaller one, which only makes
    # them wait for each other.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), key) FROM unnest(%s::int[]) AS key",
            [f"search:{kind}", sorted({pk % 2**31 for pk in ids})],
        )


# The sweeper ---------------------------------------------------------------------


def changed_since(since: datetime.datetime, until: datetime.datetime) -> dict[str, set[int]]:
    """Objects whose own time stamps say they changed in [since, until): what the
    receivers should have indexed; a crash between commit and index leaves them here."""
    from workmate.desk.models import Ticket, TicketEntry
    from workmate.library.models import Page, Revision
    from workmate.voice.models import Proposal, ProposalComment
    from workmate.work.models import Comment, Task

    window = {"gte": since, "lt": until}

    def ids(model, field: str, column: str = "pk") -> set[int]:
        lookup = {f"{field}__{op}": value for op, value in window.items()}
        return set(model.objects.filter(**lookup).values_list(column, flat=True))

    return {
        Kind.TASK: ids(Task, "updated_at") | ids(Comment, "created_at", "task_id"),
        Kind.TICKET: ids(Ticket, "updated_at") | ids(TicketEntry, "created_at", "ticket_id"),
        Kind.PAGE: ids(Page, "updated_at") | ids(Revision, "created_at", "page_id"),
        Kind.PROPOSAL: set(
            Proposal.objects.filter(
                Q(created_at__gte=since, created_at__lt=until)
                | Q(edited_at__gte=since, edited_at__lt=until)
                | Q(first_answer_at__gte=since, first_answer_at__lt=until)
                | Q(hidden_at__gte=since, hidden_at__lt=until)
            ).values_list("pk", flat=True)
        )
        | ids(ProposalComment, "created_at", "proposal_id"),
    }
