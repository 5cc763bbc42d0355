"""The inbox pages: notifications grouped by what they are about, the nav count, delivery
preferences and the urgent audit.

Every change goes through `workmate.inbox.services`, as the JSON API's routes do. An action
answers htmx with the list fragment (and the nav count out of band), and a plain form
post with a redirect back to the same tab and page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from workmate.accounts.models import User
from workmate.accounts.templatetags.workmate import when
from workmate.inbox import services, visibility
from workmate.inbox.forms import TABS, PreferencesForm, SnoozeForm
from workmate.inbox.models import Notification
from workmate.work.forms import add_service_errors

# Groups (things notified about) per page; a group shows all its notifications.
GROUPS_PER_PAGE = 20
URGENT_PER_PAGE = 50
# htmx stops polling when an answer has this status (the nav count of a signed-out page).
STOP_POLLING = 286


@dataclass
class Item:
    notification: Notification
    # Only for the notification whose snooze just failed: the form with its errors.
    snooze_form: SnoozeForm | None = None


@dataclass
class Group:
    key: str
    items: list[Item] = field(default_factory=list)

    @property
    def newest(self) -> Notification:
        return self.items[0].notification

    @property
    def title(self) -> str:
        return self.newest.title

    @property
    def url(self) -> str:
        return self.newest.url if _is_local(self.newest.url) else ""

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if not item.notification.is_read)


def _is_local(url: str) -> bool:
    """A path on this site: "/work/tasks/3/", never "//evil.example" or "https://…"."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def _tab_rows(user: User, tab: str, now: datetime.datetime) -> QuerySet[Notification]:
    rows = Notification.objects.for_user(user)
    if tab == "unread":
        return rows.unread(now)
    if tab == "snoozed":
        return rows.snoozed(now)
    if tab == "archived":
        return rows.archived()
    return rows.not_archived().awake(now)


def _where(data: QueryDict) -> tuple[str, str]:
    """The tab and page a request is about (query string or the action form's fields)."""
    tab = data.get("tab", "")
    return (tab if tab in TABS else "unread"), data.get("page", "1")


def _inbox_url(tab: str, page: str | int = 1) -> str:
    query = {"tab": tab} if str(page) in {"", "1"} else {"tab": tab, "page": page}
    return f"{reverse('inbox:home')}?{urlencode(query)}"


def _inbox_context(
    request: HttpRequest,
    tab: str,
    page_number: str,
    *,
    failed_snooze: tuple[int, SnoozeForm] | None = None,
) -> dict:
    """One page of groups, newest activity first, each with its notifications newest first.

    Steps: list the tab's group keys ordered by their newest notification (one GROUP BY,
    paginated); fetch the notifications of this page's groups with their actors in one
    query; blank those about what the reader can no longer see (a fixed number of queries
    per kind); hang each under its group.
    """
    now = timezone.now()
    rows = _tab_rows(request.user, tab, now)
    keys = (
        rows.values("group_key").annotate(latest=Max("created_at")).order_by("-latest", "group_key")
    )
    page = Paginator(keys, GROUPS_PER_PAGE).get_page(page_number)
    groups = {entry["group_key"]: Group(entry["group_key"]) for entry in page.object_list}
    if groups:
        notifications = list(rows.filter(group_key__in=list(groups)).select_related("actor"))
        # About what they can no longer see: shown, but without its title and excerpt.
        visibility.redact(notifications, request.user)
        for notification in notifications:
            item = Item(notification)
            if failed_snooze and failed_snooze[0] == notification.pk:
                item.snooze_form = failed_snooze[1]
            groups[notification.group_key].items.append(item)
    context = {
        "tab": tab,
        "tabs": TABS.items(),
        "page": page,
        "groups": list(groups.values()),
        "snooze_choices": [],
    }
    if tab != "archived" and groups:
        form = SnoozeForm(
            moments=services.snooze_moments(request.user, now),
            zone=services.profile_of(request.user).zone,
        )
        context["snooze_choices"] = form.choices_with_moments()
    return context


def _render_list(
    request: HttpRequest,
    tab: str,
    page: str,
    *,
    status: int = 200,
    failed_snooze: tuple[int, SnoozeForm] | None = None,
) -> HttpResponse:
    context = _inbox_context(request, tab, page, failed_snooze=failed_snooze)
    if request.htmx:
        context["unread"] = services.unread_count(request.user)
        return render(request, "inbox/partials/_list.html", context, status=200)
    context["can_audit"] = services.can_audit_urgent(request.user)
    return render(request, "inbox/home.html", context, status=status)


