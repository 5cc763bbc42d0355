"""The library API (/api/v1/library/): spaces, pages, revisions and trust.

Each route fetches through the same access helpers and calls the same service function as
the pages (`workmate.library.services`); errors are raised and turned into JSON by the
handlers in `workmate.api`. A private space and its pages are 404 to non-members.

Optimistic concurrency: a page's `ETag` is its current revision's number (`"3"`). PUT and
PATCH of a page, and restoring a revision, need it back as `If-Match`: without it the
answer is 428, with a stale one 409 (nothing written; `current_version` says where the
page is now).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from workmate.accounts.models import Team, User
from workmate.lib.apitypes import Id
from workmate.library import services
from workmate.library.models import (
    MAX_REVIEW_DAYS,
    Page,
    Revision,
    RevisionStatus,
    Space,
    SpaceKind,
    TrustState,
)
from workmate.library.rendering import diff_texts
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageParams, paginate

router = Router(tags=["library"])

PRECONDITION_REQUIRED = 428
IF_MATCH_HELP = (
    'The page\'s `ETag` as you read it, like "3". Required: without it 428, with a stale one 409.'
)
CONCURRENT_ERRORS: dict[int, type[Schema]] = {409: ErrorOut, 428: ErrorOut, **WRITE_ERRORS}


def parse_page_if_match(value: str | None) -> int:
    """The revision number in an If-Match header (`"3"`, `W/"3"`, `3`); 428 without one.

    `*` is not accepted: the point is to say which revision the change was made from."""
    if value is None or not value.strip():
        raise HttpError(
            PRECONDITION_REQUIRED,
            _("Send the page's ETag as If-Match (like \"3\"), so that no one's edit is lost."),
        )
    text = value.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValidationError({"If-Match": _('If-Match takes the page\'s ETag, like "3".')})
    return int(text)


# --- Schemas ---------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.full_name}


class SpaceOut(Schema):
    id: int
    key: str
    name: str
    description: str
    kind: SpaceKind
    team: str | None = Field(None, description="The team's code, for a team space.")
    requires_approval: bool
    review_interval_days: int
    url: str

    @staticmethod
    def resolve_team(space: Space) -> str | None:
        return space.team.code if space.team_id else None

    @staticmethod
    def resolve_url(space: Space) -> str:
        return space.get_absolute_url()


class SpacePage(Schema):
    items: list[SpaceOut]
    next_cursor: str | None


class SpaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    key: str = Field(..., min_length=1, max_length=20)
    kind: SpaceKind
    team_id: Id | None = Field(None, description="Required for a team space.")
    description: str = Field("", max_length=2000)
    requires_approval: bool = False
    review_interval_days: int = Field(90, ge=1, le=MAX_REVIEW_DAYS)


class SpacePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    requires_approval: bool | None = None
    review_interval_days: int | None = Field(None, ge=1, le=MAX_REVIEW_DAYS)


class TrustOut(Schema):
    state: TrustState = Field(..., description="`verified` only while the date is not past.")
    reason: str = Field(..., description="Why it needs review: edited, expired, flagged, …")
    verified_by: PersonOut | None
    verified_at: datetime.datetime | None
    verified_until: datetime.date | None


def _trust(page: Page) -> dict[str, Any]:
    verified = page.is_verified(services.today())
    return {
        "state": TrustState.VERIFIED if verified else TrustState.NEEDS_REVIEW,
        "reason": ""
        if verified
        else (page.review_reason or ("expired" if page.verified_until else "")),
        "verified_by": _person(page.verified_by),
        "verified_at": page.verified_at,
        "verified_until": page.verified_until,
    }


class PageSummaryOut(Schema):
    id: int
    space: str = Field(..., description="The space's key.")
    parent_id: int | None
    position: int
    title: str
    owner: PersonOut
    trust: TrustOut
    version: int = Field(..., description="The current published revision's number (the ETag).")
    updated_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_space(page: Page) -> str:
        return page.space.key

    @staticmethod
    def resolve_owner(page: Page) -> dict[str, Any]:
        return _person(page.owner)  # type: ignore[return-value]

    @staticmethod
    def resolve_trust(page: Page) -> dict[str, Any]:
        return _trust(page)

    @staticmethod
    def resolve_version(page: Page) -> int:
        return page.current_revision.number if page.current_revision_id else 0

    @staticmethod
    def resolve_url(page: Page) -> str:
        return page.get_absolute_url()


class PageOut(PageSummaryOut):
    body: str = Field(..., description="Markdown of the current published revision.")
    tags: list[str]
    review_interval_days: int
    template_id: int | None
    template_revision_id: int | None
    pending_drafts: list[int] = Field(
        ..., description="Numbers of the draft revisions waiting for an editor's approval."
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_body(page: Page) -> str:
        return page.current_revision.body if page.current_revision_id else ""

    @staticmethod
    def resolve_tags(page: Page) -> list[str]:
        return [tag.name for tag in page.tags.all()]

    @staticmethod
    def resolve_pending_drafts(page: Page) -> list[int]:
        return list(
            page.revisions.filter(status=RevisionStatus.DRAFT)
            .order_by("number")
            .values_list("number", flat=True)
        )


class PageListPage(Schema):
    items: list[PageSummaryOut]
    next_cursor: str | None


class TreeNodeOut(Schema):
    id: int
    parent_id: int | None
    title: str
    depth: int
    needs_review: bool


class PageIn(Schema):
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX)
    body: str = Field("", max_length=services.BODY_MAX)
    summary: str = Field("", max_length=services.SUMMARY_MAX)
    parent_id: Id | None = None
    tags: list[str] = Field(default_factory=list, max_length=services.TAGS_PER_PAGE)


class PagePut(Schema):
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX)
    body: str = Field(..., max_length=services.BODY_MAX)
    summary: str = Field("", max_length=services.SUMMARY_MAX)
    tags: list[str] | None = Field(None, max_length=services.TAGS_PER_PAGE)


class PagePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=services.TITLE_MAX)
    body: str | None = Field(None, max_length=services.BODY_MAX)
    summary: str = Field("", max_length=services.SUMMARY_MAX)
    tags: list[str] | None = Field(None, max_length=services.TAGS_PER_PAGE)
    owner_id: Id | None = None
    review_interval_days: int | None = Field(None, ge=1, le=MAX_REVIEW_DAYS)


class MoveIn(Schema):
    parent_id: Id | None = Field(None, description="The new parent; null for the top.")
    index: int | None = Field(
        None, ge=0, le=100_000, description="Place among the new siblings; null puts it last."
    )


class RevisionSummaryOut(Schema):
    number: int
    title: str
    summary: str
    status: RevisionStatus
    author: PersonOut
    created_at: datetime.datetime
    base_number: int | None
    restored_from: int | None
    approved_by: PersonOut | None
    approved_at: datetime.datetime | None

    @staticmethod
    def resolve_author(revision: Revision) -> dict[str, Any]:
        return _person(revision.author)  # type: ignore[return-value]

    @staticmethod
    def resolve_approved_by(revision: Revision) -> dict[str, Any] | None:
        return _person(revision.approved_by)


class RevisionOut(RevisionSummaryOut):
    body: str


class RevisionPage(Schema):
    items: list[RevisionSummaryOut]
    next_cursor: str | None


class DiffRowOut(Schema):
    kind: Literal["equal", "delete", "insert", "change", "skip"]
    old_number: int | None
    old: str
    new_number: int | None
    new: str
    skipped: int


class DiffOut(Schema):
    from_number: int
    to_number: int
    added: int
    removed: int
    rows: list[DiffRowOut]


class DiffParams(Schema):
    from_number: Id = Field(..., alias="from", description="The older revision's number.")
    to_number: Id = Field(..., alias="to", description="The newer revision's number.")


class PageFilters(Schema):
    state: TrustState | None = None
    tag: str | None = Field(None, max_length=50)
    parent_id: Id | None = Field(None, description="Only the pages directly under this one.")


# --- Helpers ---------------------------------------------------------------------------


def _page_out(user: User, pk: int, response: HttpResponse) -> Page:
    page = services.get_page_for_user(user, pk)
    response["ETag"] = page.etag()
    return page


def _tags(names: list[str] | None) -> list[str] | None:
    return None if names is None else services.parse_tags(",".join(names))


def _stale(page: Page, expected: int) -> None:
    """Refuse before anything is written when the client's version is not the page's."""
    current = page.current_revision.number if page.current_revision_id else 0
    if expected != current:
        raise services.StaleEdit(page, page.current_revision, expected)


# --- Spaces ----------------------------------------------------------------------------


@router.get("/spaces", response={200: SpacePage, **READ_ERRORS}, summary="List spaces")
def list_spaces(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """The spaces you may read, oldest first (private ones only when you are a member)."""
    spaces = Space.objects.visible_to(request.auth).select_related("team")
    return paginate(spaces, cursor=page.cursor, limit=page.limit)


@router.get("/spaces/{key}", response={200: SpaceOut, **READ_ERRORS})
def get_space(request: HttpRequest, key: str) -> Space:
    return services.get_space_for_user(request.auth, key)


@router.post("/spaces", response={201: SpaceOut, **WRITE_ERRORS})
def create_space(request: HttpRequest, payload: SpaceIn) -> Status[Space]:
    """Create a space: private ones anyone, team ones the team's leads, org-wide ones
    executives. You become its editor."""
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": _("No such team.")})
    space = services.do_create_space(request.auth, **payload.dict(exclude={"team_id"}), team=team)
    return Status(201, space)


@router.patch("/spaces/{key}", response={200: SpaceOut, **WRITE_ERRORS})
def update_space(request: HttpRequest, key: str, payload: SpacePatch) -> Space:
    """Change a space's name, description, approval rule or review interval (editors)."""
    space = services.get_space_for_user(request.auth, key)
    return services.do_update_space(request.auth, space, **payload.dict(exclude_unset=True))


