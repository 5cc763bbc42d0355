"""Every change to the proposal board goes through here: views and the API call the same
functions.

`check_*` validates and checks rights; `do_*` writes, in a transaction. Nothing here
ever stores or returns who wrote an anonymous proposal: the only link is
`Proposal.author_digest`, which only the author can recompute (`Proposal.is_by`).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.mentions import mentioned_ids
from workmate.voice import signals
from workmate.voice.models import (
    Area,
    ModerationAction,
    ModerationLog,
    Proposal,
    ProposalAttachment,
    ProposalComment,
    ProposalStatus,
    Subscription,
    Vote,
    author_digest_for,
    new_nonce,
)
from workmate.work.services import check_attachment, write_mentions_as_tokens

# The most files one proposal may carry; a proposal is a few paragraphs, not a file share.
MAX_ATTACHMENTS = 3

# --- Access ----------------------------------------------------------------------------


def is_lead(user: User) -> bool:
    """Leads answer proposals: a team lead anywhere, or an executive or staff member."""
    if not user.is_authenticated:
        return False
    if user.is_executive:
        return True
    return Membership.objects.filter(user=user, role=TeamRole.LEAD).exists()


def get_proposal_for_user(user: User, pk: int) -> Proposal:
    """A proposal as `user` may see it; hidden ones only for leads and their author."""
    proposal = Proposal.objects.select_related("author", "merged_into").filter(pk=pk).first()
    if proposal is None:
        raise Http404("No such proposal.")
    if proposal.hidden_at and not (proposal.is_by(user) or is_lead(user)):
        raise Http404("No such proposal.")
    return proposal


def proposals_by(user: User) -> list[Proposal]:
    """The proposals `user` wrote, anonymous ones included, newest first.

    The digest has a nonce of its own per proposal, so it cannot be looked up: named ones
    come by their author column, anonymous ones are each checked with `is_by`.
    """
    candidates = (
        Proposal.objects.filter(Q(author=user) | Q(is_anonymous=True))
        .select_related("merged_into")
        .order_by("-created_at", "-pk")
    )
    return [proposal for proposal in candidates if proposal.is_by(user)]


def edit_deadline(proposal: Proposal) -> datetime.datetime:
    return proposal.created_at + datetime.timedelta(minutes=settings.VOICE_EDIT_WINDOW_MINUTES)


def can_edit_proposal(user: User, proposal: Proposal) -> bool:
    """Authors may correct their words for a short while, and never after an answer."""
    return (
        proposal.is_by(user)
        and proposal.first_answer_at is None
        and not proposal.answers.exists()
        and timezone.now() <= edit_deadline(proposal)
    )


def check_can_edit_proposal(user: User, proposal: Proposal) -> None:
    if not proposal.is_by(user):
        raise PermissionDenied(_("Only the author can edit a proposal."))
    if proposal.first_answer_at is not None or proposal.answers.exists():
        raise PermissionDenied(_("A lead has answered this proposal; it can no longer be edited."))
    if timezone.now() > edit_deadline(proposal):
        raise PermissionDenied(
            _("Proposals can be edited for %(minutes)d minutes after posting.")
            % {"minutes": settings.VOICE_EDIT_WINDOW_MINUTES}
        )


def check_can_take_part(proposal: Proposal) -> None:
    """Votes and comments go to the kept proposal, not to one merged into it."""
    if proposal.status == ProposalStatus.MERGED:
        raise ValidationError(_("This proposal was merged into another one; take part there."))
    if proposal.hidden_at:
        raise ValidationError(_("This proposal is hidden."))


# --- Proposals -------------------------------------------------------------------------


def _clean_text(title: str, problem: str, suggestion: str, area: str) -> tuple[str, str, str]:
    title, problem, suggestion = title.strip(), problem.strip(), suggestion.strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the proposal a title.")
    if not problem:
        errors["problem"] = _("Say what is inconvenient.")
    if area not in Area.values:
        errors["area"] = _("Pick an area.")
    if errors:
        raise ValidationError(errors)
    return title, problem, suggestion


@transaction.atomic
def do_post_proposal(
    actor: User,
    *,
    title: str,
    problem: str,
    suggestion: str = "",
    area: str,
    affected_teams: Iterable[Team] = (),
    anonymous: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> Proposal:
    """Post a proposal; the poster follows it. Anonymous ones keep no author at all."""
    title, problem, suggestion = _clean_text(title, problem, suggestion, area)
    checked = check_attachments(attachments)
    nonce = new_nonce()
    proposal = Proposal.objects.create(
        title=title,
        problem=problem,
        suggestion=suggestion,
        area=area,
        is_anonymous=anonymous,
        author=None if anonymous else actor,
        nonce=nonce,
        author_digest=author_digest_for(actor.pk, nonce),
    )
    proposal.affected_teams.set(affected_teams)
    do_subscribe(actor, proposal)
    _store_attachments(proposal, checked)
    signals.proposal_posted.send(sender=Proposal, instance=proposal, actor=actor)
    return proposal


@transaction.atomic
def do_edit_proposal(
    actor: User,
    proposal: Proposal,
    *,
    title: str,
    problem: str,
    suggestion: str = "",
    area: str,
    affected_teams: Iterable[Team] = (),
) -> Proposal:
    # A lead may answer while the author edits: lock the row, then check again.
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_can_edit_proposal(actor, proposal)
    title, problem, suggestion = _clean_text(title, problem, suggestion, area)
    proposal.title, proposal.problem, proposal.suggestion = title, problem, suggestion
    proposal.area = area
    proposal.edited_at = timezone.now()
    proposal.save(update_fields=["title", "problem", "suggestion", "area", "edited_at"])
    proposal.affected_teams.set(affected_teams)
    return proposal


# --- Attachments -----------------------------------------------------------------------


def check_attachments(
    uploads: Sequence[UploadedFile], already: int = 0
) -> list[tuple[UploadedFile, str]]:
    """Refuse too many files, or any over Work's size limit or of a type it refuses;
    return each upload with the type to store. Errors name the file they are about."""
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("A proposal can have at most %(count)d files.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, check_attachment(upload)))
        except ValidationError as error:
            messages = [f"{_display_name(upload)}: {message}" for message in error.messages]
            raise ValidationError({"attachments": messages}) from error
    return checked


def _display_name(upload: UploadedFile) -> str:
    # Browsers on some systems send the whole path; keep only the file's own name.
    return os.path.basename((upload.name or "").replace("\\", "/")).strip()[:255] or "file"


def _store_attachments(
    proposal: Proposal, checked: Sequence[tuple[UploadedFile, str]]
) -> list[ProposalAttachment]:
    """Save checked uploads with the proposal. Who uploaded them is not stored anywhere."""
    stored: list[ProposalAttachment] = []
    try:
        for upload, content_type in checked:
            attachment = ProposalAttachment(
                proposal=proposal,
                name=_display_name(upload),
                size=upload.size,
                content_type=content_type,
            )
            attachment.file.save(attachment.name, upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        # The rows did not make it, so neither may the files.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return stored


@transaction.atomic
def do_add_attachments(
    actor: User, proposal: Proposal, uploads: Sequence[UploadedFile]
) -> list[ProposalAttachment]:
    """The author adds files within the edit window, up to `MAX_ATTACHMENTS` in all."""
    # A lead may answer (closing the window) while the author uploads: lock, then check.
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_can_edit_proposal(actor, proposal)
    if not uploads:
        raise ValidationError({"attachments": _("Choose a file first.")})
    checked = check_attachments(uploads, already=proposal.attachments.count())
    return _store_attachments(proposal, checked)


def get_attachment_for_user(user: User, pk: int) -> ProposalAttachment:
    """An attachment of a proposal the person may see (`get_proposal_for_user`); 404 else."""
    attachment = ProposalAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    attachment.proposal = get_proposal_for_user(user, attachment.proposal_id)
    return attachment


@transaction.atomic
def do_remove_attachment(
    actor: User, attachment: ProposalAttachment, reason: str = ""
) -> ModerationLog | None:
    """Remove a file: the author within the edit window, or a lead as logged moderation.

    The author's own removal is not logged: a log row names its actor, and for an
    anonymous proposal that would name the author.
    """
    proposal = Proposal.objects.select_for_update().get(pk=attachment.proposal_id)
    log = None
    if not can_edit_proposal(actor, proposal):
        if not is_lead(actor):
            check_can_edit_proposal(actor, proposal)  # Raises with the reason why not.
            raise PermissionDenied(_("Only the author or a lead can remove this file."))
        reason = reason.strip()
        if not reason:
            raise ValidationError(
                {"reason": _("Say why the file is removed: the reason is kept in the log.")}
            )
        log = ModerationLog.objects.create(
            proposal=proposal,
            moderator=actor,
            action=ModerationAction.DETACH,
            reason=reason[:300],
            previous_text=attachment.name,
        )
    storage, file_name = attachment.file.storage, attachment.file.name
    deleted, _rows = ProposalAttachment.objects.filter(pk=attachment.pk).delete()
    if not deleted:
        raise Http404("No such attachment.")
    # The file goes only once the row is surely gone.
    transaction.on_commit(lambda: storage.delete(file_name))
    return log


# --- Votes -----------------------------------------------------------------------------


@transaction.atomic
def do_vote(actor: User, proposal: Proposal, comment: str = "") -> Vote:
    """Vote or say "me too"; voting again only updates what it costs, never adds a row."""
    check_can_take_part(proposal)
    comment = comment.strip()
    # Two clicks at once: the unique constraint keeps one row, and get_or_create inside
    # the transaction tells us which click made it, so vote_count moves once.
    vote, created = Vote.objects.get_or_create(
        proposal=proposal, user=actor, defaults={"comment": comment}
    )
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(vote_count=F("vote_count") + 1)
    elif comment != vote.comment:
        vote.comment = comment
        vote.save(update_fields=["comment"])
    proposal.refresh_from_db(fields=["vote_count"])
    return vote


@transaction.atomic
def do_unvote(actor: User, proposal: Proposal) -> None:
    deleted, _rows = Vote.objects.filter(proposal=proposal, user=actor).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk, vote_count__gt=0).update(
            vote_count=F("vote_count") - 1
        )
    proposal.refresh_from_db(fields=["vote_count"])


# --- Comments and subscriptions --------------------------------------------------------


def get_comment_for_user(user: User, pk: int) -> ProposalComment:
    """A comment of a proposal the person may see (`get_proposal_for_user`); 404 else."""
    comment = (
        ProposalComment.objects.select_related("author", "parent__author").filter(pk=pk).first()
    )
    if comment is None:
        raise Http404("No such comment.")
    comment.proposal = get_proposal_for_user(user, comment.proposal_id)
    return comment


def check_reply_to(proposal: Proposal, parent: ProposalComment) -> ProposalComment:
    """The top-level comment whose thread a reply to `parent` joins.

    Threads are one level deep: a reply to a reply joins its top-level comment's thread.
    A reply stays on the parent's proposal, and a hidden comment takes no new replies.
    """
    if parent.proposal_id != proposal.pk:
        raise ValidationError({"parent_id": _("That comment belongs to another proposal.")})
    root = parent.thread_root
    if root.parent_id is not None or root.proposal_id != proposal.pk:
        # Only rows written around this module could get here; refuse rather than nest.
        raise ValidationError({"parent_id": _("That comment cannot take replies.")})
    if parent.hidden_at is not None or root.hidden_at is not None:
        raise ValidationError({"parent_id": _("That comment is hidden; it takes no replies.")})
    return root


@transaction.atomic
def do_comment(
    actor: User, proposal: Proposal, body: str, parent: ProposalComment | None = None
) -> ProposalComment:
    """Comment on a proposal, or reply to one of its comments (`parent`).

    Steps: check the proposal takes part; for a reply, find the thread's top-level
    comment (`check_reply_to`); check the body; write; the writer follows the proposal;
    for a reply, tell the people replied to in this same transaction.
    """
    check_can_take_part(proposal)
    root = check_reply_to(proposal, parent) if parent is not None else None
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    # Everyone may read a proposal that takes comments, so anyone active may be mentioned.
    body, mentioned = write_mentions_as_tokens(body, strict=True)
    comment = ProposalComment.objects.create(
        proposal=proposal, author=actor, body=body, parent=root
    )
    # Whoever joins the conversation hears how it goes on.
    do_subscribe(actor, proposal)
    told = {person for person in mentioned if person != actor}
    for person in told:
        do_subscribe(person, proposal)
    _notify_comment(actor, proposal, comment, Kind.MENTION, told)
    if parent is not None and root is not None:
        replied_to = {parent.author, root.author} - told
        _notify_comment(actor, proposal, comment, Kind.COMMENT, replied_to)
    return comment


def _notify_comment(
    actor: User,
    proposal: Proposal,
    reply: ProposalComment,
    kind: str,
    replied_to: Iterable[User],
) -> None:
    """Tell the people a comment mentions, or the authors of the comment replied to and of
    its thread (never the writer).

    The actor is the reply's author for every reply, the anonymous proposal's author
    included: the reply is signed with their name on the page anyway. Leaving the actor
    out only when the replier wrote the proposal would make "Someone" mean "the author",
    which the signed reply behind the link would then name.
    """
    url = f"{reverse('voice:proposal', args=[proposal.pk])}#comment-{reply.pk}"
    notify(
        replied_to,
        kind,
        title=proposal.title,
        url=url,
        group_key=f"proposal:{proposal.pk}",
        actor=actor,
        excerpt=reply.body,
    )


def _with_mentioned(comments: list[ProposalComment]) -> list[ProposalComment]:
    """Give each comment the people its mention tokens name (`mentioned_people`), read in
    one query for them all, so the page can link them."""
    ids = {pk for comment in comments for pk in mentioned_ids(comment.body)}
    people = {person.pk: person for person in User.objects.filter(pk__in=ids)} if ids else {}
    for comment in comments:
        comment.mentioned_people = [  # type: ignore[attr-defined]
            people[pk] for pk in mentioned_ids(comment.body) if pk in people
        ]
    return comments


def comment_threads(proposal: Proposal) -> list[ProposalComment]:
    """The proposal's top-level comments, oldest first, each with its `thread_replies`
    (oldest first), in one query however many there are (and one for the people their
    mentions name, when they mention anyone)."""
    comments = _with_mentioned(
        list(proposal.comments.select_related("author").order_by("created_at", "pk"))
    )
    by_pk = {comment.pk: comment for comment in comments}
    threads: list[ProposalComment] = []
    for comment in comments:
        comment.thread_replies = []  # type: ignore[attr-defined]
    for comment in comments:
        root = by_pk.get(comment.parent_id) if comment.parent_id is not None else None
        if root is None:
            threads.append(comment)
        else:
            root.thread_replies.append(comment)  # type: ignore[attr-defined]
    return threads


def comment_thread(root: ProposalComment) -> ProposalComment:
    """One top-level comment with its `thread_replies`, oldest first, for the fragment."""
    replies = list(root.replies.select_related("author").order_by("created_at", "pk"))
    _with_mentioned([root, *replies])
    root.thread_replies = replies  # type: ignore[attr-defined]
    return root


def _follows_as_author(user: User, proposal: Proposal) -> bool:
    """Whether `user` follows `proposal` through its flag, as its anonymous author."""
    return proposal.is_anonymous and proposal.is_by(user)


def is_following(user: User, proposal: Proposal) -> bool:
    if _follows_as_author(user, proposal):
        return proposal.author_follows
    return Subscription.objects.filter(proposal=proposal, user=user).exists()


def do_subscribe(actor: User, proposal: Proposal) -> None:
    """Follow a proposal. The author of an anonymous one follows through its flag, never a
    `Subscription` row, which would connect them to it (see `Proposal.author_follows`)."""
    if _follows_as_author(actor, proposal):
        if not proposal.author_follows:
            proposal.author_follows = True
            proposal.save(update_fields=["author_follows"])
        return
    Subscription.objects.get_or_create(proposal=proposal, user=actor)


def do_unsubscribe(actor: User, proposal: Proposal) -> None:
    if _follows_as_author(actor, proposal):
        proposal.author_follows = False
        proposal.save(update_fields=["author_follows"])
        return
    Subscription.objects.filter(proposal=proposal, user=actor).delete()


def followers_of(proposal: Proposal) -> list[User]:
    """The active people who follow `proposal`, its anonymous author included.

    Steps: the people with a subscription row; then, if the anonymous author follows,
    the one active person whose digest matches (the digest cannot be looked up, so each
    active person's is computed: microseconds each).
    """
    people = list(
        User.objects.filter(is_active=True, proposal_subscriptions__proposal=proposal).order_by(
            "pk"
        )
    )
    if proposal.is_anonymous and proposal.author_follows:
        listed = {person.pk for person in people}
        for person in User.objects.filter(is_active=True).exclude(pk__in=listed).order_by("pk"):
            if proposal.is_by(person):
                people.append(person)
                break
    return sorted(people, key=lambda person: person.pk)
