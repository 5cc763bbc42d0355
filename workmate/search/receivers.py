"""Keeping the index current: Django's own model signals on the indexed models, each
recording what changed; one callback after the commit re-indexes it (`indexing.refresh`),
or, for a new task comment, adds the comment to its task's text (`indexing.append_comments`).

Lower apps never import search: this module connects to their models. The receivers
only note (kind, id) pairs in the transaction, so a service that saves a task three times
indexes it once and a rolled-back change indexes nothing; the sweeper
(`tasks.sweep_search_index`) catches anything a crashed process noted but never wrote.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

_PENDING_ATTR = "_search_pending"
_COMMENTS_ATTR = "_search_comments"


def note(kind: str, ids: list[int] | set[int]) -> None:
    """Re-index these objects once the current transaction commits (now when none is open)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    pending: dict[str, set[int]] | None = getattr(connection, _PENDING_ATTR, None)
    if pending is None:
        pending = {}
        setattr(connection, _PENDING_ATTR, pending)
    pending.setdefault(kind, set()).update(ids)
    # One callback per note, not per transaction: a callback registered in a savepoint
    # that rolls back is dropped, the others still run. The first to run empties the set.
    transaction.on_commit(_flush)


def note_comment(task_id: int, comment_id: int) -> None:
    """Add a new comment to its task's entry once the transaction commits."""
    comments: dict[int, set[int]] | None = getattr(connection, _COMMENTS_ATTR, None)
    if comments is None:
        comments = {}
        setattr(connection, _COMMENTS_ATTR, comments)
    comments.setdefault(task_id, set()).add(comment_id)
    transaction.on_commit(_flush)


def _flush() -> None:
    from workmate.search import indexing

    pending = getattr(connection, _PENDING_ATTR, None) or {}
    comments = getattr(connection, _COMMENTS_ATTR, None) or {}
    setattr(connection, _PENDING_ATTR, None)
    setattr(connection, _COMMENTS_ATTR, None)
    for kind, ids in pending.items():
        indexing.refresh(kind, sorted(ids))
    refreshed = pending.get("task", set())
    for task_id, comment_ids in sorted(comments.items()):
        if task_id not in refreshed:
            indexing.append_comments(task_id, sorted(comment_ids))


def connect() -> None:
    from workmate.accounts.models import Membership, User, WorkProfile
    from workmate.desk.models import Contact, ContactMembership, Customer, Ticket, TicketEntry
    from workmate.library.models import Page, Revision
    from workmate.voice.models import Answer, Proposal, ProposalComment
    from workmate.work.models import Comment, Task

    def on(model: Any, kind: str, ids: Any) -> None:
        def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
            note(kind, ids(instance))

        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model}-s")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model}-d")

    on(Task, "task", lambda o: [o.pk])

    # A new comment is added to its task's text on its own; an edit or a delete
    # re-indexes the task.
    def comment_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if created:
            note_comment(instance.task_id, instance.pk)
        else:
            note("task", [instance.task_id])

    def comment_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        note("task", [instance.task_id])

    post_save.connect(comment_saved, sender=Comment, weak=False, dispatch_uid="search-comment-s")
    post_delete.connect(
        comment_deleted, sender=Comment, weak=False, dispatch_uid="search-comment-d"
    )
    on(Ticket, "ticket", lambda o: [o.pk])
    on(TicketEntry, "ticket", lambda o: [o.ticket_id])
    on(Page, "page", lambda o: [o.pk])
    on(Revision, "page", lambda o: [o.page_id])
    on(Proposal, "proposal", lambda o: [o.pk])
    on(ProposalComment, "proposal", lambda o: [o.proposal_id])
    on(Answer, "proposal", lambda o: [o.proposal_id])
    on(Customer, "customer", lambda o: [o.pk])
    on(Contact, "contact", lambda o: [o.pk])
    on(ContactMembership, "contact", lambda o: [o.contact_id])
    on(User, "person", lambda o: [o.pk])
    on(WorkProfile, "person", lambda o: [o.user_id])
    on(Membership, "person", lambda o: [o.user_id])

    # Projects need nothing: permissions and `project:` read the project table live.
    def tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        kind = "task" if isinstance(instance, Task) else "page"
        if isinstance(instance, (Task, Page)):
            note(kind, [instance.pk])

    m2m_changed.connect(tags_changed, sender=Task.tags.through, weak=False, dispatch_uid="st-t")
    m2m_changed.connect(tags_changed, sender=Page.tags.through, weak=False, dispatch_uid="st-p")
