"""The proposal board: anyone says what is inconvenient; leads answer every proposal.

Anonymous proposals keep no author column at all. What links a proposal to the person
who wrote it is `author_digest`, an HMAC of their id under the site's secret key and the
proposal's own random nonce: the author can recognise their own proposals ("mine"), but
no page, export, API response or role can list who wrote one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User


class Area(models.TextChoices):
    TOOLS = "tools", _("Tools")
    PROCESS = "process", _("Process")
    WORKPLACE = "workplace", _("Workplace")
    CUSTOMERS = "customers", _("Customers")
    PAY_LEVELS = "pay_levels", _("Pay & levels")
    OTHER = "other", _("Other")


class ProposalStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged")


CLOSED_STATUSES = {ProposalStatus.DONE, ProposalStatus.DECLINED, ProposalStatus.MERGED}


def new_nonce() -> str:
    return secrets.token_hex(16)


def author_digest_for(user_id: int, nonce: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"voice-author:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def visible(self) -> ProposalQuerySet:
        """What the board lists: not hidden by moderation, not merged away."""
        return self.filter(hidden_at__isnull=True).exclude(status=ProposalStatus.MERGED)

    def open(self) -> ProposalQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)

    def unanswered(self) -> ProposalQuerySet:
        return self.filter(first_answer_at__isnull=True)


class Proposal(models.Model):
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("what is inconvenient"))
    suggestion = models.TextField(_("how it should work"), blank=True)
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    affected_teams = models.ManyToManyField(
        Team, blank=True, related_name="proposals", verbose_name=_("affected teams")
    )
    is_anonymous = models.BooleanField(_("posted anonymously"), default=False)
    # Set only for proposals with a named author; always empty when anonymous.
    author = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("author"),
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    author_digest = models.CharField(max_length=64, editable=False, db_index=True)
    # Whether the author of an anonymous proposal follows it. Their follow is kept here,
    # beside the digest, and never as a `Subscription` row: a row would name them (the
    # admin lists a person's rows when they are deleted, each with its proposal).
    author_follows = models.BooleanField(default=False, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.NEW
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    first_answer_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    # Voice to work: the task or project a lead made of this proposal.
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("task"),
    )
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("project"),
    )
    vote_count = models.PositiveIntegerField(_("votes"), default=0)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        indexes = [
            # The leads' "waiting for an answer" list: open proposals with no answer yet.
            models.Index(fields=["first_answer_at", "created_at"], name="proposal_waiting_idx"),
        ]
        constraints = [
            # Only an anonymous proposal's author follows through the flag (see above).
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | Q(author_follows=False),
                name="proposal_author_follows_only_anonymous",
            ),
            # An anonymous proposal never stores its author.
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True),
                name="proposal_anonymous_has_no_author",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.MERGED) | Q(merged_into__isnull=False),
                name="proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="proposal_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_by(self, user: User) -> bool:
        """Whether `user` wrote this proposal (works for anonymous ones too)."""
        if not user.is_authenticated:
            return False
        return hmac.compare_digest(self.author_digest, author_digest_for(user.pk, self.nonce))

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Vote(models.Model):
    """A vote or "me too", optionally saying what the problem costs the voter."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proposal_votes")
    comment = models.CharField(_("what it costs you"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            # Voting twice is idempotent: one vote per person and proposal.
            models.UniqueConstraint(fields=["proposal", "user"], name="vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} +1 {self.proposal_id}"


class Subscription(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proposal_subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.proposal_id}"


class ProposalComment(models.Model):
    """A comment, always signed with its author's name, or a reply to one.

    Threads are one level deep: `parent` is a top-level comment of the same proposal, and
    a reply to a reply joins the top-level comment's thread (`services.do_comment`).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="proposal_comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            # "Same proposal" and "parent is top-level" look at another row, which no
            # portable CHECK can; the service enforces those two, the database this one.
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="proposal_comment_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"

    @property
    def thread_root(self) -> ProposalComment:
        """The top-level comment whose thread this is: itself, or its parent."""
        return self.parent if self.parent is not None else self


class Answer(models.Model):
    """A lead's written answer; every status change comes with one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    lead = models.ForeignKey(User, on_delete=models.PROTECT, related_name="proposal_answers")
    from_status = models.CharField(max_length=16, choices=ProposalStatus.choices)
    to_status = models.CharField(max_length=16, choices=ProposalStatus.choices)
    body = models.TextField(_("answer"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hidden")
    UNHIDE = "unhide", _("Shown again")
    EDIT = "edit", _("Edited")
    DETACH = "detach", _("File removed")


class ModerationLog(models.Model):
    """Every moderation step, with its reason: nobody's words vanish without a trace."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="moderation")
    comment = models.ForeignKey(
        ProposalComment, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation"
    )
    moderator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=ModerationAction.choices)
    reason = models.CharField(_("reason"), max_length=300)
    # The text before an edit or hide, kept for the record.
    previous_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation log")
        verbose_name_plural = _("moderation logs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.proposal_id}"


def proposal_attachment_path(instance: ProposalAttachment, filename: str) -> str:
    """A random file name keeping only the extension: the path says nothing about who
    uploaded the file or what it was called (the original name lives in `name`)."""
    extension = os.path.splitext(filename)[1][:16].lower()
    return f"voice/{instance.proposal_id}/{secrets.token_hex(16)}{extension}"


class ProposalAttachment(models.Model):
    """A file the author added to a proposal, served only through `voice:attachment`.

    There is deliberately no uploader column: only a proposal's author may add files, so
    storing who uploaded one would name the author of an anonymous proposal. Rights to
    add or remove come from `Proposal.is_by`, like the edit window.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=proposal_attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name
