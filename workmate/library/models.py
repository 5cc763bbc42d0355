"""The library: spaces of Markdown pages with revisions, owners and review dates.

A space belongs to a team, to the whole organisation, or to its members only (private).
Its pages form a tree (each page has a parent and a position among its siblings). Every
save of a page is a `Revision`; the page points at its current published one. A page has
an owner and a review interval: it is *verified* by someone until a date, or it *needs
review* (an edit by someone other than the owner, or reaching the date, turns it back).
In a space that asks for approval, an edit by someone who is not a space editor waits as
a draft revision until an editor approves it.

Page templates are versioned (`PageTemplateRevision`); a page made from one keeps which
template and which revision of it.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.lib.urls import reverse_ids

# How long a page stays verified unless its space or owner says otherwise.
DEFAULT_REVIEW_DAYS = 90
MAX_REVIEW_DAYS = 730


def nfc(text: str) -> str:
    """Text in Unicode NFC: Hangul typed on macOS or read from its file names arrives as
    decomposed jamo (NFD), which neither matches nor sorts with the same word typed
    elsewhere."""
    return unicodedata.normalize("NFC", text)


class SpaceKind(models.TextChoices):
    TEAM = "team", pgettext_lazy("space kind", "Team")
    ORG = "org", _("Whole organisation")
    PRIVATE = "private", _("Private to members")


class SpaceRole(models.TextChoices):
    READER = "reader", _("Reader")
    EDITOR = "editor", _("Editor")


space_key = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, “-” and “_” only, starting with a letter or digit."),
)


class SpaceQuerySet(models.QuerySet["Space"]):
    def visible_to(self, user: User) -> SpaceQuerySet:
        """Spaces a person may read: every team and org-wide space, and the private ones
        they are a member of. Executives see no more: a private space is its members'."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            ~Q(kind=SpaceKind.PRIVATE)
            | Q(pk__in=SpaceMembership.objects.filter(user=user).values("space_id"))
        )


class Space(models.Model):
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(
        _("key"),
        max_length=20,
        validators=[space_key],
        help_text=_("A short name for addresses, e.g. NBD or runbooks."),
    )
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=SpaceKind.choices, default=SpaceKind.TEAM
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_spaces",
        verbose_name=_("team"),
    )
    members = models.ManyToManyField(
        User, through="SpaceMembership", related_name="library_spaces", verbose_name=_("members")
    )
    requires_approval = models.BooleanField(
        _("edits need approval"),
        default=False,
        help_text=_(
            "An edit by someone who is not a space editor waits until an editor approves it."
        ),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review pages every (days)"),
        default=DEFAULT_REVIEW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_DAYS)],
        help_text=_("How long a verified page stays verified, for new pages of this space."),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["name"]
        constraints = [
            # Addresses name the space by key, whatever case is typed.
            models.UniqueConstraint(Lower("key"), name="library_space_key_ci_unique"),
            # A team space is its team's: edits and approval follow the team's members.
            models.CheckConstraint(
                condition=~Q(kind="team") | Q(team__isnull=False),
                name="library_space_team_has_team",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1)
                & Q(review_interval_days__lte=MAX_REVIEW_DAYS),
                name="library_space_review_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:space", args=[self.key])

    def clean(self) -> None:
        super().clean()
        self.name = nfc(self.name.strip())
        if self.kind == SpaceKind.TEAM and self.team_id is None:
            raise ValidationError({"team": _("A team space needs its team.")}, code="team")

    @property
    def is_private(self) -> bool:
        return self.kind == SpaceKind.PRIVATE

    # --- Who may do what (one place; services and views ask these) -------------------

    def role_of(self, user: User) -> str | None:
        """The person's explicit membership role in this space, if any."""
        if not user.is_authenticated:
            return None
        cache = getattr(self, "_roles", None)
        if cache is None:
            cache = self._roles = {}
        if user.pk not in cache:
            cache[user.pk] = (
                SpaceMembership.objects.filter(space=self, user=user)
                .values_list("role", flat=True)
                .first()
            )
        return cache[user.pk]

    def _team_role(self, user: User) -> str | None:
        """The person's role in the space's team, read once per space object."""
        if self.team_id is None or not user.is_authenticated:
            return None
        cache = getattr(self, "_team_roles", None)
        if cache is None:
            cache = self._team_roles = {}
        if user.pk not in cache:
            cache[user.pk] = (
                Membership.objects.filter(team_id=self.team_id, user=user)
                .values_list("role", flat=True)
                .first()
            )
        return cache[user.pk]

    def can_view(self, user: User) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        return not self.is_private or self.role_of(user) is not None

    def is_editor(self, user: User) -> bool:
        """A space editor: may approve drafts, verify any page and change the space.

        Its explicit editors, and for a team space the team's leads."""
        if not self.can_view(user):
            return False
        if self.role_of(user) == SpaceRole.EDITOR:
            return True
        return self.kind == SpaceKind.TEAM and self._team_role(user) == TeamRole.LEAD

    def can_write(self, user: User) -> bool:
        """May create and edit pages (in an approval space, as drafts unless an editor).

        Private: its editors. Team: the team's members and the space's editors.
        Org-wide: everyone but those made readers of it."""
        if not self.can_view(user):
            return False
        role = self.role_of(user)
        if role == SpaceRole.EDITOR:
            return True
        if self.kind == SpaceKind.PRIVATE:
            return False
        if self.kind == SpaceKind.TEAM:
            return self._team_role(user) is not None
        return role != SpaceRole.READER

    def publishes_directly(self, user: User) -> bool:
        """Whether an edit by `user` is published at once rather than waiting as a draft."""
        return not self.requires_approval or self.is_editor(user)