@router.get("/spaces/{key}/tree", response={200: list[TreeNodeOut], **READ_ERRORS})
def space_tree(request: HttpRequest, key: str) -> list[services.TreeRow]:
    """Every page of the space, depth first, as the space's home shows the tree."""
    space = services.get_space_for_user(request.auth, key)
    return services.space_tree(space)


@router.get("/spaces/{key}/pages", response={200: PageListPage, **READ_ERRORS})
def list_pages(
    request: HttpRequest, key: str, page: Query[PageParams], filters: Query[PageFilters]
) -> dict[str, Any]:
    """The space's pages, oldest first; filter by trust `state`, `tag` or `parent_id`."""
    space = services.get_space_for_user(request.auth, key)
    pages = Page.objects.filter(space=space).select_related(
        "space", "owner", "verified_by", "current_revision"
    )
    if filters.state == TrustState.VERIFIED:
        pages = pages.verified(services.today())
    elif filters.state == TrustState.NEEDS_REVIEW:
        pages = pages.needs_review(services.today())
    if filters.tag:
        pages = pages.filter(tags__name__iexact=filters.tag.strip())
    if filters.parent_id is not None:
        pages = pages.filter(parent_id=filters.parent_id)
    return paginate(pages, cursor=page.cursor, limit=page.limit)


