"""What the library hears from below: saves of pages, tasks, tickets and proposals, whose
texts may link to pages (see `references`). Connected in `apps.ready`.

Django's `post_save` is used rather than signals of the apps below: it sees every way a
text is written (forms, API, imports, the admin) without those apps knowing the library.
A save that names its `update_fields` without the text is skipped, so a status change
costs nothing; other saves read the text, and cost one query when it links nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_save

from workmate.library.models import LinkSource, Page
from workmate.library.references import do_record_links, do_resolve_waiting_links


def _touches(update_fields: Iterable[str] | None, *names: str) -> bool:
    return update_fields is None or any(name in update_fields for name in names)


def page_saved(
    sender, instance: Page, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    if raw:
        return
    if created or _touches(update_fields, "title"):
        do_resolve_waiting_links(instance)
    revision_id = instance.current_revision_id
    if revision_id is None or not _touches(update_fields, "current_revision"):
        return
    revision = instance.current_revision
    do_record_links(
        kind=LinkSource.PAGE,
        source_id=instance.pk,
        text=revision.body,
        writer=revision.author,
        source=instance,
    )


def task_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, "description"):
        return
    if created and not _may_link(instance.description):
        return
    # Who changed the description is not on the task: the link is the task's, unsigned.
    do_record_links(
        kind=LinkSource.TASK,
        source_id=instance.pk,
        text=instance.description,
        writer=None,
        source=instance,
    )


def task_comment_saved(
    sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    if raw or not _touches(update_fields, "body") or (created and not _may_link(instance.body)):
        return
    do_record_links(
        kind=LinkSource.TASK,
        source_id=instance.task_id,
        part=f"comment-{instance.pk}",
        text=instance.body,
        writer=instance.author,
    )


def ticket_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, "description"):
        return
    if created and not _may_link(instance.description):
        return
    do_record_links(
        kind=LinkSource.TICKET,
        source_id=instance.pk,
        text=instance.description,
        writer=None,
        source=instance,
    )


def ticket_entry_saved(
    sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    if raw or not _touches(update_fields, "body") or (created and not _may_link(instance.body)):
        return
    # A customer's message may name an address too, but only colleagues' words link.
    if instance.author_id is None:
        return
    do_record_links(
        kind=LinkSource.TICKET,
        source_id=instance.ticket_id,
        part=f"entry-{instance.pk}",
        text=instance.body,
        writer=instance.author,
    )


def proposal_saved(
    sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    if raw or not _touches(update_fields, "problem", "suggestion"):
        return
    text = f"{instance.problem}\n\n{instance.suggestion}"
    if created and not _may_link(text):
        return
    # An anonymous proposal's author is never named, not even to a signal's receiver.
    do_record_links(
        kind=LinkSource.PROPOSAL,
        source_id=instance.pk,
        text=text,
        writer=None if instance.is_anonymous else instance.author,
        source=instance,
    )


def proposal_comment_saved(
    sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    if raw or not _touches(update_fields, "body") or (created and not _may_link(instance.body)):
        return
    do_record_links(
        kind=LinkSource.PROPOSAL,
        source_id=instance.proposal_id,
        part=f"comment-{instance.pk}",
        text=instance.body,
        writer=instance.author,
    )


def _may_link(text: str) -> bool:
    """Whether a new text may hold a link at all (a new text has no old links to drop)."""
    return "[[" in (text or "") or "/library/pages/" in (text or "")


def connect() -> None:
    from workmate.desk.models import Ticket, TicketEntry
    from workmate.voice.models import Proposal, ProposalComment
    from workmate.work.models import Comment, Task

    post_save.connect(page_saved, sender=Page, dispatch_uid="library_links_page")
    post_save.connect(task_saved, sender=Task, dispatch_uid="library_links_task")
    post_save.connect(task_comment_saved, sender=Comment, dispatch_uid="library_links_task_comment")
    post_save.connect(ticket_saved, sender=Ticket, dispatch_uid="library_links_ticket")
    post_save.connect(
        ticket_entry_saved, sender=TicketEntry, dispatch_uid="library_links_ticket_entry"
    )
    post_save.connect(proposal_saved, sender=Proposal, dispatch_uid="library_links_proposal")
    post_save.connect(
        proposal_comment_saved,
        sender=ProposalComment,
        dispatch_uid="library_links_proposal_comment",
    )
