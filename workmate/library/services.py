"""The library's changes, each in one function shared by the HTML views and the API.

`get_*_for_user` fetch through the access rules (404 for those who may not see);
`check_*` validate and check rights; `do_*` write.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Team, TeamRole, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.library.collation import sort_key
from workmate.library.models import (
    DEFAULT_REVIEW_DAYS,
    MAX_REVIEW_DAYS,
    Page,
    PageAttachment,
    PageTemplateRevision,
    ReviewReason,
    Revision,
    RevisionStatus,
    Space,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    Tag,
    TrustState,
    nfc,
)
from workmate.library.signals import page_verified
from workmate.work.services import check_attachment

TITLE_MAX = 200
SUMMARY_MAX = 200
# A page's text: a long runbook is ~100 kB; this keeps one save from filling the database.
BODY_MAX = 500_000
TAG_MAX = 50
TAGS_PER_PAGE = 20


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
        .select_related("space", "space__team", "owner", "current_revision__author", "verified_by")
        .filter(pk=pk)
        .first()
    )
    if page is None:
        raise Http404("No such page.")
    return page


def get_space_for_editor(user: User, key: str) -> Space:
    """A space the person may change (its editors); 404 to those who may not see it."""
    space = get_space_for_user(user, key)
    if not (space.is_editor(user) or user.is_superuser):
        raise PermissionDenied(_("Only the space's editors may change it."))
    return space


def get_revision(page: Page, number: int) -> Revision:
    revision = (
        Revision.objects.select_related("author", "approved_by")
        .filter(page=page, number=number)
        .first()
    )
    if revision is None:
        raise Http404("No such revision.")
    return revision


def check_can_write(user: User, space: Space) -> None:
    if not space.can_write(user):
        raise PermissionDenied(_("You may not write in this space."))


def can_manage_page(user: User, page: Page) -> bool:
    """The page's owner and the space's editors verify it and change its owner and
    review interval."""
    return page.owner_id == user.pk or page.space.is_editor(user)


# --- Spaces ----------------------------------------------------------------------------


def can_create_space(user: User, kind: str, team: Team | None) -> bool:
    """Private spaces: anyone. Team spaces: the team's leads. Org-wide: executives."""
    if not user.is_authenticated:
        return False
    if kind == SpaceKind.PRIVATE:
        return True
    if kind == SpaceKind.TEAM:
        return team is not None and (user.leads(team) or user.is_superuser)
    return user.is_executive


def _check_space_fields(space: Space) -> None:
    space.name = nfc((space.name or "").strip())
    space.key = (space.key or "").strip()
    if space.kind != SpaceKind.TEAM and space.kind != SpaceKind.PRIVATE:
        space.team = None
    try:
        space.full_clean()
    except ValidationError as error:
        # The case-insensitive key constraint names no field; say which one.
        if (
            "__all__" in error.message_dict
            and Space.objects.filter(key__iexact=space.key).exclude(pk=space.pk).exists()
        ):
            raise ValidationError({"key": _("Another space has this key.")}) from error
        raise


@transaction.atomic
def do_create_space(
    actor: User,
    *,
    name: str,
    key: str,
    kind: str,
    team: Team | None = None,
    description: str = "",
    requires_approval: bool = False,
    review_interval_days: int = DEFAULT_REVIEW_DAYS,
) -> Space:
    """Create a space; whoever creates it becomes its editor."""
    if not can_create_space(actor, kind, team):
        raise PermissionDenied(
            _("Team spaces are made by the team's leads, org-wide ones by executives.")
        )
    space = Space(
        name=name,
        key=key,
        kind=kind,
        team=team,
        description=description or "",
        requires_approval=requires_approval,
        review_interval_days=review_interval_days,
        created_by=actor,
    )
    _check_space_fields(space)
    space.save()
    SpaceMembership.objects.create(space=space, user=actor, role=SpaceRole.EDITOR)
    return space


SPACE_FIELDS = ("name", "description", "requires_approval", "review_interval_days")


