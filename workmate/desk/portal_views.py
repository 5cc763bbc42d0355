"""The customer portal: contacts sign in, open tickets, reply and rate solved ones.

Every ticket is fetched through `services.get_ticket_for_contact` (404 for anything the
contact may not see) and every timeline through `services.public_entries`, so internal
notes and change events never reach a portal page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from workmate.desk import csat, portal_auth, services
from workmate.desk.models import (
    DONE_STATUSES,
    Customer,
    Rating,
    Satisfaction,
    Status,
    Ticket,
    TicketAttachment,
)
from workmate.desk.portal_auth import contact_required
from workmate.desk.portal_forms import (
    NewTicketForm,
    PasswordLinkForm,
    RatingForm,
    ReplyForm,
    SetPasswordForm,
    SignInForm,
)
from workmate.lib.downloads import safe_download

PAGE_SIZE = 25
RESET_SESSION_TOKEN = "portal_password_token"
RESET_URL_TOKEN = "set"

# What a contact reads for each status: the desk's own words are for agents.
CONTACT_STATUS = {
    Status.NEW: gettext_lazy("Received"),
    Status.OPEN: gettext_lazy("In progress"),
    Status.PENDING: gettext_lazy("Waiting for your reply"),
    Status.ON_HOLD: gettext_lazy("In progress"),
    Status.SOLVED: gettext_lazy("Solved"),
    Status.CLOSED: gettext_lazy("Closed"),
}
FILTERS = {
    "open": pgettext_lazy("portal ticket filter", "Open"),
    "solved": gettext_lazy("Solved"),
    "all": gettext_lazy("All"),
}


def _safe_next(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/portal/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _with_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- Signing in ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    home = reverse("portal:tickets")
    if request.method == "GET" and portal_auth.get_contact(request) is not None:
        return redirect(home)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        if portal_auth.is_locked_out(request, email):
            form.add_error(
                None,
                _(
                    "Too many failed sign-ins. Try again in a few minutes, or ask for a "
                    "link to set a new password."
                ),
            )
            status = 429
        else:
            contact = portal_auth.authenticate(request, email, password)
            if contact is not None:
                portal_auth.sign_in(request, contact)
                response = redirect(_safe_next(request, home))
                return _with_language_cookie(response, contact.language)
            form.add_error(None, _("That e-mail address and password do not match."))
    context = {"form": form, "next": _safe_next(request, "")}
    return render(request, "desk/portal/sign_in.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_auth.sign_out(request)
    return redirect("portal:login")


@require_http_methods(["GET", "POST"])
def password_link(request: HttpRequest) -> HttpResponse:
    """Ask for a link to set (or reset) the portal password."""
    form = PasswordLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        portal_auth.request_password_link(form.cleaned_data["email"])
        return redirect("portal:password_sent")
    return render(request, "desk/portal/password_link.html", {"form": form})


@require_safe
def password_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/portal/password_sent.html")


@require_http_methods(["GET", "POST"])
def password_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The mailed link: set a password, then go to the tickets signed in.

    As in Django's own reset view, the token moves from the URL into the session and the
    browser is sent on to a URL without it, so it cannot leak through a Referer header.
    """
    contact = portal_auth.contact_from_uid(uidb64)
    if contact is not None and token != RESET_URL_TOKEN:
        if portal_auth.token_generator.check_token(contact, token):
            request.session[RESET_SESSION_TOKEN] = token
            return redirect("portal:password_confirm", uidb64=uidb64, token=RESET_URL_TOKEN)
        contact = None
    if contact is not None:
        session_token = request.session.get(RESET_SESSION_TOKEN, "")
        if not portal_auth.token_generator.check_token(contact, session_token):
            contact = None
    if contact is None:
        return render(request, "desk/portal/password_invalid.html", status=400)
    portal_auth.activate_language(request, contact)
    form = SetPasswordForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        del request.session[RESET_SESSION_TOKEN]
        portal_auth.do_set_password(request, contact, form.cleaned_data["password1"])
        messages.success(request, _("Your password is set. Welcome to the support portal."))
        return _with_language_cookie(redirect("portal:tickets"), contact.language)
    return render(request, "desk/portal/password_set.html", {"form": form, "contact": contact})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The portal's language switch: a signed-in contact keeps the choice."""
    contact = portal_auth.get_contact(request)
    language = request.POST.get("language", "")
    if contact is not None and language in dict(settings.LANGUAGES):
        contact.language = language
        contact.save(update_fields=["language"])
    return django_set_language(request)


# --- Tickets ---------------------------------------------------------------------------


