from __future__ import annotations

from django.contrib import admin

from workmate.desk.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "tier", "se_owner", "le_architect"]
    list_filter = ["industry", "tier"]
    list_select_related = ["se_owner", "le_architect"]
    search_fields = ["name"]
    autocomplete_fields = ["se_owner", "le_architect"]