@transaction.atomic
def do_update_space(actor: User, space: Space, **changes: Any) -> Space:
    """Change a space's name, description, approval rule or review interval (editors)."""
    if not (space.is_editor(actor) or actor.is_superuser):
        raise PermissionDenied(_("Only the space's editors may change it."))
    unknown = set(changes) - set(SPACE_FIELDS)
    if unknown:
        raise ValueError(f"Not a space setting: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(space, field, value)
    _check_space_fields(space)
    space.save(update_fields=[*changes, "name"] if changes else ["name"])
    return space


@transaction.atomic
def do_set_space_member(actor: User, space: Space, person: User, role: str | None) -> None:
    """Add a person to a space with a role, change it, or (role None) remove them."""
    if not (space.is_editor(actor) or actor.is_superuser):
        raise PermissionDenied(_("Only the space's editors may change who is in it."))
    if role is None:
        if (
            person == actor
            and space.is_private
            and not space.memberships.filter(role=SpaceRole.EDITOR).exclude(user=actor).exists()
        ):
            raise ValidationError(_("A private space keeps at least one editor."))
        SpaceMembership.objects.filter(space=space, user=person).delete()
        return
    if role not in SpaceRole.values:
        raise ValidationError({"role": _("Choose reader or editor.")})
    SpaceMembership.objects.update_or_create(space=space, user=person, defaults={"role": role})


# --- Pages and revisions ---------------------------------------------------------------


class StaleEdit(Exception):
    """The page changed since the editor loaded it: nothing was saved.

    `current` is the page's revision now; `base` the one the editor started from."""

    def __init__(self, page: Page, current: Revision | None, base_number: int | None) -> None:
        super().__init__(f"Page {page.pk} is at revision {current.number if current else 0}.")
        self.page = page
        self.current = current
        self.base_number = base_number


def _clean_title(title: str) -> str:
    title = nfc((title or "").strip())
    if not title:
        raise ValidationError({"title": _("Give the page a title.")}, code="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("At most %(max)s characters.") % {"max": TITLE_MAX}}, code="title"
        )
    return title


def _clean_summary(summary: str) -> str:
    return " ".join((summary or "").split())[:SUMMARY_MAX]


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n")
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("At most %(max)s characters.") % {"max": BODY_MAX}}, code="body"
        )
    return body


def _new_position(space: Space, parent: Page | None) -> int:
    """Where a new page goes among its siblings: 0 (sorted by title) while nobody has
    ordered that level by hand, last once someone has."""
    siblings = Page.objects.filter(space=space, parent=parent)
    highest = siblings.aggregate(highest=Max("position"))["highest"] or 0
    return highest + 1 if highest > 0 else 0


def _next_number(page: Page) -> int:
    highest = Revision.objects.filter(page=page).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


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
    tags: Iterable[str] | None = None,
    review_interval_days: int | None = None,
    template_revision: PageTemplateRevision | None = None,
    check_rights: bool = True,
) -> Page:
    """Create a page and its first revision: published, or a draft waiting for approval
    when the space asks for it and the author is not one of its editors. A new page
    needs review until its owner (or a space editor) verifies it."""
    if check_rights:
        check_can_write(actor, space)
    title = _clean_title(title)
    body = _clean_body(body)
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
    page.full_clean(exclude=["current_revision", "owner", "space", "parent"])
    page.save()
    published = space.publishes_directly(actor)
    revision = Revision.objects.create(
        page=page,
        number=1,
        author=actor,
        created_at=now,
        title=title,
        body=body,
        summary=_clean_summary(summary),
        status=RevisionStatus.PUBLISHED if published else RevisionStatus.DRAFT,
    )
    if published:
        page.current_revision = revision
        page.save(update_fields=["current_revision"])
    else:
        _tell_editors_of_draft(page, revision)
    if tags:
        _set_tags(page, tags)
    return page


@transaction.atomic
def do_save_page(
    actor: User,
    page: Page,
    *,
    base_number: int | None,
    title: str,
    body: str,
    summary: str = "",
    restored_from: int | None = None,
) -> Revision | None:
    """Save an edit of a page as its next revision; None when nothing changed.

    Steps:
    1. Lock the page row: two people saving at once from the same revision must not
       both pass the check below (the second is refused, not silently lost).
    2. Refuse (`StaleEdit`) when the editor's `base_number` is not the page's current
       revision: someone saved in between, and their change is shown for a hand merge.
    3. Write the revision: published when the author may publish here, otherwise a draft
       the space's editors are told about.
    4. A published edit by someone other than the owner turns the page back to *needs
       review* and tells the owner through the inbox.
    """
    check_can_write(actor, page.space)
    title = _clean_title(title)
    body = _clean_body(body)
    locked = (
        Page.objects.select_for_update(of=("self",))
        .select_related("current_revision")
        .get(pk=page.pk)
    )
    current = locked.current_revision
    current_number = current.number if current else 0
    if (base_number or 0) != current_number:
        raise StaleEdit(locked, current, base_number)
    if current is not None and current.title == title and current.body == body:
        return None
    published = page.space.publishes_directly(actor)
    now = timezone.now()
    revision = Revision.objects.create(
        page=locked,
        number=_next_number(locked),
        author=actor,
        created_at=now,
        title=title,
        body=body,
        summary=_clean_summary(summary),
        status=RevisionStatus.PUBLISHED if published else RevisionStatus.DRAFT,
        base_number=current_number or None,
        restored_from=restored_from,
    )
    if published:
        _publish(locked, revision, now)
    else:
        _tell_editors_of_draft(locked, revision)
    _copy_state(locked, page)
    return revision


