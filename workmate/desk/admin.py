from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workmate.desk.models import (
    Contact,
    ContactMembership,
    Customer,
    InboundMessage,
    Macro,
    Satisfaction,
    SLAPolicy,
    Ticket,
    TicketAttachment,
    TicketEntry,
)


class ContactMembershipInline(admin.TabularInline):
    model = ContactMembership
    extra = 0
    autocomplete_fields = ["customer", "contact"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "tier", "se_owner", "le_architect"]
    list_filter = ["industry", "tier"]
    list_select_related = ["se_owner", "le_architect"]
    search_fields = ["name"]
    autocomplete_fields = ["se_owner", "le_architect"]
    inlines = [ContactMembershipInline]


@admin.action(description=_("Invite to the support portal (mail a set-password link)"))
def invite_to_portal(modeladmin: admin.ModelAdmin, request, queryset) -> None:
    from workmate.desk.portal_auth import send_password_link

    invited = 0
    for contact in queryset.filter(is_active=True):
        send_password_link(contact, invite=True)
        invited += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d contact will get a portal invitation.",
            "%(count)d contacts will get a portal invitation.",
            invited,
        )
        % {"count": invited},
    )


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    actions = [invite_to_portal]
    list_display = ["email", "full_name", "language", "is_active", "last_login"]
    list_filter = ["is_active", "language"]
    search_fields = ["email", "full_name"]
    # The portal password is set by the contact through their e-mailed link, never here.
    exclude = ["password"]
    readonly_fields = ["created_at", "last_login"]
    inlines = [ContactMembershipInline]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "tier",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "around_the_clock",
    ]
    list_filter = ["tier", "around_the_clock"]


class TicketEntryInline(admin.TabularInline):
    model = TicketEntry
    extra = 0
    fields = ["kind", "author", "contact", "body", "minutes", "billable", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        # Entries are written by the desk's services, so the timeline stays complete.
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["pk", "subject", "customer", "priority", "status", "assignee", "created_at"]
    list_filter = ["status", "priority", "category"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["subject", "from_email", "customer__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["customer", "requester", "assignee", "merged_into", "sla_policy"]
    filter_horizontal = ["followers"]
    exclude = ["linked"]
    inlines = [TicketEntryInline]


class TicketAttachmentInline(admin.TabularInline):
    model = TicketAttachment
    extra = 0


@admin.register(TicketEntry)
class TicketEntryAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "author", "contact", "minutes", "billable", "created_at"]
    list_filter = ["kind", "billable"]
    list_select_related = ["ticket", "author", "contact"]
    raw_id_fields = ["ticket", "author", "contact"]
    inlines = [TicketAttachmentInline]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "set_status", "created_by", "used_count"]
    list_filter = ["team"]
    search_fields = ["name", "body"]
    raw_id_fields = ["created_by"]


@admin.register(Satisfaction)
class SatisfactionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "rating", "created_at"]
    list_filter = ["rating"]
    raw_id_fields = ["ticket"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_email", "subject", "status", "ticket"]
    list_filter = ["status", "channel"]
    search_fields = ["from_email", "subject", "message_id"]
    raw_id_fields = ["ticket", "handled_by"]
    exclude = ["raw"]