def _done(request: HttpRequest, message: str = "") -> HttpResponse:
    """After an action: the list fragment for htmx, or back to the same tab and page."""
    if message:
        messages.success(request, message)
    tab, page = _where(request.POST)
    if request.htmx:
        return _render_list(request, tab, page)
    return redirect(_inbox_url(tab, page))


# --- The inbox ---------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    tab, page = _where(request.GET)
    return _render_list(request, tab, page)


@require_safe
def count(request: HttpRequest) -> HttpResponse:
    """The unread count for the nav, polled by htmx; one COUNT query."""
    if not request.user.is_authenticated:
        if request.htmx:
            # Signed out in another tab: stop asking rather than show the log-in page.
            return HttpResponse(status=STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    unread = services.unread_count(request.user)
    return render(request, "inbox/partials/_count.html", {"unread": unread})


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go where it points (only to a page of this site)."""
    notification = services.get_notification_for_user(request.user, pk)
    services.do_mark_read(request.user, [notification])
    if _is_local(notification.url):
        return redirect(notification.url)
    return redirect("inbox:home")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.get_notification_for_user(request.user, pk)
    services.do_mark_read(request.user, [notification])
    return _done(request)


@login_required
@require_POST
def mark_unread(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.get_notification_for_user(request.user, pk)
    services.do_mark_unread(request.user, notification)
    return _done(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.do_mark_read(request.user)
    return _done(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", changed
        )
        % {"count": changed},
    )


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.get_notification_for_user(request.user, pk)
    services.do_archive(request.user, [notification])
    return _done(request, _("Archived."))


@login_required
@require_POST
def archive_group(request: HttpRequest) -> HttpResponse:
    changed = services.archive_group(request.user, request.POST.get("group", ""))
    return _done(
        request,
        ngettext("%(count)d notification archived.", "%(count)d notifications archived.", changed)
        % {"count": changed},
    )


@login_required
@require_POST
def unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.get_notification_for_user(request.user, pk)
    services.do_unarchive(request.user, notification)
    return _done(request, _("Moved back to the inbox."))


@login_required
@require_POST
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    """Snooze until a moment of the person's working calendar, or one they type in."""
    notification = services.get_notification_for_user(request.user, pk)
    form = SnoozeForm(
        request.POST,
        moments=services.snooze_moments(request.user),
        zone=services.profile_of(request.user).zone,
    )
    if form.is_valid() and form.cleaned_data.get("moment"):
        try:
            snoozed = services.do_snooze(request.user, notification, form.cleaned_data["moment"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            local = timezone.localtime(snoozed.snoozed_until, form.zone)
            return _done(request, _("Snoozed until %(when)s.") % {"when": when(local)})
    tab, page = _where(request.POST)
    # htmx swaps only 2xx answers, so the list with the form's errors is a 200 there.
    return _render_list(request, tab, page, status=400, failed_snooze=(notification.pk, form))


# --- Preferences ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """A channel for each kind of notification and the digest time, saved all at once."""
    user = request.user
    channels = services.channels_for(user)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, channels=channels)
        if form.is_valid():
            services.do_set_preferences(user, form.channels(), form.cleaned_data["digest_time"])
            messages.success(request, _("Your delivery preferences are saved."))
            if not request.htmx:
                return redirect("inbox:preferences")
            form = PreferencesForm(
                channels=services.channels_for(user),
                initial={"digest_time": form.cleaned_data["digest_time"]},
            )
        else:
            status = 200 if request.htmx else 400
    else:
        form = PreferencesForm(
            channels=channels, initial={"digest_time": services.digest_time_of(user)}
        )
    context = {"form": form, "profile": services.profile_of(user)}
    template = "inbox/partials/_preferences.html" if request.htmx else "inbox/preferences.html"
    return render(request, template, context, status=status)


# --- Urgent audit --------------------------------------------------------------------------


@login_required
@require_safe
def urgent_audit(request: HttpRequest) -> HttpResponse:
    """Who marked what urgent, to whom and why: leads see their teams, executives all."""
    marks = services.urgent_marks_visible_to(request.user).order_by("-created_at", "-pk")
    page = Paginator(marks, URGENT_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page}
    template = "inbox/partials/_urgent_rows.html" if request.htmx else "inbox/urgent.html"
    return render(request, template, context)
