"""Check-ins in the admin, for looking things up; answers are read-only (people's words)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from workmate.checkins.models import Checkin, CheckinResponse


@admin.register(Checkin)
class CheckinAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "frequency", "weekday", "time_of_day", "active"]
    list_filter = ["active", "frequency", "team"]
    search_fields = ["title"]
    raw_id_fields = ["created_by"]


@admin.register(CheckinResponse)
class CheckinResponseAdmin(admin.ModelAdmin):
    list_display = ["checkin", "person", "occurrence", "submitted_at", "pinged_at"]
    list_filter = ["checkin__team"]
    search_fields = ["person__full_name", "person__email", "checkin__title"]
    date_hierarchy = "occurrence"
    list_select_related = ["checkin", "checkin__team", "person"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
