"""Pages to manage endpoints (webhooks and chat destinations), their delivery logs, and
incoming webhooks. Each view fetches through an access helper and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workmate.webhooks import services
from workmate.webhooks.forms import EndpointForm, IncomingHookForm, managed_projects
from workmate.webhooks.models import IncomingHook

LOG_PAGE_SIZE = 50
SECRET_SESSION_KEY = "webhooks_secret_{pk}"


def _show_secret_once(request: HttpRequest, pk: int, secret: str) -> None:
    request.session[SECRET_SESSION_KEY.format(pk=pk)] = secret


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = list(services.endpoints_for(request.user).order_by("name", "pk"))
    hooks = list(services.incoming_hooks_for(request.user).select_related("project"))
    for hook in hooks:
        hook.full_url = incoming_url(request, hook)
    return render(
        request,
        "webhooks/list.html",
        {
            "endpoints": endpoints,
            "hooks": hooks,
            "may_add": services.may_add_any(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request: HttpRequest) -> HttpResponse:
    if not services.may_add_any(request.user):
        raise PermissionDenied(_("You lead no project or team to add endpoints to."))
    form = EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = services.do_create_endpoint(
                request.user,
                name=data["name"],
                url=data["url"],
                kind=data["kind"],
                scope=data["scope"],
                project=data.get("project"),
                team=data.get("team"),
                event_types=data["event_types"],
                language=data["language"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if not endpoint.is_chat:
                _show_secret_once(request, endpoint.pk, endpoint.secret)
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return render(request, "webhooks/edit.html", {"form": form, "endpoint": None})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    form = EndpointForm(request.POST or None, instance=endpoint, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_endpoint(request.user, endpoint, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    endpoint.refresh_from_db()
    return render(request, "webhooks/edit.html", {"form": form, "endpoint": endpoint})


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    secret = request.session.pop(SECRET_SESSION_KEY.format(pk=pk), None)
    failed_only = request.GET.get("failed") == "1"
    deliveries = endpoint.deliveries.order_by("-id")
    if failed_only:
        deliveries = deliveries.failed()
    page = Paginator(deliveries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "secret": secret,
        "page": page,
        "failed_only": failed_only,
        "failed_count": endpoint.deliveries.failed().count(),
    }
    if request.htmx:
        return render(request, "webhooks/partials/_log.html", context)
    return render(request, "webhooks/detail.html", context)


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    secret = services.do_rotate_secret(request.user, endpoint)
    _show_secret_once(request, endpoint.pk, secret)
    messages.success(request, _("New secret made; the old one still signs for 24 hours."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    services.do_set_enabled(request.user, endpoint, request.POST.get("enabled") == "1")
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    services.do_test_send(request.user, endpoint)
    messages.success(request, _("Test message queued; its try shows in the log below."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_replay_failed(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for_user(request.user, pk)
    count = services.do_replay_failed(request.user, endpoint)
    messages.success(request, _("%(count)d deliveries queued again.") % {"count": count})
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = services.get_delivery_for_user(request.user, pk)
    return render(
        request,
        "webhooks/delivery.html",
        {"delivery": delivery, "endpoint": delivery.endpoint, "attempts": delivery.attempts.all()},
    )


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = services.get_delivery_for_user(request.user, pk)
    services.do_replay(request.user, [delivery])
    messages.success(request, _("Queued again."))
    return redirect("webhooks:delivery", pk=delivery.pk)


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("webhooks:home") + "#incoming")


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    if not managed_projects(request.user).exists():
        raise PermissionDenied(_("You manage no project to add an incoming webhook to."))
    form = IncomingHookForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        hook = services.do_create_incoming_hook(
            request.user, name=form.cleaned_data["name"], project=form.cleaned_data["project"]
        )
        messages.success(request, _("Incoming webhook made: %(name)s.") % {"name": hook.name})
        return redirect(reverse("webhooks:home") + "#incoming")
    return render(request, "webhooks/incoming_new.html", {"form": form})


def incoming_url(request: HttpRequest, hook: IncomingHook) -> str:
    return request.build_absolute_uri(reverse("api:webhooks_incoming", args=[hook.token]))
