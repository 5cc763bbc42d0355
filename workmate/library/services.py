"""The library's changes, each in one function shared by the HTML views and the API.

`get_*_for_user` fetch through the access rules (404 for those who may not see);
`check_*` validate and check rights; `do_*` write.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.library.models import (
    Page,
    PageTemplateRevision,
    Revision,
    RevisionStatus,
    Space,
    nfc,
)

TITLE_MAX = 200


def today() -> datetime.date:
    """The date review dates are measured against: today in the site's zone (Seoul)."""
    return timezone.localdate()


# --- Access ----------------------------------------------------------------------------


def get_space_for_user(user: User, key: str) -> Space:
    """A space the person may read, by key (any case); 404 otherwise, private ones too."""
    space = Space.objects.visible_to(user).select_related("team").filter(key__iexact=key).first()
    if space is None:
        raise Http404("No such space.")
    return space


def get_page_for_user(user: User, pk: int) -> Page:
    """A page in a space the person may read; 404 otherwise."""
    page = (
        Page.objects.visible_to(user)
        .select_related("space", "space__team", "owner", "current_revision", "verified_by")
        .filter(pk=pk)
        .first()
    )
    if page is None:
        raise Http404("No such page.")
    return page


# --- Pages and revisions ---------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = nfc((title or "").strip())
    if not title:
        raise ValidationError({"title": _("Give the page a title.")}, code="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("At most %(max)s characters.") % {"max": TITLE_MAX}}, code="title"
        )
    return title


def _new_position(space: Space, parent: Page | None) -> int:
    """Where a new page goes among its siblings: 0 (sorted by title) while nobody has
    ordered that level by hand, last once someone has."""
    siblings = Page.objects.filter(space=space, parent=parent)
    highest = siblings.aggregate(highest=Max("position"))["highest"] or 0
    return highest + 1 if highest > 0 else 0


@transaction.atomic
def do_create_page(
    actor: User,
    space: Space,
    *,
    title: str,
    body: str = "",
    summary: str = "",
    parent: Page | None = None,
    owner: User | None = None,
    review_interval_days: int | None = None,
    template_revision: PageTemplateRevision | None = None,
    check_rights: bool = True,
) -> Page:
    """Create a page and its first revision (published, or a draft waiting for approval
    when the space asks for it and the author is not one of its editors)."""
    if check_rights and not space.can_write(actor):
        raise PermissionDenied(_("You may not write in this space."))
    title = _clean_title(title)
    if parent is not None and parent.space_id != space.pk:
        raise ValidationError({"parent": _("The parent page is in another space.")})
    now = timezone.now()
    page = Page(
        space=space,
        parent=parent,
        position=_new_position(space, parent),
        title=title,
        owner=owner or actor,
        review_interval_days=review_interval_days or space.review_interval_days,
        template=template_revision.template if template_revision else None,
        template_revision=template_revision,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    page.full_clean(exclude=["current_revision"])
    page.save()
    published = space.publishes_directly(actor)
    revision = Revision.objects.create(
        page=page,
        number=1,
        author=actor,
        created_at=now,
        title=title,
        body=body or "",
        summary=summary.strip()[:200],
        status=RevisionStatus.PUBLISHED if published else RevisionStatus.DRAFT,
    )
    if published:
        page.current_revision = revision
        page.save(update_fields=["current_revision"])
    return page
