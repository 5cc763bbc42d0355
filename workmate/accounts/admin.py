from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from workmate.accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from workmate.accounts.models import (
    CompanyDayOff,
    Membership,
    Team,
    User,
    WorkModeDay,
    WorkProfile,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "team"]


class WorkProfileInline(admin.StackedInline):
    model = WorkProfile
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "org_role", "is_staff", "is_active"]
    list_filter = ["org_role", "is_staff", "is_active", "memberships__team"]
    search_fields = ["full_name", "email"]
    inlines = [WorkProfileInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language", "org_role"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        )
    ]

    def get_deleted_objects(self, objs, request: HttpRequest):  # type: ignore[no-untyped-def]
        """The delete page names the people only and counts what goes with them by kind.

        Listing each row would connect a person to what must not name them: the follow
        of their own anonymous proposal, or what they were told about it.
        """
        _rows, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return [str(person) for person in objs], model_count, perms_needed, protected

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list:
        # Saving a new person creates their profile (signals.py); a profile inline on the add
        # page would then insert a second one and fail, so it appears once the person exists.
        if obj is None:
            return [MembershipInline]
        return super().get_inlines(request, obj)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "work_start", "work_end", "reply_by_hours"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(CompanyDayOff)
class CompanyDayOffAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(WorkModeDay)
class WorkModeDayAdmin(admin.ModelAdmin):
    list_display = ["user", "date", "mode", "place"]
    list_filter = ["mode"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
