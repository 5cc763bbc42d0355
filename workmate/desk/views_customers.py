"""The customer directory pages for agents (`workmate.desk.customers`): anyone else gets 403."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from workmate.desk import agent, customers
from workmate.desk.models import ContractTier, Industry
from workmate.desk.views import _page

PAGE_SIZE = 50


class DirectoryForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name, domain or contact"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    tier = forms.ChoiceField(
        label=gettext_lazy("Contract tier"),
        required=False,
        choices=[("", gettext_lazy("Any")), *ContractTier.choices],
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("Industry"),
        required=False,
        choices=[("", gettext_lazy("Any")), *Industry.choices],
    )


@login_required
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET)
    # An unknown tier or industry in the URL is shown as a field error and filters
    # nothing; the other filters still apply.
    form.is_valid()
    data = form.cleaned_data
    found = customers.directory(
        request.user, data.get("q", ""), data.get("tier", ""), data.get("industry", "")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {"form": form, "page": page, "querystring": kept.urlencode()}
    return _page(request, "desk/customers.html", context)


@login_required
@require_safe
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    found = customers.get_customer_for_agent(request.user, pk)
    context: dict[str, object] = {
        "customer": found,
        "contacts": customers.contacts_of(found),
        "tickets": customers.open_tickets_of(found),
        "shown_limit": customers.OPEN_TICKETS_SHOWN,
    }
    if agent.can_see_billing(request.user):
        context["minutes"], context["billable"] = customers.minutes_this_month(found)
    return _page(request, "desk/customer.html", context)
