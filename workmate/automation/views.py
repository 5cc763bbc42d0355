"""Automation's pages: the rules, one rule with its runs and a dry run, the editor, events.

Each change goes through one function of `services`; the editor's form lives in forms.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.automation import engine, services
from workmate.automation.events import EVENT_TYPES
from workmate.automation.forms import (
    EventFilterForm,
    RuleForm,
    TryForm,
    action_blocks,
    actions_from,
    condition_rows,
    conditions_from,
    initial_for,
    initial_from_post,
)
from workmate.automation.models import Event, Rule, RuleRun, RunStatus, Scope
from workmate.work.forms import add_service_errors

RUNS_SHOWN = 50
EVENTS_SHOWN = 100
# The error rate is over this many latest runs that did something.
RATE_OVER = 100


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    rules = list(
        services.rules_visible_to(request.user)
        .annotate(
            run_count=Count("runs", filter=~Q(runs__status=RunStatus.NO_MATCH)),
            error_count=Count(
                "runs", filter=Q(runs__status__in=[RunStatus.FAILED, RunStatus.LOOP])
            ),
        )
        .order_by("position", "pk")
    )
    scopes = services.scopes_for(request.user)
    may_write = scopes["org"] or scopes["projects"].exists() or scopes["teams"].exists()
    return render(request, "automation/home.html", {"rules": rules, "may_write": may_write})


def error_rate(rule: Rule) -> tuple[int, int]:
    """(errors, runs) over the rule's latest runs that did or tried something."""
    latest = list(
        rule.runs.exclude(status=RunStatus.NO_MATCH)
        .order_by("-ran_at", "-pk")
        .values_list("status", flat=True)[:RATE_OVER]
    )
    errors = sum(1 for status in latest if status in (RunStatus.FAILED, RunStatus.LOOP))
    return errors, len(latest)


def _load_for_user(user: Any, object_type: str, pk: int) -> Any:
    """The object to try a rule on, as the viewer may see it (404 otherwise)."""
    from workmate.work.models import Task, WorkRequest
    from workmate.work.services import get_task_for_user

    if object_type == "task":
        return get_task_for_user(user, pk)
    if object_type == "ticket":
        from workmate.desk.services import get_ticket_for_agent

        try:
            return get_ticket_for_agent(user, pk)
        except PermissionDenied as error:
            raise Http404("No such ticket.") from error
    found = (
        WorkRequest.objects.select_related("task__project", "requester", "assignee")
        .filter(pk=pk, task__in=Task.objects.visible_to(user))
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    return found


def in_scope(rule: Rule, obj: Any) -> bool:
    if rule.scope == Scope.PROJECT:
        project_id = obj.task.project_id if rule.object_type == "request" else obj.project_id
        return project_id == rule.project_id
    if rule.scope == Scope.TEAM:
        return obj.team_id == rule.team_id
    return True


@login_required
@require_safe
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = services.get_rule_for_user(request.user, pk)
    runs = list(rule.runs.select_related("event").order_by("-ran_at", "-pk")[:RUNS_SHOWN])
    errors, counted = error_rate(rule)
    try_form = TryForm(request.GET or None)
    trial = None
    trial_object = None
    if try_form.is_bound and try_form.is_valid():
        try:
            trial_object = _load_for_user(
                request.user, rule.object_type, try_form.cleaned_data["number"]
            )
        except Http404:
            try_form.add_error(
                "number",
                _("There is no such %(kind)s you can see.")
                % {"kind": rule.get_object_type_display().lower()},
            )
        else:
            trial = engine.dry_run(rule, trial_object, rule.object_type)
    context = {
        "rule": rule,
        "runs": runs,
        "errors": errors,
        "counted": counted,
        "error_percent": round(100 * errors / counted) if counted else 0,
        "may_edit": services.can_edit_rule(request.user, rule),
        "event_label": EVENT_TYPES[rule.event_type].label if rule.event_type in EVENT_TYPES else "",
        "try_form": try_form,
        "trial": trial,
        "trial_object": trial_object,
        "trial_in_scope": trial_object is not None and in_scope(rule, trial_object),
    }
    if request.htmx and try_form.is_bound:
        return render(request, "automation/partials/_trial.html", context)
    return render(request, "automation/rule.html", context)


def _editor(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    user = request.user
    posted = request.method == "POST"
    refresh = posted and "refresh" in request.POST
    if refresh:
        form = RuleForm(user=user)
        form.initial = initial_from_post(form, request.POST)
    elif posted:
        form = RuleForm(request.POST, user=user)
    else:
        form = RuleForm(initial=initial_for(rule) if rule else {"enabled": True}, user=user)
    if not form.fields["scope"].choices:
        raise PermissionDenied(_("You may not write rules anywhere."))
    object_type = form.object_type_now()
    scope = form.rule_scope()
    blocks, action_choices = action_blocks(
        object_type,
        scope,
        user,
        request.POST if posted else None,
        rule.actions if rule else None,
        bind=not refresh,
    )
    rows = condition_rows(
        object_type, request.POST if posted else None, rule.conditions if rule else None
    )
    if posted and not refresh and form.is_valid():
        data = form.to_data()
        data["conditions"] = conditions_from(request.POST)
        data["actions"] = actions_from(blocks)
        try:
            if rule is None:
                saved = services.do_create_rule(user, data)
            else:
                saved = services.do_update_rule(user, rule, data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("automation:rule", pk=saved.pk)
    status = 400 if posted and not refresh and form.errors else 200
    return render(
        request,
        "automation/edit.html",
        {
            "form": form,
            "rule": rule,
            "object_type": object_type,
            "blocks": blocks,
            "action_choices": action_choices,
            "conditions": rows,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = services.get_rule_for_user(request.user, pk)
    services.check_can_edit_rule(request.user, rule)
    return _editor(request, rule)


@login_required
@require_POST
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = services.get_rule_for_user(request.user, pk)
    services.do_set_enabled(request.user, rule, not rule.enabled)
    messages.success(request, _("Rule switched on.") if rule.enabled else _("Rule switched off."))
    return redirect("automation:rule", pk=rule.pk)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = services.get_rule_for_user(request.user, pk)
    services.do_delete_rule(request.user, rule)
    messages.success(request, _("Rule deleted."))
    return redirect("automation:home")


@login_required
@require_safe
def run_detail(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    rule = services.get_rule_for_user(request.user, pk)
    run = RuleRun.objects.select_related("event").filter(rule=rule, pk=run_pk).first()
    if run is None:
        raise Http404("No such run.")
    return render(request, "automation/run.html", {"rule": rule, "run": run})


@login_required
@require_safe
def events(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    listing = Event.objects.visible_to(request.user).select_related("actor")
    if form.is_valid() and form.cleaned_data.get("type"):
        listing = listing.filter(type=form.cleaned_data["type"])
    rows = list(listing.order_by("-id")[:EVENTS_SHOWN])
    labels = {key: t.label for key, t in EVENT_TYPES.items()}
    for row in rows:
        row.label = labels.get(row.type, row.type)
    template = "automation/partials/_events.html" if request.htmx else "automation/events.html"
    return render(request, template, {"form": form, "events": rows})
