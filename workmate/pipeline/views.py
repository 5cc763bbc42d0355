"""The pipeline's pages: the board, the list, one PoC with its steps, contracts and the
division overview. Each change goes through one function of `services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import User
from workmate.pipeline import access, library_links, overview, services
from workmate.pipeline.forms import (
    ContractForm,
    DecisionForm,
    DropForm,
    ListFilterForm,
    NewPoCForm,
    PoCForm,
)
from workmate.pipeline.models import FORWARD, PoC, Stage, VendorContract
from workmate.work.forms import add_service_errors

LIST_PAGE_SIZE = 50
# A board column shows this many cards; the list has the rest.
COLUMN_LIMIT = 30


def _check_division(user: User) -> None:
    if not access.in_division(user):
        raise Http404("No pipeline here.")


def _board_cards(listing: QuerySet[PoC]) -> QuerySet[PoC]:
    return listing.select_related("owner", "team")


@login_required
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    """Columns by stage, dropped ones last; each column its most recent cards."""
    _check_division(request.user)
    cards = list(_board_cards(access.pocs_for(request.user)).order_by("-stage_changed_at", "-pk"))
    columns = []
    for stage in [*FORWARD, Stage.DROPPED]:
        in_stage = [poc for poc in cards if poc.stage == stage]
        columns.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "cards": in_stage[:COLUMN_LIMIT],
                "count": len(in_stage),
            }
        )
    context = {"columns": columns, "can_start": access.can_start(request.user)}
    return render(request, "pipeline/board.html", context)


def _filtered(filters: ListFilterForm, user: User) -> QuerySet[PoC]:
    filters.is_valid()
    data = filters.cleaned_data
    listing = access.pocs_for(user).select_related("owner", "team", "decision")
    if data.get("stage"):
        listing = listing.filter(stage=data["stage"])
    if data.get("source"):
        listing = listing.filter(source=data["source"])
    if data.get("team"):
        listing = listing.filter(team=data["team"])
    if data.get("owner"):
        listing = listing.filter(owner=data["owner"])
    if data.get("q"):
        listing = listing.filter(Q(title__icontains=data["q"]) | Q(idea__icontains=data["q"]))
    return listing.order_by("-stage_changed_at", "-pk")


@login_required
@require_safe
def poc_list(request: HttpRequest) -> HttpResponse:
    _check_division(request.user)
    filters = ListFilterForm(request.GET)
    page = Paginator(_filtered(filters, request.user), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {"page": page, "filters": filters, "querystring": kept.urlencode()}
    if request.htmx:
        return render(request, "pipeline/partials/_list_rows.html", context)
    return render(request, "pipeline/list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    _check_division(request.user)
    access.check_can_start(request.user)
    form = NewPoCForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            poc = services.do_create_poc(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("PoC “%(title)s” started as an idea.") % {"title": poc.title}
            )
            return redirect(poc)
    status = 400 if form.is_bound else 200
    return render(request, "pipeline/new.html", {"form": form}, status=status)


def _poc_context(request: HttpRequest, poc: PoC, **forms: object) -> dict:
    user = request.user
    can_edit = access.can_edit(user, poc)
    next_stage = poc.next_stage()
    context = {
        "poc": poc,
        "can_edit": can_edit,
        "criteria": list(poc.criteria.all()),
        "decision": getattr(poc, "decision", None),
        "events": poc.events.select_related("actor"),
        "linked_tasks": poc.tasks.visible_to(user).select_related("project"),
        "adopted_by": list(poc.adopted_by.all()),
        "stages": [(stage, Stage(stage).label) for stage in FORWARD],
        "stage_index": services.stage_index(poc.stage),
        "next_stage": next_stage,
        "next_label": Stage(next_stage).label if next_stage else "",
        "missing": services.gate_errors(poc, next_stage) if next_stage and can_edit else [],
    }
    if can_edit and not poc.is_closed:
        context["advance_form"] = forms.get("advance_form") or library_links.advance_form(
            user=user, initial={"to_stage": next_stage}
        )
        context["drop_form"] = forms.get("drop_form") or DropForm()
        if poc.stage == Stage.RUNNING:
            context["decision_form"] = forms.get("decision_form") or DecisionForm()
    context.update(library_links.context_for(poc, user))
    return context


@login_required
@require_safe
def poc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poc = access.get_poc_for_user(request.user, pk)
    return render(request, "pipeline/poc.html", _poc_context(request, poc))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    poc = access.get_poc_for_user(request.user, pk)
    access.check_can_edit(request.user, poc)
    if request.method == "POST":
        form = PoCForm(request.POST, user=request.user, poc=poc)
        if form.is_valid():
            tasks = form.cleaned_data["tasks"] if poc.project_id else None
            try:
                services.do_update_poc(
                    request.user,
                    poc,
                    criteria=form.criteria(),
                    tasks=tasks,
                    **form.fields_for_service(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("PoC saved."))
                return redirect(poc)
    else:
        form = PoCForm(user=request.user, poc=poc, initial=PoCForm.initial_for(poc))
    status = 400 if form.is_bound else 200
    return render(request, "pipeline/edit.html", {"poc": poc, "form": form}, status=status)


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    poc = access.get_poc_for_user(request.user, pk)
    access.check_can_edit(request.user, poc)
    form = library_links.advance_form(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_advance(
                request.user,
                poc,
                data["to_stage"],
                runbook=data.get("runbook"),
                project_template=data.get("project_template"),
                page_template=data.get("page_template"),
                adopted_by=data["adopted_by"] if data["to_stage"] == Stage.ROLLED_OUT else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The PoC is now %(stage)s.") % {"stage": poc.get_stage_display()}
            )
            return redirect(poc)
    poc.refresh_from_db()
    context = _poc_context(request, poc, advance_form=form)
    return render(request, "pipeline/poc.html", context, status=400)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    poc = access.get_poc_for_user(request.user, pk)
    access.check_can_edit(request.user, poc)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.do_decide(request.user, poc, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(poc)
    poc.refresh_from_db()
    return render(
        request, "pipeline/poc.html", _poc_context(request, poc, decision_form=form), status=400
    )


@login_required
@require_POST
def drop(request: HttpRequest, pk: int) -> HttpResponse:
    poc = access.get_poc_for_user(request.user, pk)
    access.check_can_edit(request.user, poc)
    form = DropForm(request.POST)
    if form.is_valid():
        try:
            services.do_drop(request.user, poc, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("PoC dropped."))
            return redirect(poc)
    poc.refresh_from_db()
    return render(
        request, "pipeline/poc.html", _poc_context(request, poc, drop_form=form), status=400
    )


@login_required
@require_POST
def from_proposal(request: HttpRequest, proposal_pk: int) -> HttpResponse:
    from workmate.voice.services import get_proposal_for_user

    proposal = get_proposal_for_user(request.user, proposal_pk)
    _check_division(request.user)
    access.check_can_start(request.user)
    try:
        poc = services.do_turn_proposal_into_poc(request.user, proposal)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("voice:proposal", pk=proposal.pk)
    messages.success(request, _("PoC started from the proposal. Write its hypothesis next."))
    return redirect(poc)


def proposal_panel(request: HttpRequest, proposal) -> str:
    """The proposal page's part: the PoC made of it and its stage, or "Turn into PoC"."""
    poc = PoC.objects.filter(proposal_id=proposal.pk).only("pk", "title", "stage").first()
    if poc is None and not access.can_start(request.user):
        return ""
    return render_to_string(
        "pipeline/partials/_proposal_panel.html",
        {"poc": poc, "proposal": proposal},
        request=request,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contracts(request: HttpRequest) -> HttpResponse:
    _check_division(request.user)
    can_start = access.can_start(request.user)
    form = ContractForm(request.POST or None) if can_start else None
    if request.method == "POST":
        access.check_can_start(request.user)
        assert form is not None
        if form.is_valid():
            try:
                contract = services.do_record_contract(request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Contract recorded; its review is a PoC idea now."),
                )
                return redirect(contract.poc)
    listing = VendorContract.objects.select_related("recorded_by", "poc").order_by(
        "-contracted_on", "-pk"
    )[:100]
    status = 400 if form is not None and form.is_bound else 200
    return render(
        request,
        "pipeline/contracts.html",
        {"contracts": listing, "form": form},
        status=status,
    )


@login_required
@require_safe
def division(request: HttpRequest) -> HttpResponse:
    _check_division(request.user)
    context = {"teams": overview.division_overview(request.user, timezone.now())}
    return render(request, "pipeline/division.html", context)


@login_required
@require_safe
def page_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A page template's adoption: by team, over time, older versions, outside reuse."""
    from workmate.library.models import PageTemplate

    _check_division(request.user)
    found = PageTemplate.objects.visible_to(request.user).select_related("owner").filter(pk=pk)
    template = found.first()
    if template is None:
        raise Http404("No such template.")
    context = {
        "template": template,
        "adoption": library_links.page_template_adoption(template, request.user),
    }
    return render(request, "pipeline/page_template.html", context)
