"""SE's pages: the account list, one account, meetings, feedback, themes and routing.

Thin views: each reads through `access` (404 for outsiders, 403 for read-only people on a
change) and changes through one function of `services`/`accounts`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.success import access, accounts, services
from workmate.success.forms import (
    ActionItemFormSet,
    AnswerForm,
    ContractForm,
    FeedbackForm,
    FeedbackSourceForm,
    ListFilterForm,
    MeetingForm,
    MergeThemeForm,
    OverrideForm,
    RouteForm,
    SetThemeForm,
    SplitThemeForm,
    ThemeForm,
)
from workmate.success.models import FeedbackItem, FeedbackRoute, FeedbackState, Theme
from workmate.work.forms import add_service_errors

PAGE_SIZE = 50


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The SE list: customers by health (worst first), then the nearest renewal.

    Colleagues outside SE (the nav shows the page to everyone) see instead the customer
    feedback routed to them, by theme only."""
    if not access.can_use_success(request.user):
        routed = (
            FeedbackRoute.objects.filter(task__assignee=request.user)
            .select_related("task", "item__theme")
            .order_by("-routed_at")[:50]
        )
        return render(request, "success/outside.html", {"routed": routed})
    filters = ListFilterForm(request.GET or None)
    mine = bool(filters.is_valid() and filters.cleaned_data.get("mine"))
    rows = accounts.account_rows(request.user, mine=mine)
    context = {"rows": rows, "filters": filters}
    if request.htmx:
        return render(request, "success/partials/_account_rows.html", context)
    return render(request, "success/home.html", context)


