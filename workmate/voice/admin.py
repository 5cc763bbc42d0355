"""The proposal board in the admin: for looking things up, never for unmasking anyone.

The proposal admin shows no digest or nonce, names the author only of named proposals
and searches titles only (a search by author name would tell anonymous ones apart by
what it leaves out). Votes, comments, answers and the moderation log are read-only: the
words people wrote change only through the services, which keep a trace.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from workmate.voice.models import Answer, ModerationLog, Proposal, ProposalComment, Vote


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "shown_author", "vote_count", "created_at"]
    list_filter = ["status", "area", "is_anonymous"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    # Never `author`, `nonce` or `author_digest`: the form would show them.
    fields = [
        "title",
        "problem",
        "suggestion",
        "area",
        "affected_teams",
        "shown_author",
        "status",
        "merged_into",
        "vote_count",
        "first_answer_at",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_reason",
        "task",
        "project",
    ]
    readonly_fields = [
        "title",
        "problem",
        "suggestion",
        "shown_author",
        "status",
        "merged_into",
        "vote_count",
        "first_answer_at",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_reason",
        "task",
        "project",
    ]
    filter_horizontal = ["affected_teams"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("author"))
    def shown_author(self, proposal: Proposal) -> str:
        if proposal.is_anonymous or proposal.author is None:
            return str(_("Anonymous"))
        return proposal.author.full_name

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Proposals are posted on the board, where the author's digest is made.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Hide through moderation instead: nobody's words vanish without a trace.
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "user", "comment", "created_at"]
    list_select_related = ["proposal", "user"]
    search_fields = ["proposal__title"]


@admin.register(ProposalComment)
class ProposalCommentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "author", "created_at", "hidden_at"]
    list_select_related = ["proposal", "author"]
    search_fields = ["proposal__title", "body"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "lead", "from_status", "to_status", "created_at"]
    list_select_related = ["proposal", "lead"]
    search_fields = ["proposal__title"]


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "action", "moderator", "reason", "created_at"]
    list_select_related = ["proposal", "moderator"]
    search_fields = ["proposal__title", "reason"]