class SpaceMembership(models.Model):
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("space")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="library_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(
        _("role"), max_length=8, choices=SpaceRole.choices, default=SpaceRole.READER
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("space member")
        verbose_name_plural = _("space members")
        constraints = [
            # `Space.role_of` looks the one row up; `visible_to` filters by user.
            models.UniqueConstraint(fields=["space", "user"], name="library_space_member_unique"),
        ]
        indexes = [models.Index(fields=["user", "space"], name="library_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} in {self.space} ({self.get_role_display()})"


class Tag(models.Model):
    """A label on pages, shared across spaces (a tag's page lists the pages one may see)."""

    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("page tag")
        verbose_name_plural = _("page tags")
        ordering = ["name"]
        constraints = [
            # Tags are typed by hand: "Runbook" and "runbook" are one tag.
            models.UniqueConstraint(Lower("name"), name="library_tag_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TrustState(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class ReviewReason(models.TextChoices):
    NONE = "", _("Not yet verified")
    EDITED = "edited", _("Edited by someone other than the owner")
    EXPIRED = "expired", _("Review date reached")
    FLAGGED = "flagged", _("Marked as needing review")
    RESTORED = "restored", _("An older revision was restored")


class PageQuerySet(models.QuerySet["Page"]):
    def visible_to(self, user: User) -> PageQuerySet:
        """Pages in the spaces a person may read."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(space__in=Space.objects.visible_to(user))

    def needs_review(self, today: datetime.date | None = None) -> PageQuerySet:
        """Pages needing review: marked so, or verified until a day now past (the clock
        turns those over; the lists must not wait for it)."""
        today = today or timezone.localdate()
        return self.filter(Q(trust_state=TrustState.NEEDS_REVIEW) | Q(verified_until__lt=today))

    def verified(self, today: datetime.date | None = None) -> PageQuerySet:
        today = today or timezone.localdate()
        return self.filter(trust_state=TrustState.VERIFIED, verified_until__gte=today)

    def review_date_passed(self, today: datetime.date) -> PageQuerySet:
        """Verified pages whose date is past: what the daily task turns to needs review."""
        return self.filter(trust_state=TrustState.VERIFIED, verified_until__lt=today)


class Page(models.Model):
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="pages", verbose_name=_("space")
    )
    # PROTECT: a page with children cannot be deleted; move or delete them first.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent page"),
    )
    # Order among siblings. All 0: by title (Korean collation); once someone orders a
    # level by hand its pages are numbered 1.. and new ones go last.
    position = models.PositiveIntegerField(_("position"), default=0)
    # The current published revision's title, kept here for trees, lists and links.
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="library_pages", verbose_name=_("owner")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="pages", verbose_name=_("tags"))
    review_interval_days = models.PositiveSmallIntegerField(
        _("review every (days)"),
        default=DEFAULT_REVIEW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_DAYS)],
    )
    trust_state = models.CharField(
        _("state"), max_length=16, choices=TrustState.choices, default=TrustState.NEEDS_REVIEW
    )
    review_reason = models.CharField(
        _("why it needs review"),
        max_length=16,
        choices=ReviewReason.choices,
        blank=True,
        default=ReviewReason.NONE,
    )
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_until = models.DateField(_("verified until"), null=True, blank=True)
    # The published revision readers see; drafts waiting for approval are not it.
    current_revision = models.ForeignKey(
        "Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current revision"),
    )
    template = models.ForeignKey(
        "PageTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name=_("made from template"),
    )
    template_revision = models.ForeignKey(
        "PageTemplateRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name=_("template version"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["space", "position", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="library_page_not_own_parent"
            ),
            # A verified page says by whom and until when.
            models.CheckConstraint(
                condition=~Q(trust_state="verified")
                | Q(
                    verified_by__isnull=False,
                    verified_at__isnull=False,
                    verified_until__isnull=False,
                ),
                name="library_page_verified_complete",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1)
                & Q(review_interval_days__lte=MAX_REVIEW_DAYS),
                name="library_page_review_interval_range",
            ),
        ]
        indexes = [
            # The space tree: every page of a space with its parent and position.
            models.Index(fields=["space", "parent", "position"], name="library_page_tree_idx"),
            # A space's "recently changed".
            models.Index(fields=["space", "-updated_at"], name="library_page_recent_idx"),
            # The daily expiry: verified pages whose date has passed.
            models.Index(
                fields=["verified_until"],
                condition=Q(trust_state="verified"),
                name="library_page_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_ids("library:page", self.pk)

    def clean(self) -> None:
        super().clean()
        self.title = nfc(self.title.strip())
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A page cannot be its own parent.")})

    def is_verified(self, today: datetime.date | None = None) -> bool:
        """Verified and not past its date (even before the daily task turns it over)."""
        today = today or timezone.localdate()
        return (
            self.trust_state == TrustState.VERIFIED
            and self.verified_until is not None
            and self.verified_until >= today
        )

    def trust_display(self, today: datetime.date | None = None) -> str:
        if self.is_verified(today):
            return str(TrustState.VERIFIED.label)
        return str(TrustState.NEEDS_REVIEW.label)

    def etag(self) -> str:
        """The page's version for If-Match: its current revision's number."""
        number = self.current_revision.number if self.current_revision_id else 0
        return f'"{number}"'


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not approved")


class RevisionQuerySet(models.QuerySet["Revision"]):
    def published(self) -> RevisionQuerySet:
        return self.filter(status=RevisionStatus.PUBLISHED)

    def drafts(self) -> RevisionQuerySet:
        return self.filter(status=RevisionStatus.DRAFT)


class Revision(models.Model):
    """One save of a page: its whole title and body as they were then."""

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("page")
    )
    # 1, 2, 3 … per page, in the order saved (drafts included).
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="library_revisions", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    summary = models.CharField(_("summary of the change"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RevisionStatus.choices, default=RevisionStatus.PUBLISHED
    )
    # The revision the author started from: the stale-save check and a draft's approval
    # compare it with the page's current one.
    base_number = models.PositiveIntegerField(_("based on revision"), null=True, blank=True)
    # Set when this revision restores an older one.
    restored_from = models.PositiveIntegerField(_("restores revision"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["page", "-number"]
        constraints = [
            # History reads a page's revisions by number; two saves never share one.
            models.UniqueConstraint(
                fields=["page", "number"], name="library_revision_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="library_revision_number_positive"
            ),
        ]
        indexes = [
            # The approval queue: drafts waiting, per page.
            models.Index(
                fields=["page"], condition=Q(status="draft"), name="library_revision_draft_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == RevisionStatus.DRAFT


def page_attachment_path(instance: PageAttachment, filename: str) -> str:
    return f"library/{instance.page_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class PageAttachment(models.Model):
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("page")
    )
    file = models.FileField(_("file"), upload_to=page_attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("page attachment")
        verbose_name_plural = _("page attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class PageTemplateQuerySet(models.QuerySet["PageTemplate"]):
    def visible_to(self, user: User) -> PageTemplateQuerySet:
        """Org-wide templates and those of the spaces a person may read."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(Q(space__isnull=True) | Q(space__in=Space.objects.visible_to(user)))


class PageTemplate(models.Model):
    """A page template; its text lives in versions (`PageTemplateRevision`)."""

    # Empty: offered in every space.
    space = models.ForeignKey(
        Space,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("space"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="library_templates", verbose_name=_("owner")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PageTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("page template")
        verbose_name_plural = _("page templates")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def latest_revision(self) -> PageTemplateRevision | None:
        return self.revisions.order_by("-number").first()


class PageTemplateRevision(models.Model):
    template = models.ForeignKey(
        PageTemplate, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("template")
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True)
    summary = models.CharField(_("summary of the change"), max_length=200, blank=True)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("page template version")
        verbose_name_plural = _("page template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="library_template_revision_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="library_template_revision_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


# --- Links, comments and imports --------------------------------------------------------


class LinkSource(models.TextChoices):
    PAGE = "page", _("Page")
    TASK = "task", _("Task")
    TICKET = "ticket", _("Ticket")
    PROPOSAL = "proposal", _("Proposal")


class PageLink(models.Model):
    """A reference from some text to a page: `[[Title]]` or the page's address.

    The text is a part (`part`) of a page, task, ticket or proposal (`source_kind`,
    `source_id`): "" for its own text, "comment-12" for one of its comments. Each save of
    a part replaces its rows (`links.do_record_links`). A `[[Title]]` that names no page
    the writer may see is kept with no target and gets one when such a page appears;
    one that resolved keeps its target through renames (`label` is the title as written).
    """

    target = models.ForeignKey(
        Page,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backlinks",
        verbose_name=_("page linked to"),
    )
    label = models.CharField(_("title as written"), max_length=200, blank=True)
    source_kind = models.CharField(_("from"), max_length=10, choices=LinkSource.choices)
    source_id = models.PositiveBigIntegerField()
    part = models.CharField(max_length=40, blank=True)
    # The linking page when the source is a page: deletes with it, and lets "referenced
    # by" read its title and space in the same query.
    source_page = models.ForeignKey(
        Page, on_delete=models.CASCADE, null=True, blank=True, related_name="outgoing_links"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("page link")
        verbose_name_plural = _("page links")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_kind="page", source_page__isnull=False)
                | (~Q(source_kind="page") & Q(source_page__isnull=True)),
                name="library_link_source_page_iff_page",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(label=""),
                name="library_link_unresolved_has_label",
            ),
        ]
        indexes = [
            # A text's links, replaced on each save of that text.
            models.Index(
                fields=["source_kind", "source_id", "part"], name="library_link_source_idx"
            ),
            # "Referenced by": the links to a page.
            models.Index(fields=["target", "source_kind"], name="library_link_target_idx"),
            # A new or renamed page picks up the links waiting for its title.
            models.Index(
                Lower("label"), condition=Q(target__isnull=True), name="library_link_waiting_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.source_id} → {self.target_id or self.label}"


class PageCommentQuerySet(models.QuerySet["PageComment"]):
    def open(self) -> PageCommentQuerySet:
        return self.filter(resolved_at__isnull=True)


class PageComment(models.Model):
    """A comment on a page, or a reply in its thread (one level deep, as on proposals).

    Mentions are kept in the body as `@**Name|id**` tokens. A thread (its top comment) is
    resolved as a whole; resolving keeps it, folded, and anyone may open it again.
    """

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="comments", verbose_name=_("page")
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="library_comments", verbose_name=_("author")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PageCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("page comment")
        verbose_name_plural = _("page comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="library_comment_not_own_parent"
            ),
            # Threads are resolved at their top comment only.
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="library_comment_resolve_threads_only",
            ),
        ]
        indexes = [
            # A page's comments, oldest first.
            models.Index(fields=["page", "created_at"], name="library_comment_page_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class PageImport(models.Model):
    """One zip imported into a space: what it made and what it refused, by name."""

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="imports", verbose_name=_("space")
    )
    parent = models.ForeignKey(
        Page, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    # [[page id, path as "A / B"], …] and [[name in the zip, reason], …].
    created_pages = models.JSONField(default=list)
    refused = models.JSONField(default=list)

    class Meta:
        verbose_name = _("page import")
        verbose_name_plural = _("page imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.space}"
