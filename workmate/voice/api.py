"""The voice API: the proposal board as JSON — list, read, post, vote, comment and answer.

Each route fetches through the same access helper and calls the same service function as
the pages (`workmate.voice.services`, `workmate.voice.leads`); errors are raised and turned
into JSON by the handlers in `workmate.api`.

Anonymity: an anonymous proposal's `author` is always `null`, for every caller, leads and
the author included. No schema here has a field for the author's id, e-mail, digest or
nonce; the author finds their own proposals through `GET /voice/mine` only.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from workmate.accounts.models import Team, User
from workmate.lib.apitypes import Id
from workmate.voice import leads, services
from workmate.voice.models import (
    Answer,
    Area,
    Proposal,
    ProposalComment,
    ProposalStatus,
    Vote,
)
from workmate.work.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    PageParams,
    paginate,
)

router = Router(tags=["voice"])

# The board's orders, as cursor keys; "-" sorts descending. The last key is the unique id,
# so each order is total.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "top": ("-vote_count", "-created_at", "-id"),
    "new": ("-created_at", "-id"),
    # Unanswered first (a null first answer sorts first), then the oldest.
    "waiting": ("first_answer_at", "created_at", "id"),
}


# --- Schemas ---------------------------------------------------------------------------


class PersonOut(Schema):
    """A named person: the name only, as the pages show it."""

    name: str


class AnswerOut(Schema):
    id: int
    lead: PersonOut
    from_status: ProposalStatus
    to_status: ProposalStatus
    body: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_lead(answer: Answer) -> dict[str, str]:
        return {"name": answer.lead.full_name}


class VoteOut(Schema):
    voter: PersonOut
    comment: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_voter(vote: Vote) -> dict[str, str]:
        return {"name": vote.user.full_name}


class ProposalOut(Schema):
    id: int
    title: str
    problem: str
    suggestion: str
    area: Area
    status: ProposalStatus
    affected_teams: list[str] = Field(..., description="Codes of the affected teams.")
    anonymous: bool = Field(..., description="Posted anonymously: `author` is then null.")
    author: PersonOut | None = Field(
        ..., description="The author's name; null for anonymous proposals, for everyone."
    )
    vote_count: int
    voted: bool = Field(..., description="Whether you voted for it.")
    merged_into_id: int | None
    hidden: bool
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    first_answer_at: datetime.datetime | None

    @staticmethod
    def resolve_affected_teams(proposal: Proposal) -> list[str]:
        # Read through the prefetch cache, as the list does.
        return [team.code for team in proposal.affected_teams.all()]

    @staticmethod
    def resolve_anonymous(proposal: Proposal) -> bool:
        return proposal.is_anonymous

    @staticmethod
    def resolve_author(proposal: Proposal) -> dict[str, str] | None:
        # Anonymous proposals store no author; checking the flag too costs nothing.
        if proposal.is_anonymous or proposal.author is None:
            return None
        return {"name": proposal.author.full_name}

    @staticmethod
    def resolve_hidden(proposal: Proposal) -> bool:
        return proposal.hidden_at is not None


class ProposalDetailOut(ProposalOut):
    answers: list[AnswerOut] = Field(..., description="The leads' answers, oldest first.")
    votes: list[VoteOut] = Field(..., description="Votes and what it costs each voter.")

    @staticmethod
    def resolve_answers(proposal: Proposal) -> list[Answer]:
        return list(proposal.answers.select_related("lead").order_by("created_at", "pk"))

    @staticmethod
    def resolve_votes(proposal: Proposal) -> list[Vote]:
        return list(proposal.votes.select_related("user").order_by("created_at", "pk"))


class ProposalPage(Schema):
    items: list[ProposalOut]
    next_cursor: str | None


class MineOut(Schema):
    items: list[ProposalOut]


class ProposalFilters(PageParams):
    area: Area | None = None
    status: ProposalStatus | None = None
    sort: Literal["top", "new", "waiting"] = Field(
        "top",
        description="`top`: most votes first. `new`: newest first. "
        "`waiting`: open proposals, unanswered and oldest first.",
    )


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    problem: str = Field(..., description="What is inconvenient.")
    suggestion: str = Field("", description="How it should work.")
    area: Area
    affected_teams: list[str] = Field([], description="Codes of the affected teams.")
    anonymous: bool = Field(
        False, description="Store no author: nobody, leads and admins included, can see it."
    )


class VoteIn(Schema):
    comment: str = Field("", max_length=500, description="What the problem costs you.")


class VoteStateOut(Schema):
    proposal_id: int
    vote_count: int
    comment: str


class ProposalCommentOut(Schema):
    id: int
    proposal_id: int
    parent_id: int | None = Field(
        ...,
        description="The top-level comment this one replies to; null for a top-level one. "
        "Threads are one level deep.",
    )
    author: PersonOut | None = Field(..., description="Null while hidden by a moderator.")
    body: str = Field(..., description="Markdown; empty while hidden by a moderator.")
    hidden: bool
    hidden_reason: str = Field(..., description="Why a moderator hid it, shown in its place.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(comment: ProposalComment) -> dict[str, str] | None:
        if comment.hidden_at is not None:
            return None
        return {"name": comment.author.full_name}

    @staticmethod
    def resolve_body(comment: ProposalComment) -> str:
        return "" if comment.hidden_at is not None else comment.body

    @staticmethod
    def resolve_hidden(comment: ProposalComment) -> bool:
        return comment.hidden_at is not None


class ProposalCommentPage(Schema):
    items: list[ProposalCommentOut]
    next_cursor: str | None


class ProposalCommentIn(Schema):
    body: str
    parent_id: Id | None = Field(
        None,
        description="Reply to this comment of the same proposal; a reply to a reply joins "
        "its top-level comment's thread.",
    )


class StatusIn(Schema):
    to_status: ProposalStatus
    answer: str = Field("", description="Required: everyone sees it; declining needs a reason.")


# --- Helpers ---------------------------------------------------------------------------


def _proposals(user: User) -> QuerySet[Proposal]:
    """Proposals with what the schema reads, in a fixed number of queries."""
    my_votes = Vote.objects.filter(proposal=OuterRef("pk"), user=user)
    return (
        Proposal.objects.select_related("author")
        .prefetch_related("affected_teams")
        .annotate(voted=Exists(my_votes))
    )


def _proposal_out(user: User, pk: int) -> Proposal:
    found = services.get_proposal_for_user(user, pk)
    return _proposals(user).get(pk=found.pk)


def _teams(codes: list[str]) -> list[Team]:
    wanted = {code.strip() for code in codes if code.strip()}
    teams = list(Team.objects.filter(code__in=wanted))
    unknown = sorted(wanted - {team.code for team in teams})
    if unknown:
        raise ValidationError(
            {"affected_teams": _("No such team: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return teams


# --- Routes ----------------------------------------------------------------------------


@router.get("/proposals", response={200: ProposalPage, 400: ErrorOut, 401: ErrorOut})
def list_proposals(request: HttpRequest, filters: Query[ProposalFilters]) -> dict[str, Any]:
    """The board: proposals not hidden or merged away, filtered and sorted as the page."""
    listing = _proposals(request.auth).visible()
    if filters.area is not None:
        listing = listing.filter(area=filters.area)
    if filters.status is not None:
        listing = listing.filter(status=filters.status)
    if filters.sort == "waiting":
        listing = listing.open()
    return paginate(
        listing, cursor=filters.cursor, limit=filters.limit, keys=SORT_KEYS[filters.sort]
    )


@router.get("/proposals/{proposal_id}", response={200: ProposalDetailOut, **READ_ERRORS})
def get_proposal(request: HttpRequest, proposal_id: Id) -> Proposal:
    """One proposal with the leads' answers and the votes."""
    return _proposal_out(request.auth, proposal_id)


