from __future__ import annotations

from django.contrib import admin

from workmate.library.models import (
    Page,
    PageAttachment,
    PageTemplate,
    PageTemplateRevision,
    Revision,
    Space,
    SpaceMembership,
    Tag,
)


class SpaceMembershipInline(admin.TabularInline):
    model = SpaceMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "team", "requires_approval"]
    list_filter = ["kind", "requires_approval"]
    search_fields = ["name", "key"]
    inlines = [SpaceMembershipInline]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "space", "owner", "trust_state", "verified_until", "updated_at"]
    list_filter = ["trust_state", "space"]
    search_fields = ["title"]
    raw_id_fields = [
        "parent",
        "owner",
        "verified_by",
        "current_revision",
        "created_by",
        "template",
        "template_revision",
    ]
    filter_horizontal = ["tags"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["page", "number", "author", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["page", "author", "approved_by"]


admin.site.register(Tag)
admin.site.register(PageAttachment)
admin.site.register(PageTemplate)
admin.site.register(PageTemplateRevision)
