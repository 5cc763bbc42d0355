"""The inbox in the admin: for looking things up, read-mostly.

Notifications, digests and the urgent audit are written only by the services (which keep
the rules: one digest a day, a reason for every urgent mark); here they are read-only.
People's delivery choices may be corrected. A calendar feed's token is a secret address
and is never shown.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from workmate.inbox.models import (
    CalendarFeed,
    ClockTick,
    DeliveryPreference,
    Digest,
    InboxSettings,
    Notification,
    UrgentMark,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "title", "actor", "channel", "created_at", "read_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["title", "recipient__email", "recipient__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["recipient", "actor", "task", "digest"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        # Notifications about proposals stay out: who was told about an anonymous proposal
        # includes its author, whom no admin page may connect to it.
        return super().get_queryset(request).exclude(group_key__startswith="proposal:")


@admin.register(UrgentMark)
class UrgentMarkAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sender", "recipient", "title", "reason"]
    search_fields = ["title", "reason", "sender__email", "recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["sender", "recipient"]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["user", "local_date", "item_count", "sent_at"]
    search_fields = ["user__email", "user__full_name"]
    date_hierarchy = "local_date"
    list_select_related = ["user"]


@admin.register(DeliveryPreference)
class DeliveryPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(InboxSettings)
class InboxSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_time"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    # Never `token`: it is the feed's secret address.
    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]


@admin.register(ClockTick)
class ClockTickAdmin(ReadOnlyAdmin):
    list_display = ["minute"]
