"""The search index: one row per searchable object, with what permissions and
qualifiers filter on, the original text for snippets and the grams the full-text index
reads (`text.grams`).

The full-text part is database-specific and lives in migration 0001: on SQLite an FTS5
table (`search_fts`, tokenizer unicode61) over the three gram columns, kept in step by
triggers; on PostgreSQL a generated `tsv` column (`simple` configuration) with a GIN index.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    TASK = "task", _("Tasks")
    TICKET = "ticket", _("Tickets")
    PAGE = "page", _("Pages")
    PROPOSAL = "proposal", _("Proposals")
    CUSTOMER = "customer", _("Customers")
    CONTACT = "contact", pgettext_lazy("search type", "Contacts")
    PERSON = "person", _("People")


# An entry's id is its kind's number followed by the object's id (`entry_id`), so each
# kind is one range of ids and, within it, newer objects have higher ids: a search reads
# one kind's matches newest first straight from the full-text index (SQLite's FTS5 rowid
# range, PostgreSQL's primary key) and stops after `services.CAP` of them.
KIND_NUMBERS = {
    "task": 1,
    "ticket": 2,
    "page": 3,
    "proposal": 4,
    "customer": 5,
    "contact": 6,
    "person": 7,
}
ID_BITS = 40  # object ids below 2**40 (a trillion)


def entry_id(kind: str, object_id: int) -> int:
    return (KIND_NUMBERS[kind] << ID_BITS) + object_id


def kind_ids(kind: str) -> tuple[int, int]:
    """The first and last entry id `kind` can have."""
    first = KIND_NUMBERS[kind] << ID_BITS
    return first, first + (1 << ID_BITS) - 1


class Entry(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The object's primary key in its own table (no foreign key: one table for seven).
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    # What anyone who may open the object reads, and (tickets) the internal notes only
    # agents read; both as written, for snippets.
    body = models.TextField(blank=True, default="")
    private = models.TextField(blank=True, default="")
    title_grams = models.TextField(blank=True, default="")
    body_grams = models.TextField(blank=True, default="")
    private_grams = models.TextField(blank=True, default="")
    url = models.CharField(max_length=300)
    # For permissions (services.visible) and qualifiers (query.Query).
    status = models.CharField(max_length=20, blank=True, default="")
    is_open = models.BooleanField(default=True)
    hidden = models.BooleanField(default=False)
    project_id = models.BigIntegerField(null=True)
    space_id = models.BigIntegerField(null=True)
    customer_id = models.BigIntegerField(null=True)
    contact_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    priority = models.SmallIntegerField(null=True)
    # "|3|7|": team ids; "|bug|db 서버|": normalised tag names (LIKE '%|x|%').
    teams = models.TextField(blank=True, default="")
    tags = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(null=True)
    # Tasks: the newest comment in `body` (comments go in by id) and how many there are,
    # so a new comment is added to the text on its own (`indexing.append_comments`) and
    # the sweeper sees one that never was; NULL on other kinds.
    last_comment_id = models.BigIntegerField(null=True)
    comment_count = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            # Indexing replaces an object's row by (kind, object_id); never two.
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once"),
        ]
        indexes = [
            # Qualifier-only searches (type:task assignee:me) in rank order.
            models.Index(fields=["kind", "is_open", "updated_at"], name="search_kind_recent_idx"),
            # Tasks filtered by the projects a person may see.
            models.Index(
                fields=["project_id"], condition=Q(kind="task"), name="search_task_project_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SweepState(models.Model):
    """One row: until when the sweeper has re-indexed changed objects."""

    swept_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"swept until {self.swept_until}"


class RebuildState(models.Model):
    """One row per kind while `rebuild_search` runs: the last object id done, so a
    stopped rebuild goes on from there; `finished` once the kind is done."""

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    last_id = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} after {self.last_id}"
