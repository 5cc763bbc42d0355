"""`GET /api/v1/search`: the search box as JSON, with the same syntax, permissions and
ranking as the pages (`services.search`), one list of hits across types, paginated."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from workmate.search import services
from workmate.search.models import Kind
from workmate.work.api import ErrorOut

router = Router(tags=["search"])

KindName = Literal["task", "ticket", "page", "proposal", "customer", "contact", "person"]


class SearchParams(Schema):
    q: str = Field(..., max_length=2000, description="The query, in the search box's syntax.")
    type: KindName | None = Field(None, description="Only hits of this type.")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class HitOut(Schema):
    type: KindName
    id: int
    title: str = Field(..., description="A task's or page's title, a ticket's subject, a name.")
    snippet: str = Field(
        ..., description="HTML: an escaped excerpt with the matches in <mark>; may be empty."
    )
    url: str
    status: str
    is_open: bool
    updated_at: datetime.datetime


class SearchOut(Schema):
    counts: dict[str, int] = Field(..., description="Hits per type the caller may see.")
    capped: list[KindName] = Field(
        ...,
        description="Types whose count stopped at the search's limit (500): "
        "there are at least that many hits of them.",
    )
    total: int
    page: int
    has_next: bool
    results: list[HitOut]


@router.get(
    "/search",
    response={200: SearchOut, 400: ErrorOut, 401: ErrorOut},
    summary="Search tasks, tickets, pages, proposals, customers and people",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Words must all match; `"exact phrase"`, `-leave out`, `OR`, and the filters
    `type: assignee: status: project: customer: team: tag: priority: created: updated:
    due:` (dates as `>2026-01-01` or `2026-01-01..2026-01-31`). A filter the search does not
    know, or a date it cannot read, is a 400 saying so."""
    found = services.search(
        params.q,
        user=request.auth,
        kind=params.type or "",
        page=params.page,
        per_page=params.per_page,
        flat=True,
    )
    if found.query.errors:
        raise ValidationError({"q": found.query.errors})
    return {
        "counts": found.counts,
        "capped": sorted(found.capped),
        "total": found.total,
        "page": found.page,
        "has_next": found.has_next,
        "results": [
            {
                "type": hit.kind,
                "id": hit.id,
                "title": hit.title,
                "snippet": hit.snippet,
                "url": hit.url,
                "status": hit.status,
                "is_open": hit.is_open,
                "updated_at": hit.updated_at,
            }
            for hit in found.hits
        ],
    }


assert set(Kind.values) == set(KindName.__args__)