@contact_required
@require_safe
def tickets(request: HttpRequest) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    shown = request.GET.get("status", "open")
    if shown not in FILTERS:
        shown = "open"
    rows = Ticket.objects.visible_to_contact(contact).select_related("customer", "requester")
    if shown == "open":
        rows = rows.exclude(status__in=DONE_STATUSES)
    elif shown == "solved":
        rows = rows.filter(status__in=DONE_STATUSES)
    page = Paginator(rows.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.portal_status = CONTACT_STATUS[Status(row.status)]
    context = {
        "page": page,
        "shown": shown,
        "filters": FILTERS,
        # With a shared view or several organisations, say whose and which ticket is whose.
        "several_customers": Customer.objects.filter(memberships__contact=contact).count() > 1,
    }
    template = (
        "desk/portal/partials/_ticket_rows.html" if request.htmx else "desk/portal/tickets.html"
    )
    return render(request, template, context)


@contact_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    form = NewTicketForm(request.POST or None, request.FILES or None, contact=contact)
    if not form.fields["customer"].queryset.exists():
        # A contact who left every organisation has nobody to file tickets for.
        return render(request, "desk/portal/no_organisation.html", status=403)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Ticket #%(number)s is filed. We will answer here and by e-mail.")
                % {"number": ticket.pk},
            )
            return redirect("portal:ticket", pk=ticket.pk)
    return render(
        request, "desk/portal/new_ticket.html", {"form": form}, status=400 if form.errors else 200
    )


def _ticket_context(ticket: Ticket, form: ReplyForm) -> dict:
    entries = services.public_entries(ticket).prefetch_related("attachments")
    rated = Satisfaction.objects.filter(ticket=ticket).first()
    return {
        "ticket": ticket,
        "entries": entries,
        "form": form,
        "status_label": CONTACT_STATUS[Status(ticket.status)],
        "can_reply": ticket.status != Status.CLOSED,
        "can_solve": ticket.status not in DONE_STATUSES,
        "satisfaction": rated,
        # Solved and not rated yet: the survey's two links on the page (the contact who
        # solved it here gets no survey mail).
        "survey_links": (
            csat.survey_links(ticket) if ticket.status == Status.SOLVED and rated is None else {}
        ),
    }


@contact_required
@require_safe
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    found = services.get_ticket_for_contact(contact, pk)
    form = ReplyForm(contact=contact, ticket=found)
    return render(request, "desk/portal/ticket.html", _ticket_context(found, form))


@contact_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    found = services.get_ticket_for_contact(contact, pk)
    form = ReplyForm(request.POST, request.FILES, contact=contact, ticket=found)
    if form.is_valid():
        try:
            form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                return redirect("portal:ticket", pk=found.pk)
            found = services.get_ticket_for_contact(contact, pk)
            form = ReplyForm(contact=contact, ticket=found)
    status = 400 if form.errors else 200
    context = _ticket_context(found, form)
    if request.htmx:
        return render(request, "desk/portal/partials/_conversation.html", context, status=status)
    return render(request, "desk/portal/ticket.html", context, status=status)


@contact_required
@require_POST
def solve(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact marks their ticket solved (a reply opens it again)."""
    contact = request.contact  # type: ignore[attr-defined]
    found = services.get_ticket_for_contact(contact, pk)
    try:
        services.do_solve_by_contact(contact, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        found = services.get_ticket_for_contact(contact, pk)
        form = ReplyForm(contact=contact, ticket=found)
        return render(request, "desk/portal/ticket.html", _ticket_context(found, form), status=409)
    messages.success(request, _("Thank you: the ticket is marked solved."))
    return redirect("portal:ticket", pk=found.pk)


@contact_required
@require_safe
def attachment(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file on a public message of a ticket the contact may see; anything else is 404."""
    found = services.get_ticket_for_contact(request.contact, pk)  # type: ignore[attr-defined]
    visible = services.public_entries(found).values("pk")
    item = TicketAttachment.objects.filter(pk=file_pk, entry__in=visible).first()
    if item is None:
        raise Http404("No such file.")
    return safe_download(item.file, name=item.name, content_type=item.content_type)


# --- Satisfaction ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str, rating: str) -> HttpResponse:
    """The survey link opens a page with that rating chosen; sending it records the rating.

    Opening the link writes nothing: mail scanners (Safe Links and the like) follow every
    link in a message, so a rating on GET would record whatever they opened last.
    """
    found = csat.ticket_for_token(token)
    if found is None or rating not in Rating.values:
        raise Http404("No such survey.")
    if found.requester is not None:
        portal_auth.activate_language(request, found.requester)
    satisfaction = Satisfaction.objects.filter(ticket=found).first()
    context: dict[str, object] = {"ticket": found, "satisfaction": satisfaction}
    if found.status not in DONE_STATUSES:
        context["error"] = _("This ticket is open again: rate it once it is solved.")
        return render(request, "desk/portal/csat.html", context, status=409)
    if not csat.can_change(found, satisfaction):
        context["frozen"] = True
        return render(request, "desk/portal/csat.html", context)
    if request.method == "GET":
        comment = satisfaction.comment if satisfaction else ""
        context["form"] = RatingForm(initial={"rating": rating, "comment": comment})
        return render(request, "desk/portal/csat.html", context)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context["form"] = form
        return render(request, "desk/portal/csat.html", context, status=400)
    try:
        satisfaction, changed = csat.do_rate(
            found, form.cleaned_data["rating"], form.cleaned_data["comment"]
        )
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "desk/portal/csat.html", context, status=409)
    context["satisfaction"] = satisfaction
    if not changed:
        # Closed between the page and the answer, with an earlier rating standing.
        context["frozen"] = True
        return render(request, "desk/portal/csat.html", context)
    context["sent"] = True
    context["form"] = RatingForm(
        initial={"rating": satisfaction.rating, "comment": satisfaction.comment}
    )
    return render(request, "desk/portal/csat.html", context)
