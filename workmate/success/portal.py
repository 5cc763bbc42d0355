"""The portal's Feedback section (/portal/feedback/, namespace "portal_feedback").

A contact sends feedback or an idea (apart from tickets) and reads their organisation's
items with their state and, once written, SE's answer. Items are read only through
`FeedbackItem.objects.for_contact` (404 for anything else) and shown through
`portal_view`, which carries no internal note, route or colleague's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from workmate.desk.models import Contact, Customer
from workmate.desk.portal_auth import contact_required
from workmate.success import services
from workmate.success.forms import PortalFeedbackForm
from workmate.success.models import FeedbackItem, FeedbackState

# What a contact reads for each state: SE's words are for colleagues.
CONTACT_STATE = {
    FeedbackState.NEW: gettext_lazy("Received"),
    FeedbackState.ROUTED: gettext_lazy("With the team"),
    FeedbackState.TO_ANSWER: gettext_lazy("Decided, answer coming"),
    FeedbackState.ANSWERED: gettext_lazy("Answered"),
}


@dataclass
class PortalItem:
    """The fields of a feedback item a contact may read, and nothing else."""

    pk: int
    customer: str
    words: str
    is_idea: bool
    state: str
    state_label: str
    created_at: object
    answer: str
    answered_at: object
    mine: bool


def portal_view(item: FeedbackItem, contact: Contact) -> PortalItem:
    return PortalItem(
        pk=item.pk,
        customer=item.customer.name,
        words=item.words,
        is_idea=item.is_idea,
        state=item.state,
        state_label=str(CONTACT_STATE[FeedbackState(item.state)]),
        created_at=item.created_at,
        answer=item.answer if item.state == FeedbackState.ANSWERED else "",
        answered_at=item.answered_at if item.state == FeedbackState.ANSWERED else None,
        mine=item.contact_id == contact.pk,
    )


def get_item_for_contact(contact: Contact, pk: int) -> FeedbackItem:
    item = (
        FeedbackItem.objects.for_contact(contact).select_related("customer").filter(pk=pk).first()
    )
    if item is None:
        raise Http404("No such feedback.")
    return item


def organisations(contact: Contact):
    return Customer.objects.filter(memberships__contact=contact).order_by("name")


@contact_required
@require_safe
def items(request: HttpRequest) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    listing = (
        FeedbackItem.objects.for_contact(contact)
        .select_related("customer")
        .order_by("-created_at", "-pk")[:200]
    )
    context = {"items": [portal_view(item, contact) for item in listing]}
    return render(request, "success/portal/items.html", context)


@contact_required
@require_safe
def item(request: HttpRequest, pk: int) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    found = get_item_for_contact(contact, pk)
    return render(request, "success/portal/item.html", {"item": portal_view(found, contact)})


@contact_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    orgs = list(organisations(contact))
    form = PortalFeedbackForm(request.POST or None)
    if len(orgs) > 1:
        from django import forms

        form.fields["customer"] = forms.ModelChoiceField(
            label=_("Organisation"), queryset=organisations(contact)
        )
    if request.method == "POST" and form.is_valid():
        customer = form.cleaned_data.get("customer") or (orgs[0] if orgs else None)
        if customer is None:
            raise Http404("No organisation.")
        data = form.cleaned_data
        try:
            created = services.do_portal_feedback(
                contact,
                customer,
                services.FeedbackInput(
                    words=data["words"],
                    area=data["area"],
                    importance=data["importance"],
                    is_idea=data.get("is_idea", False),
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: we read every message and will answer here."))
            return redirect("portal_feedback:item", pk=created.pk)
    return render(request, "success/portal/new.html", {"form": form})