def _copy_state(source: Page, target: Page) -> None:
    """Bring the caller's page object up to date with the locked row's new state."""
    for field in (
        "title",
        "current_revision",
        "updated_at",
        "trust_state",
        "review_reason",
        "verified_by",
        "verified_at",
        "verified_until",
    ):
        setattr(target, field, getattr(source, field))


def _publish(page: Page, revision: Revision, now: datetime.datetime) -> None:
    """Make `revision` the page's current one (the page row is locked by the caller)."""
    page.current_revision = revision
    page.title = revision.title
    page.updated_at = now
    fields = ["current_revision", "title", "updated_at"]
    if revision.author_id != page.owner_id:
        reason = ReviewReason.RESTORED if revision.restored_from else ReviewReason.EDITED
        fields += _needs_review(page, reason)
        _tell_owner(page, revision.author, reason)
    page.save(update_fields=fields)


@transaction.atomic
def do_restore_revision(
    actor: User, page: Page, number: int, *, base_number: int | None
) -> Revision | None:
    """Restore an older revision: saved as a new revision with its title and text."""
    old = get_revision(page, number)
    if old.status != RevisionStatus.PUBLISHED:
        raise ValidationError(_("Only a published revision can be restored."))
    return do_save_page(
        actor,
        page,
        base_number=base_number,
        title=old.title,
        body=old.body,
        summary=_("Restored revision %(number)s") % {"number": number},
        restored_from=number,
    )


@transaction.atomic
def do_approve_revision(actor: User, revision: Revision) -> Revision:
    """A space editor publishes a draft. A draft made from an older revision than the
    page's current one is refused: approving it would undo the edits in between."""
    page = (
        Page.objects.select_for_update(of=("self",))
        .select_related("space", "current_revision")
        .get(pk=revision.page_id)
    )
    if not page.space.is_editor(actor):
        raise PermissionDenied(_("Only the space's editors approve edits."))
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.DRAFT:
        raise ValidationError(_("This revision is not waiting for approval."))
    current_number = page.current_revision.number if page.current_revision else 0
    if (revision.base_number or 0) != current_number:
        raise ValidationError(
            _(
                "The page changed after this draft was written (it is now at revision "
                "%(number)s); its author has to bring the draft up to date first."
            )
            % {"number": current_number}
        )
    now = timezone.now()
    revision.status = RevisionStatus.PUBLISHED
    revision.approved_by = actor
    revision.approved_at = now
    revision.save(update_fields=["status", "approved_by", "approved_at"])
    _publish(page, revision, now)
    _tell(
        [revision.author],
        page,
        actor,
        lambda: _("Your edit of “%(title)s” was approved") % {"title": page.title},
    )
    return revision


@transaction.atomic
def do_reject_revision(actor: User, revision: Revision) -> Revision:
    """A space editor turns a draft down; the page stays as it was."""
    page = (
        Page.objects.select_for_update(of=("self",))
        .select_related("space")
        .get(pk=revision.page_id)
    )
    if not page.space.is_editor(actor):
        raise PermissionDenied(_("Only the space's editors approve edits."))
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.DRAFT:
        raise ValidationError(_("This revision is not waiting for approval."))
    revision.status = RevisionStatus.REJECTED
    revision.approved_by = actor
    revision.approved_at = timezone.now()
    revision.save(update_fields=["status", "approved_by", "approved_at"])
    _tell(
        [revision.author],
        page,
        actor,
        lambda: _("Your edit of “%(title)s” was not approved") % {"title": page.title},
    )
    return revision


# --- Tree ------------------------------------------------------------------------------