@router.post("/spaces/{key}/pages", response={201: PageOut, **WRITE_ERRORS})
def create_page(
    request: HttpRequest, response: HttpResponse, key: str, payload: PageIn
) -> Status[Page]:
    """Write a new page (in a space that asks for approval, a non-editor's page waits as a
    draft: `version` 0 and its draft in `pending_drafts`)."""
    space = services.get_space_for_user(request.auth, key)
    parent = None
    if payload.parent_id is not None:
        parent = Page.objects.filter(space=space, pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("No such page in this space.")})
    page = services.do_create_page(
        request.auth,
        space,
        title=payload.title,
        body=payload.body,
        summary=payload.summary,
        parent=parent,
        tags=_tags(payload.tags),
    )
    return Status(201, _page_out(request.auth, page.pk, response))


# --- Pages -----------------------------------------------------------------------------


@router.get("/pages/{page_id}", response={200: PageOut, **READ_ERRORS})
def get_page(request: HttpRequest, response: HttpResponse, page_id: Id) -> Page:
    """The page with its current text; its version is also the `ETag` header."""
    return _page_out(request.auth, page_id, response)


def _save(
    user: User,
    page: Page,
    expected: int,
    *,
    title: str,
    body: str,
    summary: str,
    tags: list[str] | None,
) -> None:
    services.do_save_page(user, page, base_number=expected, title=title, body=body, summary=summary)
    if tags is not None:
        services.do_set_tags(user, page, tags)


