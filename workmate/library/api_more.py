"""The library API's routes for links, comments and templates, on the library's router
(`/api/v1/library/`): what links to a page, a page's comment threads, commenting and
resolving, and making a page from a template. Same access helpers and services as the
pages; a private space's pages are 404 to non-members here too.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from workmate.desk.models import Customer
from workmate.desk.services import is_agent
from workmate.lib.apitypes import Id
from workmate.library import comments, page_templates, references, services
from workmate.library.api import PageOut, _page_out, router
from workmate.library.models import Page, PageComment
from workmate.work.api import READ_ERRORS, WRITE_ERRORS


class PageReferenceOut(Schema):
    kind: str = Field(description="page, task, ticket or proposal")
    id: int
    title: str
    url: str
    space: str = Field("", description="The linking page's space (pages only).")


class PageCommentOut(Schema):
    id: int
    author_id: int
    author_name: str
    body: str = Field(description="Markdown; mentions as @**Name|id** tokens.")
    parent_id: int | None
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None
    resolved_by_id: int | None


class PageThreadOut(PageCommentOut):
    replies: list[PageCommentOut]


class PageCommentIn(Schema):
    body: str = Field(max_length=comments.BODY_MAX)
    parent_id: int | None = Field(None, description="Reply in this comment's thread.")


class ResolveThreadIn(Schema):
    resolved: bool = True


class PageFromTemplateIn(Schema):
    template_id: int
    title: str = Field(max_length=200)
    parent_id: int | None = None
    customer_id: int | None = Field(None, description="Fills {{customer}} (agents only).")


def _comment(comment: PageComment) -> dict:
    return {
        "id": comment.pk,
        "author_id": comment.author_id,
        "author_name": comment.author.full_name,
        "body": comment.body,
        "parent_id": comment.parent_id,
        "created_at": comment.created_at,
        "resolved_at": comment.resolved_at,
        "resolved_by_id": comment.resolved_by_id,
    }


@router.get(
    "/pages/{page_id}/references",
    response={200: list[PageReferenceOut], **READ_ERRORS},
    summary="What links to a page",
)
def page_references(request: HttpRequest, page_id: Id) -> list[dict]:
    """Pages, tasks, tickets and proposals whose text links to the page, those the caller
    may see only."""
    page = services.get_page_for_user(request.auth, page_id)
    return [
        {"kind": ref.kind, "id": ref.pk, "title": ref.title, "url": ref.url, "space": ref.context}
        for ref in references.referenced_by(page, request.auth)
    ]


@router.get("/pages/{page_id}/comments", response={200: list[PageThreadOut], **READ_ERRORS})
def page_comments(request: HttpRequest, page_id: Id) -> list[dict]:
    """The page's threads (open first), each with its replies, oldest first."""
    page = services.get_page_for_user(request.auth, page_id)
    return [
        {**_comment(thread), "replies": [_comment(reply) for reply in thread.thread_replies]}
        for thread in comments.comment_threads(page)
    ]


@router.post("/pages/{page_id}/comments", response={201: PageCommentOut, **WRITE_ERRORS})
def add_comment(request: HttpRequest, page_id: Id, payload: PageCommentIn) -> Status[dict]:
    """Comment, or reply with `parent_id`; mentioned people are told through the inbox."""
    page = services.get_page_for_user(request.auth, page_id)
    parent = None
    if payload.parent_id is not None:
        parent = comments.get_comment_for_user(request.auth, payload.parent_id)
    comment = comments.do_comment(request.auth, page, payload.body, parent)
    return Status(201, _comment(comment))


@router.post("/comments/{comment_id}/resolve", response={200: PageCommentOut, **WRITE_ERRORS})
def resolve_comment(request: HttpRequest, comment_id: Id, payload: ResolveThreadIn) -> dict:
    """Resolve the comment's thread (`resolved: false` opens it again); the thread's top
    comment comes back."""
    comment = comments.get_comment_for_user(request.auth, comment_id)
    return _comment(comments.do_set_resolved(request.auth, comment, payload.resolved))


@router.post("/spaces/{key}/pages/from-template", response={201: PageOut, **WRITE_ERRORS})
def create_page_from_template(
    request: HttpRequest, response: HttpResponse, key: str, payload: PageFromTemplateIn
) -> Status[Page]:
    """A page from a template's latest version, its variables filled in."""
    space = services.get_space_for_user(request.auth, key)
    services.check_can_write(request.auth, space)
    template = (
        page_templates.templates_for_space(request.auth, space)
        .filter(pk=payload.template_id)
        .first()
    )
    if template is None:
        raise ValidationError({"template_id": _("No such template in this space.")})
    parent = None
    if payload.parent_id is not None:
        parent = Page.objects.filter(space=space, pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("No such page in this space.")})
    customer_name = ""
    if payload.customer_id is not None:
        customer = Customer.objects.filter(pk=payload.customer_id).first()
        if customer is None or not is_agent(request.auth):
            raise ValidationError({"customer_id": _("No such customer.")})
        customer_name = customer.name
    page = page_templates.do_create_page_from_template(
        request.auth,
        space,
        template,
        title=payload.title,
        parent=parent,
        customer_name=customer_name,
    )
    return Status(201, _page_out(request.auth, page.pk, response))
