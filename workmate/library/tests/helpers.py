"""Helpers for the library's tests."""

from __future__ import annotations

from django.utils import timezone

from workmate.library.models import Page, Revision


def publish(page: Page, author, *, title: str | None = None, body: str | None = None) -> Page:
    """Save a new published revision of `page`, as an edit does: the page's title and
    current revision change together."""
    current = page.current_revision
    number = (page.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = Revision.objects.create(
        page=page,
        number=number,
        author=author,
        title=title if title is not None else page.title,
        body=body if body is not None else (current.body if current else ""),
    )
    page.title = revision.title
    page.current_revision = revision
    page.updated_at = timezone.now()
    page.save(update_fields=["title", "current_revision", "updated_at"])
    return page