@login_required
@require_safe
def account(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.get_customer_for_user(request.user, pk)
    context = accounts.account_page(customer)
    profile = context["profile"]
    context.update(
        can_edit=access.can_edit_customer(request.user, customer),
        can_override=accounts.can_override(request.user, customer),
        contract_form=ContractForm(
            initial={
                "contract_start": getattr(profile, "contract_start", None),
                "contract_end": getattr(profile, "contract_end", None),
                "renewal_on": getattr(profile, "renewal_on", None),
            }
        ),
        override_form=OverrideForm(
            initial={
                "level": getattr(profile, "health_override", ""),
                "reason": getattr(profile, "health_override_reason", ""),
            }
        ),
    )
    return render(request, "success/account.html", context)


@login_required
@require_POST
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.get_customer_for_user(request.user, pk)
    access.check_can_edit(request.user, customer)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            accounts.do_update_contract(request.user, customer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contract dates saved."))
            return redirect("success:account", pk=customer.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("success:account", pk=customer.pk)


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.get_customer_for_user(request.user, pk)
    form = OverrideForm(request.POST)
    form.is_valid()
    try:
        accounts.do_override_health(
            request.user,
            customer,
            form.cleaned_data.get("level", ""),
            form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Health saved."))
    return redirect("success:account", pk=customer.pk)


# --- Meetings --------------------------------------------------------------------------


def _feedback_formset(customer, data=None):
    formset = formset_factory(FeedbackForm, extra=2)
    return formset(data, prefix="feedback", form_kwargs={"customer": customer})


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """One form: the meeting, its action items (tasks with reply-bys) and the feedback heard."""
    customer = access.get_customer_for_user(request.user, pk)
    access.check_can_edit(request.user, customer)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, customer=customer)
    actions = ActionItemFormSet(data, prefix="actions")
    feedback = _feedback_formset(customer, data)
    if data is not None and form.is_valid() and actions.is_valid() and feedback.is_valid():
        try:
            meeting = services.do_record_meeting(
                request.user,
                customer,
                **form.cleaned_data,
                actions=[
                    services.ActionInput(f["title"], f["assignee"], f.get("reply_by"))
                    for f in actions.cleaned_data
                    if f.get("title")
                ],
                feedback=[
                    services.FeedbackInput(
                        words=f["words"],
                        area=f["area"],
                        importance=f["importance"],
                        contact=f.get("contact"),
                        theme=f.get("theme"),
                        internal_note=f.get("internal_note", ""),
                    )
                    for f in feedback.cleaned_data
                    if f.get("words", "").strip()
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect(meeting)
    context = {"customer": customer, "form": form, "actions": actions, "feedback": feedback}
    return render(request, "success/meeting_form.html", context)


@login_required
@require_safe
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_meeting_for_user(request.user, pk)
    context = {
        "meeting": found,
        "customer": found.customer,
        "contacts": list(found.contacts.all()),
        "colleagues": list(found.colleagues.all()),
        "action_items": list(found.action_items.select_related("assignee", "task")),
        "feedback": list(found.feedback.select_related("contact", "theme")),
    }
    return render(request, "success/meeting.html", context)


# --- Feedback --------------------------------------------------------------------------


@login_required
@require_safe
def feedback_list(request: HttpRequest) -> HttpResponse:
    access.check_can_use(request.user)
    state = request.GET.get("state", "open")
    listing = access.feedback_for(request.user).select_related("customer", "contact", "theme")
    if state in FeedbackState.values:
        listing = listing.filter(state=state)
    elif state == "open":
        listing = listing.open()
    page = Paginator(listing.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    states = [("open", _("Open")), *FeedbackState.choices, ("all", _("All"))]
    context = {"page": page, "state": state, "states": states}
    return render(request, "success/feedback_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.get_customer_for_user(request.user, pk)
    access.check_can_edit(request.user, customer)
    form = FeedbackSourceForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.do_capture_feedback(
                request.user,
                customer,
                services.FeedbackInput(
                    words=data["words"],
                    area=data["area"],
                    importance=data["importance"],
                    contact=data.get("contact"),
                    theme=data.get("theme"),
                    internal_note=data.get("internal_note", ""),
                ),
                data["source"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(item)
    return render(request, "success/feedback_form.html", {"customer": customer, "form": form})


def _item_context(request: HttpRequest, item: FeedbackItem, **forms) -> dict:
    route = (
        FeedbackRoute.objects.filter(item=item)
        .select_related("proposal", "poc", "task", "routed_by")
        .first()
    )
    can_edit = access.can_edit_customer(request.user, item.customer)
    return {
        "item": item,
        "customer": item.customer,
        "route": route,
        "can_edit": can_edit,
        "route_form": forms.get("route_form") or RouteForm(initial={"title": ""}),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "theme_form": forms.get("theme_form") or SetThemeForm(initial={"theme": item.theme_id}),
    }


@login_required
@require_safe
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_feedback_for_user(request.user, pk)
    return render(request, "success/feedback.html", _item_context(request, item))


@login_required
@require_POST
def route(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_feedback_for_user(request.user, pk)
    access.check_can_edit(request.user, item.customer)
    form = RouteForm(request.POST)
    if form.is_valid():
        try:
            services.do_route(request.user, [item], services.RouteInput(**form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Routed."))
            return redirect(item)
    context = _item_context(request, item, route_form=form)
    return render(request, "success/feedback.html", context, status=400)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_feedback_for_user(request.user, pk)
    access.check_can_edit(request.user, item.customer)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.do_answer(request.user, item, form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Answer saved: the customer sees it in the portal."))
            return redirect(item)
    context = _item_context(request, item, answer_form=form)
    return render(request, "success/feedback.html", context, status=400)


@login_required
@require_POST
def set_theme(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_feedback_for_user(request.user, pk)
    access.check_can_edit(request.user, item.customer)
    form = SetThemeForm(request.POST)
    if form.is_valid():
        try:
            services.do_set_theme(request.user, item, form.cleaned_data.get("theme"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(item)


# --- Themes ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest) -> HttpResponse:
    access.check_can_use(request.user)
    form = ThemeForm(request.POST or None)
    if request.method == "POST":
        services.check_can_manage_themes(request.user)
        if form.is_valid():
            theme = services.do_create_theme(request.user, **form.cleaned_data)
            return redirect(theme)
    listing = Theme.objects.live().annotate(
        items_count=Count("items", distinct=True),
        customers_count=Count("items__customer", distinct=True),
    )
    context = {"themes": listing, "form": form, "can_manage": access.is_success_staff(request.user)}
    return render(request, "success/themes.html", context)


@login_required
@require_safe
def theme(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_theme_for_user(request.user, pk)
    visible = access.customers_for(request.user)
    items = list(found.items.filter(customer__in=visible).select_related("customer", "contact"))
    by = {"customer": {}, "industry": {}, "tier": {}}
    for item in items:
        by["customer"][item.customer.name] = by["customer"].get(item.customer.name, 0) + 1
        industry = item.customer.get_industry_display()
        by["industry"][industry] = by["industry"].get(industry, 0) + 1
        tier = item.customer.get_tier_display()
        by["tier"][tier] = by["tier"].get(tier, 0) + 1
    context = {
        "theme": found,
        "items": items,
        "counts": by,
        "can_manage": access.is_success_staff(request.user),
        "merge_form": MergeThemeForm(),
        "split_form": SplitThemeForm(theme=found),
        "route_form": RouteForm(initial={"title": found.name}),
        "open_count": sum(1 for i in items if i.state == FeedbackState.NEW),
    }
    return render(request, "success/theme.html", context)


@login_required
@require_POST
def merge_theme(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_theme_for_user(request.user, pk)
    form = MergeThemeForm(request.POST)
    if form.is_valid():
        try:
            into = services.do_merge_theme(request.user, found, form.cleaned_data["into"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Themes merged."))
            return redirect(into)
    else:
        messages.error(request, _("Choose the theme to merge into."))
    return redirect(found)


@login_required
@require_POST
def split_theme(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_theme_for_user(request.user, pk)
    form = SplitThemeForm(request.POST, theme=found)
    if form.is_valid():
        try:
            new = services.do_split_theme(
                request.user,
                found,
                name=form.cleaned_data["name"],
                items=form.cleaned_data["items"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect(new)
    else:
        messages.error(request, _("Name the new theme and choose the items to move."))
    return redirect(found)


@login_required
@require_POST
def route_theme(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_theme_for_user(request.user, pk)
    form = RouteForm(request.POST)
    if form.is_valid():
        try:
            services.do_route(
                request.user,
                services.open_theme_items(found),
                services.RouteInput(**form.cleaned_data),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The theme's open feedback was routed."))
    else:
        messages.error(request, _("Choose where it goes."))
    return redirect(found)


# --- The proposal's panel (registered in voice.panels) ----------------------------------


def proposal_panel(request: HttpRequest, proposal: object) -> str:
    """ "From customers" on a proposal: the customers' words to people who may see each
    customer, only the themes (and how many customers) to everyone else."""
    routes = list(
        FeedbackRoute.objects.filter(proposal=proposal).select_related(
            "item", "item__customer", "item__contact", "item__theme"
        )
    )
    if not routes:
        return ""
    visible = set(
        access.customers_for(request.user)
        .filter(pk__in={r.item.customer_id for r in routes})
        .values_list("pk", flat=True)
    )
    shown = [r.item for r in routes if r.item.customer_id in visible]
    themes = sorted({r.item.theme.name for r in routes if r.item.theme_id})
    context = {
        "shown": shown,
        "themes": themes,
        "customers": len({r.item.customer_id for r in routes}),
        "hidden": len(routes) - len(shown),
    }
    return render_to_string("success/partials/_proposal_panel.html", context, request=request)
