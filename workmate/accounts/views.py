from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from workmate.accounts import api as api_tokens
from workmate.accounts import services, today
from workmate.accounts.forms import ApiTokenForm, ProfileForm, WorkModeForm
from workmate.accounts.models import ApiToken, Team, WorkModeDay

DIRECTORY_PAGE_SIZE = 50


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    me = services.my_availability(request.user)
    if request.htmx:
        # The "You today" card polls this to keep the local time and status current.
        return render(request, "accounts/partials/_availability.html", {"row": me})
    return render_home(request, me=me)


def render_home(
    request: HttpRequest,
    *,
    me: services.Availability | None = None,
    bound: dict[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The "today" page: the sections each app has for the viewer (see accounts/today.py).

    `bound` carries, by section, a refused submission the section shows again with its
    errors (the quick add's POST, from the work app's view).
    """
    memberships = list(request.user.memberships.select_related("team").order_by("team__code"))
    viewer = today.Viewer(request.user, timezone.now(), memberships, bound or {})
    sections = today.sections_for(viewer)
    context = {
        "me": me or services.my_availability(request.user),
        "memberships": memberships,
        "local_today": timezone.localdate(viewer.now),
        "main_sections": [s for s in sections if s.column == "main"],
        "side_sections": [s for s in sections if s.column == "side"],
    }
    return render(request, "accounts/home.html", context, status=status)


@login_required
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    team_code = request.GET.get("team", "")
    query = request.GET.get("q", "").strip()
    people = services.directory_people(team_code=team_code, query=query)
    page = Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = services.availability_for_people(list(page.object_list))
    context = {
        "rows": rows,
        "page": page,
        "teams": Team.objects.all(),
        "team_code": team_code,
        "query": query,
    }
    template = (
        "accounts/partials/_directory_rows.html" if request.htmx else "accounts/directory.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    services.ensure_profile(user)
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            services.do_update_profile(
                user, user_fields=form.user_fields(), profile_fields=form.profile_fields()
            )
            response = redirect("profile")
            # Keep the language cookie in step so the log-in page speaks it too.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            messages.success(request, _("Your profile is saved."))
            return response
    else:
        form = ProfileForm(user=user)
    return render(request, "accounts/profile.html", _profile_context(request, form=form))


def _profile_context(request: HttpRequest, **extra: object) -> dict:
    today = timezone.localdate(timezone=request.user.profile.zone)
    context = {
        "form": None,
        "mode_form": WorkModeForm(user=request.user),
        "upcoming_modes": WorkModeDay.objects.filter(user=request.user, date__gte=today),
        "me": services.my_availability(request.user),
        "tokens": ApiToken.objects.active().filter(user=request.user),
        "token_form": ApiTokenForm(),
        "new_token_secret": None,
    }
    context.update(extra)
    return context


@login_required
@require_POST
def set_work_mode(request: HttpRequest) -> HttpResponse:
    form = WorkModeForm(request.POST, user=request.user)
    if form.is_valid():
        services.do_set_work_mode(request.user, **form.cleaned_data)
        messages.success(request, _("Work mode saved."))
        return redirect("profile")
    context = _profile_context(request, form=ProfileForm(user=request.user), mode_form=form)
    return render(request, "accounts/profile.html", context, status=400)


@login_required
@require_POST
def clear_work_mode(request: HttpRequest, date: str) -> HttpResponse:
    form = WorkModeForm({"date": date, "mode": "office"}, user=request.user)
    if form.is_valid() and services.do_clear_work_mode(request.user, form.cleaned_data["date"]):
        messages.success(request, _("Back to your usual work mode for that day."))
    return redirect("profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in person keeps the choice on their account."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(
        request.user._meta.get_field("language").choices
    ):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


def _tokens_response(request: HttpRequest, status: int = 200, **extra: object) -> HttpResponse:
    """The token panel alone for htmx, else the whole profile page around it."""
    if request.htmx:
        context = _profile_context(request, **extra)
        return render(request, "accounts/partials/_tokens.html", context, status=status)
    context = _profile_context(request, form=ProfileForm(user=request.user), **extra)
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_POST
def create_api_token(request: HttpRequest) -> HttpResponse:
    """Make a personal API token and show its secret this once (it is stored hashed)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_response(request, status=400, token_form=form)
    _token, secret = api_tokens.do_create_api_token(request.user, form.cleaned_data["name"])
    # Rendered, not redirected: the secret must not sit in a cookie or session for later.
    return _tokens_response(request, new_token_secret=secret)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_tokens.get_token_for_user(request.user, pk)
    api_tokens.do_revoke_api_token(request.user, token)
    if request.htmx:
        return _tokens_response(request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("profile")