@router.put("/pages/{page_id}", response={200: PageOut, **CONCURRENT_ERRORS})
def replace_page(
    request: HttpRequest,
    response: HttpResponse,
    page_id: Id,
    payload: PagePut,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Page:
    """Save a new revision with this title and text (tags too, when sent)."""
    page = services.get_page_for_user(request.auth, page_id)
    expected = parse_page_if_match(if_match)
    services.check_can_write(request.auth, page.space)
    _save(
        request.auth,
        page,
        expected,
        title=payload.title,
        body=payload.body,
        summary=payload.summary,
        tags=_tags(payload.tags),
    )
    return _page_out(request.auth, page_id, response)


@router.patch("/pages/{page_id}", response={200: PageOut, **CONCURRENT_ERRORS})
def update_page(
    request: HttpRequest,
    response: HttpResponse,
    page_id: Id,
    payload: PagePatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Page:
    """Change only what you send: `title`/`body` make a new revision (with `summary`),
    `tags` replace the tags, `owner_id` and `review_interval_days` (owner or space
    editors) change who keeps the page trusted and how often."""
    page = services.get_page_for_user(request.auth, page_id)
    expected = parse_page_if_match(if_match)
    data = payload.dict(exclude_unset=True)
    _stale(page, expected)
    with transaction.atomic():
        if "title" in data or "body" in data:
            current = page.current_revision
            services.do_save_page(
                request.auth,
                page,
                base_number=expected,
                title=data.get("title") or (current.title if current else page.title),
                body=data["body"]
                if data.get("body") is not None
                else (current.body if current else ""),
                summary=payload.summary,
            )
        if payload.tags is not None:
            services.do_set_tags(request.auth, page, _tags(payload.tags) or [])
        if "owner_id" in data or "review_interval_days" in data:
            owner = None
            if payload.owner_id is not None:
                owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
                if owner is None:
                    raise ValidationError({"owner_id": _("No such person.")})
            services.do_update_page_settings(
                request.auth,
                page,
                owner=owner,
                review_interval_days=payload.review_interval_days,
            )
    return _page_out(request.auth, page_id, response)


@router.post("/pages/{page_id}/move", response={200: PageOut, **WRITE_ERRORS})
def move_page(request: HttpRequest, response: HttpResponse, page_id: Id, payload: MoveIn) -> Page:
    """Put the page under another of its space (not under itself or its own pages) and/or
    at `index` among its siblings."""
    page = services.get_page_for_user(request.auth, page_id)
    parent = None
    if payload.parent_id is not None:
        parent = Page.objects.filter(space=page.space, pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("No such page in this space.")})
    services.do_move_page(request.auth, page, parent=parent, index=payload.index)
    return _page_out(request.auth, page_id, response)


@router.post("/pages/{page_id}/verify", response={200: PageOut, **WRITE_ERRORS})
def verify_page(request: HttpRequest, response: HttpResponse, page_id: Id) -> Page:
    """The owner or a space editor vouches for the page for its review interval."""
    page = services.get_page_for_user(request.auth, page_id)
    services.do_verify_page(request.auth, page)
    return _page_out(request.auth, page_id, response)


@router.post("/pages/{page_id}/needs-review", response={200: PageOut, **WRITE_ERRORS})
def flag_page(request: HttpRequest, response: HttpResponse, page_id: Id) -> Page:
    """Mark the page as needing review (anyone who may write in its space); the owner is
    told through the inbox."""
    page = services.get_page_for_user(request.auth, page_id)
    services.do_flag_page(request.auth, page)
    return _page_out(request.auth, page_id, response)


# --- Revisions -------------------------------------------------------------------------


@router.get("/pages/{page_id}/revisions", response={200: RevisionPage, **READ_ERRORS})
def list_revisions(request: HttpRequest, page_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    """The page's revisions, newest first (drafts and turned-down ones included)."""
    found = services.get_page_for_user(request.auth, page_id)
    revisions = Revision.objects.filter(page=found).select_related("author", "approved_by")
    return paginate(revisions, cursor=page.cursor, limit=page.limit, keys=("-number",))


@router.get("/pages/{page_id}/revisions/{number}", response={200: RevisionOut, **READ_ERRORS})
def get_revision(request: HttpRequest, page_id: Id, number: Id) -> Revision:
    page = services.get_page_for_user(request.auth, page_id)
    return services.get_revision(page, number)


@router.get("/pages/{page_id}/diff", response={200: DiffOut, **READ_ERRORS})
def diff_revisions(
    request: HttpRequest,
    page_id: Id,
    numbers: Query[DiffParams],
) -> dict[str, Any]:
    """Line by line difference between two revisions (unchanged runs shortened)."""
    page = services.get_page_for_user(request.auth, page_id)
    from_number, to_number = numbers.from_number, numbers.to_number
    found = {r.number: r for r in page.revisions.filter(number__in=[from_number, to_number])}
    if from_number not in found or to_number not in found:
        raise Http404("No such revision.")
    diff = diff_texts(found[from_number].body, found[to_number].body)
    return {
        "from_number": from_number,
        "to_number": to_number,
        "added": diff.added,
        "removed": diff.removed,
        "rows": diff.rows,
    }


@router.post(
    "/pages/{page_id}/revisions/{number}/restore",
    response={200: PageOut, **CONCURRENT_ERRORS},
)
def restore_revision(
    request: HttpRequest,
    response: HttpResponse,
    page_id: Id,
    number: Id,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Page:
    """Save an older revision's title and text as a new revision."""
    page = services.get_page_for_user(request.auth, page_id)
    expected = parse_page_if_match(if_match)
    services.do_restore_revision(request.auth, page, number, base_number=expected)
    return _page_out(request.auth, page_id, response)


@router.post("/pages/{page_id}/revisions/{number}/approve", response={200: PageOut, **WRITE_ERRORS})
def approve_revision(request: HttpRequest, response: HttpResponse, page_id: Id, number: Id) -> Page:
    """A space editor publishes a draft revision."""
    page = services.get_page_for_user(request.auth, page_id)
    services.do_approve_revision(request.auth, services.get_revision(page, number))
    return _page_out(request.auth, page_id, response)


@router.post(
    "/pages/{page_id}/revisions/{number}/reject", response={200: RevisionOut, **WRITE_ERRORS}
)
def reject_revision(request: HttpRequest, page_id: Id, number: Id) -> Revision:
    """A space editor turns a draft revision down; the page stays as it was."""
    page = services.get_page_for_user(request.auth, page_id)
    return services.do_reject_revision(request.auth, services.get_revision(page, number))


# Links, comments and templates add their routes to this router.
from workmate.library import api_more  # noqa: E402, F401