def descendant_ids(page: Page) -> set[int]:
    """The ids of every page under `page`, read in one query for the whole space."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Page.objects.filter(space_id=page.space_id).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = list(children[page.pk])
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children[pk])
    return found


@transaction.atomic
def do_move_page(actor: User, page: Page, *, parent: Page | None, index: int | None = None) -> Page:
    """Move a page under another parent (None: the top of its space) and/or to `index`
    among its new siblings (None: last, or in title order if that level is unordered).

    Steps:
    1. Lock the space row: two moves at once (A under B, B under A) could otherwise each
       pass the check below and make a loop.
    2. Refuse a parent in another space, the page itself or one of its descendants.
    3. With an index, number the new siblings 1.. in their shown order with the page at
       `index`: that level is ordered by hand from now on.
    """
    Space.objects.select_for_update().filter(pk=page.space_id).first()
    check_can_write(actor, page.space)
    page = Page.objects.select_for_update().get(pk=page.pk)
    if parent is not None:
        if parent.space_id != page.space_id:
            raise ValidationError({"parent": _("The new parent page is in another space.")})
        if parent.pk == page.pk or parent.pk in descendant_ids(page):
            raise ValidationError(
                {"parent": _("A page cannot be moved under itself or one of its own pages.")}
            )
    parent_id = parent.pk if parent is not None else None
    # In the tree's order (`space_tree`), so an index means what the reader saw.
    siblings = sorted(
        Page.objects.filter(space_id=page.space_id, parent_id=parent_id)
        .exclude(pk=page.pk)
        .values_list("pk", "position", "title"),
        key=lambda row: (row[1], sort_key(row[2]), row[0]),
    )
    moved = page.parent_id != parent_id
    page.parent_id = parent_id
    if index is None:
        if moved:
            page.position = _new_position(page.space, parent)
            page.save(update_fields=["parent", "position"])
        return page
    index = max(0, min(index, len(siblings)))
    order = [pk for pk, _position, _title in siblings]
    order.insert(index, page.pk)
    for position, pk in enumerate(order, start=1):
        if pk == page.pk:
            page.position = position
        else:
            Page.objects.filter(pk=pk).update(position=position)
    page.save(update_fields=["parent", "position"])
    return page


# --- Trust -----------------------------------------------------------------------------


def _needs_review(page: Page, reason: str) -> list[str]:
    """Turn a page back to *needs review* in memory; the fields to save."""
    page.trust_state = TrustState.NEEDS_REVIEW
    page.review_reason = reason
    return ["trust_state", "review_reason"]


@transaction.atomic
def do_verify_page(actor: User, page: Page, *, now: datetime.datetime | None = None) -> Page:
    """The owner or a space editor vouches for the page for its review interval."""
    if not can_manage_page(actor, page):
        raise PermissionDenied(_("Only the page's owner or the space's editors verify it."))
    page = Page.objects.select_for_update(of=("self",)).select_related("space").get(pk=page.pk)
    if page.current_revision_id is None:
        raise ValidationError(_("A page waiting for its first approval cannot be verified yet."))
    now = now or timezone.now()
    page.trust_state = TrustState.VERIFIED
    page.review_reason = ReviewReason.NONE
    page.verified_by = actor
    page.verified_at = now
    page.verified_until = timezone.localdate(now) + datetime.timedelta(
        days=page.review_interval_days
    )
    page.save(
        update_fields=[
            "trust_state",
            "review_reason",
            "verified_by",
            "verified_at",
            "verified_until",
        ]
    )
    page_verified.send(sender=Page, instance=page, actor=actor)
    return page


@transaction.atomic
def do_flag_page(actor: User, page: Page) -> Page:
    """Anyone who may write in the space marks a page as needing review (it is wrong or
    out of date); the owner is told."""
    check_can_write(actor, page.space)
    page = Page.objects.select_for_update(of=("self",)).select_related("space").get(pk=page.pk)
    page.save(update_fields=_needs_review(page, ReviewReason.FLAGGED))
    if actor.pk != page.owner_id:
        _tell_owner(page, actor, ReviewReason.FLAGGED)
    return page


PAGE_SETTINGS = ("owner", "review_interval_days")


@transaction.atomic
def do_update_page_settings(
    actor: User, page: Page, *, owner: User | None = None, review_interval_days: int | None = None
) -> Page:
    """Change a page's owner or review interval (its owner and the space's editors)."""
    if not can_manage_page(actor, page):
        raise PermissionDenied(_("Only the page's owner or the space's editors change this."))
    fields = []
    if owner is not None and owner.pk != page.owner_id:
        if not owner.is_active or not page.space.can_view(owner):
            raise ValidationError({"owner": _("The owner must be someone who can read the space.")})
        page.owner = owner
        fields.append("owner")
    if review_interval_days is not None and review_interval_days != page.review_interval_days:
        if not 1 <= review_interval_days <= MAX_REVIEW_DAYS:
            raise ValidationError(
                {
                    "review_interval_days": _("Give between 1 and %(max)s days.")
                    % {"max": MAX_REVIEW_DAYS}
                }
            )
        page.review_interval_days = review_interval_days
        fields.append("review_interval_days")
    if fields:
        page.save(update_fields=fields)
        if "owner" in fields:
            _tell(
                [page.owner],
                page,
                actor,
                lambda: _("You now own the page “%(title)s”") % {"title": page.title},
            )
    return page


def expire_reviews(today: datetime.date | None = None, batch: int = 500) -> int:
    """Turn verified pages whose date has passed to *needs review* and tell their owners.

    Safe to run twice: a page already turned over is no longer selected. Works in
    batches, each in its own transaction. Returns how many pages were turned over."""
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            pages = list(
                Page.objects.review_date_passed(today)
                .select_for_update(
                    of=("self",),
                    skip_locked=connection.features.has_select_for_update_skip_locked,
                )
                .select_related("owner")
                .order_by("pk")[:batch]
            )
            if not pages:
                return done
            Page.objects.filter(pk__in=[page.pk for page in pages]).update(
                trust_state=TrustState.NEEDS_REVIEW, review_reason=ReviewReason.EXPIRED
            )
            for page in pages:
                _tell_owner(page, None, ReviewReason.EXPIRED, dedupe=f"{today:%Y%m%d}")
            done += len(pages)


# --- Tags ------------------------------------------------------------------------------


def parse_tags(text: str) -> list[str]:
    """Tag names from "a, b, c" (commas), trimmed, NFC, without repeats."""
    names: dict[str, str] = {}
    for raw in (text or "").split(","):
        name = nfc(" ".join(raw.split()))
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise ValidationError(
                {"tags": _("A tag has at most %(max)s characters.") % {"max": TAG_MAX}}
            )
        names.setdefault(name.casefold(), name)
    if len(names) > TAGS_PER_PAGE:
        raise ValidationError(
            {"tags": _("At most %(max)s tags on a page.") % {"max": TAGS_PER_PAGE}}
        )
    return list(names.values())


def _set_tags(page: Page, names: Iterable[str]) -> None:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:  # Someone made the same tag a moment ago.
                tag = Tag.objects.get(name__iexact=name)
        tags.append(tag)
    page.tags.set(tags)


@transaction.atomic
def do_set_tags(actor: User, page: Page, names: Iterable[str]) -> None:
    check_can_write(actor, page.space)
    _set_tags(page, names)


# --- Attachments -----------------------------------------------------------------------


@transaction.atomic
def do_add_attachment(actor: User, page: Page, upload: UploadedFile) -> PageAttachment:
    """Store a file with the page: the same size and type checks as task attachments."""
    check_can_write(actor, page.space)
    content_type = check_attachment(upload)
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "file"
    attachment = PageAttachment(
        page=page,
        name=nfc(name)[:255],
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        # The row did not make it, so neither may the file.
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def get_attachment_for_user(user: User, pk: int) -> PageAttachment:
    attachment = (
        PageAttachment.objects.select_related("page", "page__space")
        .filter(pk=pk, page__in=Page.objects.visible_to(user))
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


@transaction.atomic
def do_remove_attachment(actor: User, attachment: PageAttachment) -> None:
    """Its uploader or a space editor removes an attachment."""
    space = attachment.page.space
    if not (
        (attachment.uploaded_by_id == actor.pk and space.can_write(actor)) or space.is_editor(actor)
    ):
        raise PermissionDenied(_("Only who attached it or the space's editors may remove it."))
    storage, file_name = attachment.file.storage, attachment.file.name
    deleted, _rows = PageAttachment.objects.filter(pk=attachment.pk).delete()
    if deleted:
        transaction.on_commit(lambda: storage.delete(file_name))


# --- Telling people --------------------------------------------------------------------


def _tell(
    people: Iterable[User],
    page: Page,
    actor: User | None,
    title: Callable[[], str],
    dedupe: str = "",
) -> None:
    """A notification about a page through the inbox (its working hours, quiet hours and
    digest rules); whoever can no longer read the page is left out by the inbox."""
    notify(
        people,
        Kind.PAGE,
        title=title,
        url=page.get_absolute_url(),
        group_key=f"page:{page.pk}",
        actor=actor,
        dedupe_key=dedupe,
    )


def _tell_owner(page: Page, actor: User | None, reason: str, dedupe: str = "") -> None:
    title = page.title
    sentences = {
        ReviewReason.EDITED: lambda: _("“%(title)s” was edited and needs your review"),
        ReviewReason.RESTORED: lambda: _(
            "An older revision of “%(title)s” was restored; it needs your review"
        ),
        ReviewReason.FLAGGED: lambda: _("“%(title)s” was marked as needing review"),
        ReviewReason.EXPIRED: lambda: _("“%(title)s” reached its review date"),
    }
    sentence = sentences[ReviewReason(reason)]
    _tell(
        [page.owner],
        page,
        actor,
        lambda: sentence() % {"title": title},
        dedupe=f"page-review:{page.pk}:{dedupe}" if dedupe else "",
    )


def space_editors(space: Space) -> list[User]:
    """Who approves drafts: the space's editors and, for a team space, the team's leads."""
    people = User.objects.filter(is_active=True).filter(
        Q(library_memberships__space=space, library_memberships__role=SpaceRole.EDITOR)
        | (
            Q(memberships__team_id=space.team_id, memberships__role=TeamRole.LEAD)
            if space.kind == SpaceKind.TEAM
            else Q(pk__in=[])
        )
    )
    return list(people.distinct())


def _tell_editors_of_draft(page: Page, revision: Revision) -> None:
    title = revision.title
    _tell(
        space_editors(page.space),
        page,
        revision.author,
        lambda: _("An edit of “%(title)s” waits for your approval") % {"title": title},
    )


# --- Reading the tree ------------------------------------------------------------------


@dataclass
class TreeRow:
    """One page of a space's tree, in display order, with what the template needs to
    nest it: `opens` when its children follow, `closes` how many levels end after it."""

    pk: int
    title: str
    parent_id: int | None
    depth: int
    index: int
    siblings: int
    needs_review: bool
    opens: bool = False
    closes: int = 0

    @property
    def id(self) -> int:
        return self.pk

    @property
    def closes_range(self) -> range:
        return range(self.closes)


def space_tree(space: Space, today: datetime.date | None = None) -> list[TreeRow]:
    """Every page of the space as a depth-first list, siblings by position then title
    in Korean order. One query, whatever the number of pages."""
    today = today or timezone.localdate()
    rows = Page.objects.filter(space=space).values_list(
        "pk", "parent_id", "title", "trust_state", "verified_until", "position"
    )
    children: dict[int | None, list[tuple]] = defaultdict(list)
    # Sorted here by the rule of the SQLite collation: through the database it called
    # Python for every comparison (~40 ms for a space of 400 pages).
    for row in sorted(rows, key=lambda row: (row[5], sort_key(row[2]), row[0])):
        children[row[1]].append(row[:5])
    tree: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        kids = children.get(parent_id, [])
        for index, (pk, parent, title, state, until) in enumerate(kids):
            stale = state != TrustState.VERIFIED or until is None or until < today
            row = TreeRow(pk, title, parent, depth, index, len(kids), stale)
            tree.append(row)
            if pk in children:
                row.opens = True
                walk(pk, depth + 1)
        if kids and depth > 0:
            tree[-1].closes += 1

    walk(None, 0)
    return tree


def ancestors(page: Page) -> list[tuple[int, str]]:
    """The page's ancestors from the top down, as (id, title): one recursive query."""
    if page.parent_id is None:
        return []
    table = connection.ops.quote_name(Page._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE chain(id, parent_id, title, depth) AS (
                SELECT id, parent_id, title, 1 FROM {table} WHERE id = %s
                UNION ALL
                SELECT p.id, p.parent_id, p.title, c.depth + 1
                FROM {table} p JOIN chain c ON p.id = c.parent_id
                WHERE c.depth < 100
            )
            SELECT id, title FROM chain ORDER BY depth DESC
            """,
            [page.parent_id],
        )
        return [(pk, title) for pk, title in cursor.fetchall()]
