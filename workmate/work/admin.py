from __future__ import annotations

from django.contrib import admin

from workmate.work.models import (
    Activity,
    Comment,
    Project,
    ProjectMember,
    Section,
    Tag,
    Task,
    WorkRequest,
)


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["user"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "owner", "visibility", "archived_at"]
    list_filter = ["visibility", "team"]
    list_select_related = ["team", "owner"]
    search_fields = ["name"]
    autocomplete_fields = ["team", "owner"]
    inlines = [ProjectMemberInline, SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "position"]
    list_select_related = ["project"]
    search_fields = ["name", "project__name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = ["author", "body", "created_at"]
    can_delete = False


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["actor", "verb", "field", "old_value", "new_value", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    # Writes belong to the services (they keep history and send requests), so the
    # admin is for looking things up.
    list_display = ["title", "project", "assignee", "status", "due_on"]
    list_filter = ["status", "priority", "project"]
    list_select_related = ["project", "assignee"]
    search_fields = ["title"]
    autocomplete_fields = ["project", "section", "parent", "assignee", "created_by"]
    inlines = [CommentInline, ActivityInline]


@admin.register(WorkRequest)
class WorkRequestAdmin(admin.ModelAdmin):
    list_display = ["task", "requester", "assignee", "state", "reply_by"]
    list_filter = ["state"]
    list_select_related = ["task", "requester", "assignee"]
    search_fields = ["task__title", "message"]
    autocomplete_fields = ["task", "requester", "assignee"]
