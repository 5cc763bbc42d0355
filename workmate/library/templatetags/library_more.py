"""Sections the library's page shows below its text: "referenced by" and the comments.

Inclusion tags, so the page view stays as it is and each section reads what it needs
(a fixed number of queries each, see `references.referenced_by` and
`comments.comment_threads`).
"""

from __future__ import annotations

from django import template
from django.template import Context

from workmate.library import references
from workmate.library.models import LinkSource, Page
from workmate.library.views_comments import comments_context

register = template.Library()


@register.inclusion_tag("library/partials/_references.html", takes_context=True)
def page_references(context: Context, page: Page) -> dict:
    user = context["request"].user
    return {"page": page, "references": references.referenced_by(page, user)}


@register.inclusion_tag("library/partials/_comments.html", takes_context=True)
def page_comments(context: Context, page: Page) -> dict:
    request = context["request"]
    return {
        **comments_context(request, page),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def with_page_links(context: Context, page: Page, text: str) -> str:
    """`text` (a page's Markdown) with its `[[Title]]` links written as Markdown links for
    the reader, to be rendered as usual afterwards."""
    return references.render_text(text, LinkSource.PAGE, page.pk, context["request"].user)


@register.simple_tag(takes_context=True)
def can_write_in(context: Context, space) -> bool:
    """`{% can_write_in space as can_write %}`: whether the reader may write there."""
    return space.can_write(context["request"].user)
