"""Writing the index: one builder per kind turns a batch of object ids into entries.

`refresh` (after each commit), the sweeper and `rebuild_search` all go through `refresh`,
so a rebuilt index is the same as one kept by incremental updates."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Count, Q
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

    # In id order, the order `append_comments` adds a new one in.
    comments: dict[int, list[str]] = defaultdict(list)
    last_comment: dict[int, int] = {}
    for comment_id, task_id, body in (
        Comment.objects.filter(task_id__in=ids).order_by("pk").values_list("pk", "task_id", "body")
    ):
        comments[task_id].append(body)
        last_comment[task_id] = comment_id
    tags: dict[int, list[str]] = defaultdict(list)
    for task_id, name in Task.tags.through.objects.filter(task_id__in=ids).values_list(
        "task_id", "tag__name"
    ):
        tags[task_id].append(normalise(name))
    rows = (
        Task.objects.filter(pk__in=ids)
        .order_by()
        .values(
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
            last_comment_id=last_comment.get(r["pk"], 0),
            comment_count=len(comments[r["pk"]]),
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
    rows = (
        Ticket.objects.filter(pk__in=ids)
        .order_by()
        .values(
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
    """INSERT the rows in id order, several to a statement, each value as the database
    stores it. (bulk_create made a model instance of each row and passed each of its 25
    values through its field: the largest cost of a rebuild after the full-text index.)"""
    if not rows:
        return
    ops = connection.ops
    adapters = {
        "DateTimeField": ops.adapt_datetimefield_value,
        "DateField": ops.adapt_datefield_value,
    }
    columns = []
    for field in Entry._meta.concrete_fields:
        adapt = adapters.get(field.get_internal_type())
        columns.append((field.attname, field, adapt))
    table = ops.quote_name(Entry._meta.db_table)
    names = ", ".join(ops.quote_name(field.column) for _name, field, _adapt in columns)
    values = []
    for row in sorted(rows, key=lambda r: r["id"]):
        for name, field, adapt in columns:
            value = row[name] if name in row else field.get_default()
            values.append(adapt(value) if adapt is not None and value is not None else value)
    # SQLite takes 32,766 parameters a statement; PostgreSQL 65,535.
    per_statement = 500
    width = len(columns)
    one = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg finds a statement's placeholders in Python for every new statement
            # text (two thirds of a rebuild's CPU with 500 rows a statement): one row's
            # INSERT, read once and sent for every row.
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES {one}",
                [values[i : i + width] for i in range(0, len(values), width)],
            )
            return
        for start in range(0, len(rows), per_statement):
            chunk = values[start * width : (start + per_statement) * width]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * (len(chunk) // width)),
                chunk,
            )


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


def load(kind: str, ids: list[int], *, after: int) -> int:
    """A bulk rebuild's batch (`rebuild.rebuild`), with the full-text index suspended:
    clear the kind's ids after `after` up to the batch's last (rows of these objects, and
    of objects deleted in between), then write the batch's rows. Returns how many."""
    with transaction.atomic():
        _lock(kind, ids)
        rows = BUILDERS[kind](ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_entry WHERE id > %s AND id <= %s",
                [entry_id(kind, after), entry_id(kind, max(ids))],
            )
        _write(rows)
    return len(rows)


def append_comments(task_id: int, comment_ids: list[int]) -> int:
    """Add new comments to their task's entry, reading and n-gramming only them (a
    comment re-indexed its whole task, every comment again: 35–120 ms after the commit at
    ~700 comments). The entry ends as `build_tasks` would write it: comments in id order,
    the text cut at MAX_INDEXED_CHARS, `last_comment_id` the newest one in it.

    When the entry does not end just before these comments (none yet; or a comment with a
    higher id, or an edit, got there first), the task is re-indexed whole instead.
    Returns how many rows were written (0 or 1)."""
    from workmate.work.models import Comment

    pk = entry_id(Kind.TASK, task_id)
    with transaction.atomic():
        _lock(Kind.TASK, [task_id])
        comments = list(
            Comment.objects.filter(task_id=task_id, pk__in=comment_ids)
            .order_by("pk")
            .values_list("pk", "body")
        )
        if not comments:
            return 0  # Rolled back or deleted since: the delete re-indexes the task.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT body, length(body_grams), last_comment_id, comment_count FROM search_entry"
                " WHERE id = %s",
                [pk],
            )
            entry = cursor.fetchone()
            if entry is None or entry[2] is None or entry[2] >= comments[0][0]:
                return refresh(Kind.TASK, [task_id])
            body, grams_length, _last, count = entry
            text = _join(*(comment_body for _id, comment_body in comments))
            added = ("\n" + text if body and text else text)[
                : max(0, MAX_INDEXED_CHARS - len(body))
            ]
            added_grams = grams(added)
            if grams_length and added_grams:
                added_grams = " " + added_grams
            cursor.execute(
                "UPDATE search_entry SET body = body || %s, body_grams = body_grams || %s,"
                " last_comment_id = %s, comment_count = %s WHERE id = %s",
                [added, added_grams, comments[-1][0], (count or 0) + len(comments), pk],
            )
    return 1


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
    from workmate.work.models import Task

    window = {"gte": since, "lt": until}

    def ids(model, field: str, column: str = "pk") -> set[int]:
        lookup = {f"{field}__{op}": value for op, value in window.items()}
        return set(model.objects.filter(**lookup).values_list(column, flat=True))

    return {
        Kind.TASK: ids(Task, "updated_at") | _behind_on_comments(since, until),
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


def _behind_on_comments(since: datetime.datetime, until: datetime.datetime) -> set[int]:
    """Tasks with a comment made in [since, until) whose entry does not count all their
    comments: one whose after-commit indexing never ran. Tasks whose new comments were
    added are left alone, so the sweeper does not re-read every comment of each task
    commented on in the last minute (it counts them in the database)."""
    from workmate.work.models import Comment

    commented = set(
        Comment.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
            "task_id", flat=True
        )
    )
    counted = dict(
        Comment.objects.filter(task_id__in=commented)
        .order_by()
        .values("task_id")
        .annotate(n=Count("pk"))
        .values_list("task_id", "n")
    )
    indexed = dict(
        Entry.objects.filter(pk__in=[entry_id(Kind.TASK, pk) for pk in commented]).values_list(
            "object_id", "comment_count"
        )
    )
    return {pk for pk in commented if indexed.get(pk) != counted.get(pk)}
