"""Every change to the proposal board goes through here: views and the API call the same
functions.

`check_*` validates and checks rights; `do_*` writes, in a transaction. Nothing here
ever stores or returns who wrote an anonymous proposal: the only link is
`Proposal.author_digest`, which only the author can recompute (`Proposal.is_by`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.voice.models import (
    Area,
    Proposal,
    ProposalComment,
    ProposalStatus,
    Subscription,
    Vote,
    author_digest_for,
    new_nonce,
)

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
) -> Proposal:
    """Post a proposal; the poster follows it. Anonymous ones keep no author at all."""
    title, problem, suggestion = _clean_text(title, problem, suggestion, area)
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
    # The subscription belongs to the subscriber's own list; subscribers of a proposal
    # are never shown to anyone, so it reveals nothing about an anonymous author.
    Subscription.objects.create(proposal=proposal, user=actor)
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


@transaction.atomic
def do_comment(actor: User, proposal: Proposal, body: str) -> ProposalComment:
    check_can_take_part(proposal)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    comment = ProposalComment.objects.create(proposal=proposal, author=actor, body=body)
    # Whoever joins the conversation hears how it goes on.
    Subscription.objects.get_or_create(proposal=proposal, user=actor)
    return comment


def do_subscribe(actor: User, proposal: Proposal) -> None:
    Subscription.objects.get_or_create(proposal=proposal, user=actor)


def do_unsubscribe(actor: User, proposal: Proposal) -> None:
    Subscription.objects.filter(proposal=proposal, user=actor).delete()
