"""Comments on pages: threads one level deep, resolvable, with @mentions.

Mentions work as in task and proposal comments (`workmate.lib.mentions`): written as
`@**Name|id**` tokens, and only people who may see the page can be mentioned — in a
private space, its members. Everyone is told through the inbox (`notify`), which also
drops whoever cannot see the page (the "page" rule in `library.visibility`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.mentions import mentioned_ids
from workmate.library.models import Page, PageComment
from workmate.work.services import write_mentions_as_tokens

BODY_MAX = 10_000


def get_comment_for_user(user: User, pk: int) -> PageComment:
    """A comment on a page the person may see; 404 otherwise."""
    comment = (
        PageComment.objects.filter(pk=pk, page__in=Page.objects.visible_to(user))
        .select_related("page", "page__space", "author", "parent")
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment


def _thread_root(page: Page, parent: PageComment) -> PageComment:
    if parent.page_id != page.pk:
        raise ValidationError({"parent": _("That comment belongs to another page.")})
    return parent.parent if parent.parent_id is not None else parent


@transaction.atomic
def do_comment(
    actor: User, page: Page, body: str, parent: PageComment | None = None
) -> PageComment:
    """Comment on a page, or reply in a comment's thread.

    Steps: check the actor may see the page; for a reply, find the thread's top comment
    (a reply to a reply joins it; a reply re-opens a resolved thread); write mentions as
    tokens and refuse people who cannot see the page; write; tell the mentioned people
    (mention), the thread's other writers (reply) or, for a new thread, the page's owner.
    """
    if not page.space.can_view(actor):
        raise Http404("No such page.")
    root = _thread_root(page, parent) if parent is not None else None
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _("At most %(max)s characters.") % {"max": BODY_MAX}})
    body, mentioned = write_mentions_as_tokens(body, strict=True)
    blind = [person for person in mentioned if not page.space.can_view(person)]
    if blind:
        raise ValidationError(
            {
                "body": _(
                    "%(names)s cannot see this page, so the mention would tell them nothing "
                    "they may read. Ask a space editor to add them first, or leave it out."
                )
                % {"names": ", ".join(person.full_name for person in blind)}
            }
        )
    comment = PageComment.objects.create(page=page, author=actor, body=body, parent=root)
    if root is not None and root.resolved_at is not None:
        root.resolved_at, root.resolved_by = None, None
        root.save(update_fields=["resolved_at", "resolved_by"])
    told = {person for person in mentioned if person != actor}
    _tell(actor, page, comment, Kind.MENTION, told)
    if root is not None:
        writers = set(
            User.objects.filter(
                pk__in=[root.author_id, *root.replies.values_list("author_id", flat=True)]
            )
        )
        _tell(actor, page, comment, Kind.COMMENT, writers - told)
    else:
        _tell(actor, page, comment, Kind.COMMENT, {page.owner} - told)
    return comment


def _tell(actor: User, page: Page, comment: PageComment, kind: str, people: Iterable[User]) -> None:
    notify(
        people,
        kind,
        title=page.title,
        url=f"{reverse('library:page', args=[page.pk])}#comment-{comment.pk}",
        group_key=f"page:{page.pk}",
        actor=actor,
        excerpt=comment.body,
    )


def can_resolve(user: User, root: PageComment) -> bool:
    """Who may resolve or re-open a thread: whoever may write in the space, the thread's
    starter and the page's owner."""
    page = root.page
    return root.author_id == user.pk or page.owner_id == user.pk or page.space.can_write(user)


@transaction.atomic
def do_set_resolved(actor: User, comment: PageComment, resolved: bool) -> PageComment:
    """Resolve a thread (or open it again). A reply stands for its thread."""
    root = comment.parent if comment.parent_id is not None else comment
    root.page = comment.page
    if not can_resolve(actor, root):
        raise PermissionDenied(_("You may not resolve this thread."))
    # Two people clicking at once: the second sees the first's result, not a new time.
    root = PageComment.objects.select_for_update().select_related("page").get(pk=root.pk)
    if resolved and root.resolved_at is None:
        root.resolved_at, root.resolved_by = timezone.now(), actor
        root.save(update_fields=["resolved_at", "resolved_by"])
    elif not resolved and root.resolved_at is not None:
        root.resolved_at, root.resolved_by = None, None
        root.save(update_fields=["resolved_at", "resolved_by"])
    return root


def comment_threads(page: Page) -> list[PageComment]:
    """The page's threads, open ones first then resolved, oldest first within each; each
    with its `thread_replies` and every comment with its `mentioned_people`: two queries
    however many there are."""
    comments = list(
        page.comments.select_related("author", "resolved_by").order_by("created_at", "pk")
    )
    ids = {pk for comment in comments for pk in mentioned_ids(comment.body)}
    people = (
        {
            person.pk: person
            for person in User.objects.filter(pk__in=ids).only("pk", "full_name", "email")
        }
        if ids
        else {}
    )
    by_pk = {comment.pk: comment for comment in comments}
    threads: list[PageComment] = []
    for comment in comments:
        comment.thread_replies = []  # type: ignore[attr-defined]
        comment.mentioned_people = [  # type: ignore[attr-defined]
            people[pk] for pk in mentioned_ids(comment.body) if pk in people
        ]
    for comment in comments:
        root = by_pk.get(comment.parent_id) if comment.parent_id else None
        if root is None:
            threads.append(comment)
        else:
            root.thread_replies.append(comment)  # type: ignore[attr-defined]
    return sorted(threads, key=lambda thread: thread.resolved_at is not None)
