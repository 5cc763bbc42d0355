"""Admin for pay. Admin access (`is_staff`, even `is_superuser`) alone shows no one's pay:
salaries are listed and opened only by people with pay rights (`payroll.has_pay_rights`),
every opened salary is written to the audit, and the audit and pay permissions are for
executives. Review narratives are not in the admin at all: they are read on their pages,
under their own access rules."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from workmate.reviews import payroll
from workmate.reviews.models import BandBase, PayPermission, PayScale, PayView, PayViewVia, Salary


class PayRightsOnly:
    """Every permission of the admin needs pay rights, whatever the Django permissions say."""

    def _allowed(self, request: HttpRequest) -> bool:
        return payroll.has_pay_rights(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ExecutivesOnly(PayRightsOnly):
    def _allowed(self, request: HttpRequest) -> bool:
        return payroll.can_read_audit(request.user)


@admin.register(Salary)
class SalaryAdmin(PayRightsOnly, admin.ModelAdmin):
    # The list has no amount column: a list of amounts would be many views at once.
    list_display = ["person", "track_code", "number", "step", "effective_from", "status"]
    list_filter = ["status"]
    search_fields = ["person__full_name", "person__email"]
    raw_id_fields = ["person", "cycle", "proposed_by", "decided_by"]
    readonly_fields = ["proposed_at", "decided_at", "decided_by"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        salary = self.get_object(request, object_id)
        if salary is not None and self.has_view_permission(request, salary):
            payroll.log_view(request.user, salary.person, via=PayViewVia.ADMIN, path=request.path)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Decisions go through the pay page (never one's own); the admin only reads.
        return False

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False


class BandBaseInline(admin.TabularInline):
    model = BandBase
    extra = 0


@admin.register(PayScale)
class PayScaleAdmin(ExecutivesOnly, admin.ModelAdmin):
    list_display = ["effective_from", "currency", "unit", "published_at"]
    inlines = [BandBaseInline]


@admin.register(PayPermission)
class PayPermissionAdmin(ExecutivesOnly, admin.ModelAdmin):
    list_display = ["user", "granted_by", "granted_at", "note"]
    raw_id_fields = ["user", "granted_by"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._allowed(request)


@admin.register(PayView)
class PayViewAdmin(ExecutivesOnly, admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "person", "via", "path"]
    list_filter = ["via"]
    list_select_related = ["viewer", "person"]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
