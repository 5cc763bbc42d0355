"""Pay pages: the open bands, one's own pay, people's pay for those with pay rights,
decisions on proposed pay, and the audit of who looked at whose pay (executives).

Every page that shows one person's pay reads it through `payroll.read_salary`, which
writes the audit row; lists never show amounts.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workmate.accounts.models import Membership, User
from workmate.reviews import payroll
from workmate.reviews.models import PayScale, PayView, PayViewVia

AUDIT_PAGE_SIZE = 50


@login_required
@require_safe
def bands(request: HttpRequest) -> HttpResponse:
    scale = PayScale.objects.current()
    return render(
        request,
        "reviews/pay_bands.html",
        {
            "scale": scale,
            "rows": payroll.band_table(scale),
            "steps": range(1, len(scale.step_factors) + 1) if scale else [],
            "has_pay_rights": payroll.has_pay_rights(request.user),
            "can_read_audit": payroll.can_read_audit(request.user),
        },
    )


def _salary_page(request: HttpRequest, person: User) -> HttpResponse:
    read = payroll.read_salary(request.user, person, via=PayViewVia.PAGE, path=request.path)
    return render(
        request,
        "reviews/pay_person.html",
        {
            "read": read,
            "is_self": person.pk == request.user.pk,
            "can_decide": payroll.has_pay_rights(request.user) and person.pk != request.user.pk,
        },
    )


@login_required
@require_safe
def my_pay(request: HttpRequest) -> HttpResponse:
    return _salary_page(request, request.user)


@login_required
@require_safe
def person_pay(request: HttpRequest, pk: int) -> HttpResponse:
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise Http404
    return _salary_page(request, person)


@login_required
@require_safe
def people(request: HttpRequest) -> HttpResponse:
    """Whose pay a person with pay rights can open: names only, never amounts."""
    if not payroll.has_pay_rights(request.user):
        raise Http404
    listing = (
        User.objects.filter(is_active=True, pk__in=Membership.objects.values("user"))
        .only("pk", "full_name", "email")
        .order_by("full_name", "pk")
    )
    page = Paginator(listing, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/pay_people.html",
        {"page": page, "proposals": list(payroll.proposals_for(request.user))},
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    salary = payroll.get_proposal_for_user(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        payroll.do_decide_salary(request.user, salary, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved.") if approve else _("Declined."))
    return redirect("reviews:person_pay", salary.person_id)


@login_required
@require_safe
def audit(request: HttpRequest) -> HttpResponse:
    if not payroll.can_read_audit(request.user):
        raise Http404
    rows = PayView.objects.select_related("viewer", "person").order_by("-viewed_at", "-id")
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/pay_audit.html", {"page": page})
