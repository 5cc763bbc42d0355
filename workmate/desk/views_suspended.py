"""The "Suspended mail" pages for agents (`workmate.desk.suspended`): anyone else gets 403."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workmate.accounts.models import User
from workmate.desk import services, suspended
from workmate.desk.models import InboundMessage, InboundStatus, Ticket
from workmate.desk.views import _page

PAGE_SIZE = 50


@login_required
@require_safe
def suspended_list(request: HttpRequest) -> HttpResponse:
    services.check_agent(request.user)
    page = Paginator(suspended.suspended_mail(), PAGE_SIZE).get_page(request.GET.get("page"))
    for held in page.object_list:
        held.reason = suspended.hold_reason(held)  # type: ignore[attr-defined]
    return _page(request, "desk/suspended.html", {"page": page})


@login_required
@require_safe
def suspended_mail(request: HttpRequest, pk: int) -> HttpResponse:
    held = suspended.get_suspended_for_agent(request.user, pk)
    return _mail_page(request, held)


def _mail_page(request: HttpRequest, held: InboundMessage, status: int = 200) -> HttpResponse:
    raw, cut = suspended.raw_text(held)
    context = {
        "held": held,
        "reason": suspended.hold_reason(held),
        "sender": suspended.sender(held),
        "is_suspended": held.status in (InboundStatus.AUTO_REPLY, InboundStatus.FAILED),
        "body": suspended.body_text(held),
        "raw": raw,
        "raw_cut": cut,
    }
    return _page(request, "desk/suspended_mail.html", context, status=status)


def _decide(
    request: HttpRequest,
    pk: int,
    do: Callable[[User, InboundMessage], Ticket | None],
    done: str,
) -> HttpResponse:
    """One decision about a held mail; back to the list, or the ticket it made."""
    held = suspended.get_suspended_for_agent(request.user, pk)
    try:
        ticket = do(request.user, held)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        held.refresh_from_db()
        return _mail_page(request, held, status=409)
    if ticket is None:
        messages.success(request, done)
        return redirect("desk:suspended")
    messages.success(request, done % {"number": ticket.pk})
    return redirect(ticket.get_absolute_url())


@login_required
@require_POST
def make_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, suspended.do_make_ticket, _("The mail is on ticket #%(number)s."))


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, suspended.do_release_to_triage, _("The mail is in triage as #%(number)s.")
    )


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    def do(actor: User, held: InboundMessage) -> None:
        suspended.do_dismiss(actor, held)

    return _decide(request, pk, do, _("The mail is dismissed; the original stays in the admin."))
