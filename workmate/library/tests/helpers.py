"""Helpers for the library's tests."""

from __future__ import annotations

from workmate.library import services
from workmate.library.models import Page


def publish(page: Page, author, *, title: str | None = None, body: str | None = None) -> Page:
    """Edit `page` through the service, from its current revision."""
    page.refresh_from_db()
    current = page.current_revision
    services.do_save_page(
        author,
        page,
        base_number=current.number if current else None,
        title=title if title is not None else page.title,
        body=body if body is not None else (current.body if current else ""),
    )
    return page
