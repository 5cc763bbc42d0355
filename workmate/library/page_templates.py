"""Page templates: write them, keep their versions, and make pages from them.

A template belongs to a space (offered there) or to none (offered in every space). Each
save of its text is a new `PageTemplateRevision`; a page made from it keeps the template
and the version it was made from (`Page.template`, `Page.template_revision`), so a page
made before the template changed can be told apart. Variables (`templating`) are filled
by plain substitution when the page is made.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.library import services, templating
from workmate.library.models import Page, PageTemplate, PageTemplateRevision, Space, nfc
from workmate.library.signals import page_template_used

NAME_MAX = 200


def templates_for_space(user: User, space: Space) -> QuerySet[PageTemplate]:
    """The templates offered in `space`: its own and the org-wide ones, with each one's
    latest version number and how many pages were made from it, in one query."""
    return (
        PageTemplate.objects.visible_to(user)
        .filter(Q(space=space) | Q(space__isnull=True))
        .select_related("owner")
        .annotate(latest_number=Max("revisions__number"))
        .order_by("name", "pk")
    )


def get_template_for_user(user: User, pk: int) -> PageTemplate:
    template = PageTemplate.objects.visible_to(user).select_related("space").filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def can_edit_template(user: User, template: PageTemplate) -> bool:
    """Its owner, and whoever may write in its space; an org-wide one, its owner and staff."""
    if template.owner_id == user.pk:
        return True
    if template.space is None:
        return user.is_staff
    return template.space.can_write(user)


def _clean(name: str, body: str) -> tuple[str, str]:
    name = nfc((name or "").strip())
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": NAME_MAX}})
    return name, body or ""


@transaction.atomic
def do_create_template(
    actor: User, space: Space, *, name: str, body: str, description: str = ""
) -> PageTemplate:
    """A new template for `space`, with its first version."""
    if not space.can_write(actor):
        raise PermissionDenied(_("You may not write in this space."))
    name, body = _clean(name, body)
    template = PageTemplate.objects.create(
        space=space, name=name, description=description.strip(), owner=actor
    )
    PageTemplateRevision.objects.create(template=template, number=1, body=body, author=actor)
    return template


@transaction.atomic
def do_update_template(
    actor: User, template: PageTemplate, *, name: str, body: str, summary: str = ""
) -> PageTemplateRevision | None:
    """Save the template's text as a new version (None when the text did not change;
    a new name alone changes the template, not its versions)."""
    if not can_edit_template(actor, template):
        raise PermissionDenied(_("You may not change this template."))
    name, body = _clean(name, body)
    # Two people saving at once must not both become version N+1.
    locked = PageTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.name != name:
        locked.name = name
        locked.save(update_fields=["name"])
    latest = locked.latest_revision()
    if latest is not None and latest.body == body:
        return None
    return PageTemplateRevision.objects.create(
        template=locked,
        number=(latest.number if latest else 0) + 1,
        body=body,
        summary=summary.strip()[:200],
        author=actor,
    )


def variable_values(
    actor: User,
    space: Space,
    *,
    title: str,
    customer_name: str = "",
    now: datetime.datetime | None = None,
) -> dict[str, str]:
    """What each template variable becomes for `actor` now (dates in their time zone)."""
    now = now or timezone.now()
    try:
        zone = actor.profile.zone
    except Exception:  # A person without a profile (not made through the app).
        zone = timezone.get_default_timezone()
    local = timezone.localtime(now, zone)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "author": actor.full_name or actor.email,
        "customer": customer_name,
        "space": space.name,
        "title": title,
    }


@transaction.atomic
def do_create_page_from_template(
    actor: User,
    space: Space,
    template: PageTemplate,
    *,
    title: str,
    parent: Page | None = None,
    customer_name: str = "",
) -> Page:
    """A page in `space` from the template's latest version, its variables filled in."""
    if template.space_id is not None and template.space_id != space.pk:
        raise ValidationError({"template": _("This template belongs to another space.")})
    revision = template.latest_revision()
    if revision is None:
        raise ValidationError({"template": _("This template has no text yet.")})
    values = variable_values(actor, space, title=(title or "").strip(), customer_name=customer_name)
    page = services.do_create_page(
        actor,
        space,
        title=templating.substitute(title, values) if "{{" in (title or "") else title,
        body=templating.substitute(revision.body, values),
        summary=_("Made from the template “%(name)s”, version %(number)s")
        % {"name": template.name, "number": revision.number},
        parent=parent,
        template_revision=revision,
    )
    page_template_used.send(sender=PageTemplate, instance=template, actor=actor, page=page)
    return page