@router.post("/proposals", response={201: ProposalDetailOut, **WRITE_ERRORS})
def create_proposal(request: HttpRequest, payload: ProposalIn) -> Status[Proposal]:
    """Post a proposal. With `anonymous`, no author is stored and none is ever shown."""
    posted = services.do_post_proposal(
        request.auth,
        title=payload.title,
        problem=payload.problem,
        suggestion=payload.suggestion,
        area=payload.area,
        affected_teams=_teams(payload.affected_teams),
        anonymous=payload.anonymous,
    )
    return Status(201, _proposal_out(request.auth, posted.pk))


@router.post("/proposals/{proposal_id}/vote", response={200: VoteStateOut, **WRITE_ERRORS})
def vote(request: HttpRequest, proposal_id: Id, payload: VoteIn | None = None) -> dict[str, Any]:
    """Vote, or say "me too"; voting again only updates the comment (idempotent)."""
    found = services.get_proposal_for_user(request.auth, proposal_id)
    cast = services.do_vote(request.auth, found, payload.comment if payload else "")
    return {"proposal_id": found.pk, "vote_count": found.vote_count, "comment": cast.comment}


@router.delete("/proposals/{proposal_id}/vote", response={204: None, **WRITE_ERRORS})
def unvote(request: HttpRequest, proposal_id: Id) -> Status[None]:
    """Take your vote back; without a vote this changes nothing."""
    found = services.get_proposal_for_user(request.auth, proposal_id)
    services.do_unvote(request.auth, found)
    return Status(204, None)


@router.get("/proposals/{proposal_id}/comments", response={200: ProposalCommentPage, **READ_ERRORS})
def list_comments(request: HttpRequest, proposal_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    """Comments and replies, oldest first; `parent_id` says which thread a reply is in."""
    found = services.get_proposal_for_user(request.auth, proposal_id)
    comments = found.comments.select_related("author")
    return paginate(comments, cursor=page.cursor, limit=page.limit, keys=("created_at", "id"))


@router.post(
    "/proposals/{proposal_id}/comments", response={201: ProposalCommentOut, **WRITE_ERRORS}
)
def create_comment(
    request: HttpRequest, proposal_id: Id, payload: ProposalCommentIn
) -> Status[ProposalComment]:
    """Comment, signed with your name; with `parent_id`, reply in that comment's thread."""
    found = services.get_proposal_for_user(request.auth, proposal_id)
    parent = None
    if payload.parent_id is not None:
        try:
            parent = services.get_comment_for_user(request.auth, payload.parent_id)
        except Http404 as error:
            # The same answer whether it never existed or is on a proposal you cannot see.
            raise ValidationError({"parent_id": _("No such comment.")}) from error
    posted = services.do_comment(request.auth, found, payload.body, parent)
    return Status(201, posted)


@router.post("/proposals/{proposal_id}/status", response={200: ProposalDetailOut, **WRITE_ERRORS})
def change_status(request: HttpRequest, proposal_id: Id, payload: StatusIn) -> Proposal:
    """Leads only: answer the proposal, moving it to `to_status` (or keeping its status)."""
    found = services.get_proposal_for_user(request.auth, proposal_id)
    leads.do_change_status(request.auth, found, payload.to_status, payload.answer)
    return _proposal_out(request.auth, proposal_id)


@router.get("/mine", response={200: MineOut, 401: ErrorOut})
def mine(request: HttpRequest) -> dict[str, Any]:
    """Your own proposals, anonymous ones included, newest first. Only you get this list."""
    own = [proposal.pk for proposal in services.proposals_by(request.auth)]
    found = _proposals(request.auth).filter(pk__in=own).order_by("-created_at", "-pk")
    return {"items": list(found)}
