"""Writing rules, and who may see and change them.

- A project's rules: its owner and its team's leads (`work.services.can_manage_project`).
- A desk team's rules: that team's leads.
- The organisation's rules: executives and staff (`User.is_executive`).
A rule's owner always sees it and its runs; changing it needs the scope's rights (an
owner who lost them can still switch it off).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.automation import conditions
from workmate.automation.actions import ACTIONS, RuleScope
from workmate.automation.events import EVENT_TYPES
from workmate.automation.models import (
    Deadline,
    Every,
    ObjectType,
    Rule,
    Scope,
    TriggerKind,
)

DEADLINE_OBJECT = {Deadline.DUE: "task", Deadline.REPLY_BY: "request", Deadline.SLA: "ticket"}
# Which kinds of object a scope holds.
SCOPE_OBJECTS = {
    Scope.PROJECT: {"task", "request"},
    Scope.TEAM: {"ticket"},
    Scope.ORG: {"task", "request", "ticket"},
}
MAX_ACTIONS = 20
MAX_CONDITIONS = 30


def can_manage_scope(user: User, scope: str, project: Any = None, team: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_executive:
        return True
    if scope == Scope.PROJECT and project is not None:
        from workmate.work.services import can_manage_project

        return can_manage_project(user, project)
    if scope == Scope.TEAM and team is not None:
        return Membership.objects.filter(team=team, user=user, role=TeamRole.LEAD).exists()
    return False


def can_edit_rule(user: User, rule: Rule) -> bool:
    return can_manage_scope(user, rule.scope, rule.project, rule.team)


def rules_visible_to(user: User) -> QuerySet[Rule]:
    """Rules a person owns or administers the scope of."""
    rules = Rule.objects.select_related("owner", "project", "team")
    if user.is_executive:
        return rules
    from workmate.work.models import Project

    led = Membership.objects.filter(user=user, role=TeamRole.LEAD).values("team_id")
    managed = Project.objects.filter(Q(owner=user) | Q(team_id__in=led)).values("pk")
    return rules.filter(
        Q(owner=user)
        | Q(scope=Scope.PROJECT, project_id__in=managed)
        | Q(scope=Scope.TEAM, team_id__in=led)
    )


def get_rule_for_user(user: User, pk: int) -> Rule:
    rule = rules_visible_to(user).filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def check_can_edit_rule(user: User, rule: Rule) -> None:
    if not can_edit_rule(user, rule):
        raise PermissionDenied(_("Only the scope's admins may change this rule."))


def scopes_for(user: User) -> dict[str, Any]:
    """The projects and teams whose rules a person may write (and whether the org's)."""
    from workmate.work.models import Project

    if user.is_executive:
        projects = Project.objects.active()
        teams = Team.objects.all()
    else:
        led = Membership.objects.filter(user=user, role=TeamRole.LEAD).values("team_id")
        projects = Project.objects.active().filter(Q(owner=user) | Q(team_id__in=led))
        teams = Team.objects.filter(pk__in=led)
    return {
        "projects": projects.order_by("name", "pk"),
        "teams": teams.order_by("name", "pk"),
        "org": user.is_executive,
    }


def clean_actions(
    actor: User, object_type: str, scope: RuleScope, actions: Any
) -> list[dict[str, Any]]:
    """Validate each action's parameters with its form; ValidationError names the first bad one."""
    if not isinstance(actions, list) or not actions:
        raise ValidationError({"actions": _("Add at least one action.")})
    if len(actions) > MAX_ACTIONS:
        raise ValidationError({"actions": _("A rule has at most 20 actions.")})
    cleaned = []
    for number, action in enumerate(actions, start=1):
        key = action.get("type", "") if isinstance(action, dict) else ""
        kind = ACTIONS.get(key)
        if kind is None or object_type not in kind.object_types:
            raise ValidationError(
                {
                    "actions": _("Action %(n)s: “%(key)s” is not available here.")
                    % {"n": number, "key": key}
                }
            )
        params = action.get("params") or {}
        if not isinstance(params, dict):
            raise ValidationError(
                {"actions": _("Action %(n)s: its settings are missing.") % {"n": number}}
            )
        form = kind.form(data=params, user=actor, rule_scope=scope, object_type=object_type)
        if not form.is_valid():
            problems = "; ".join(
                " ".join(errors)
                if name not in form.fields
                else f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            raise ValidationError(
                {
                    "actions": _("Action %(n)s (%(label)s): %(problems)s")
                    % {"n": number, "label": kind.label, "problems": problems}
                }
            )
        cleaned.append({"type": key, "params": form.to_params()})
    return cleaned


def check_rule(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a rule's definition and the actor's right to its scope; the clean values.

    `data` keys: name, scope, project (Project or None), team (Team or None), trigger,
    event_type, object_type, deadline, offset_hours, every, weekday, at_time, conditions,
    actions, enabled, run_on_rule_events, max_runs_per_hour, position.
    """
    errors: dict[str, str] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = _("Give the rule a name.")
    scope = data.get("scope") or ""
    project, team = data.get("project"), data.get("team")
    if scope not in Scope.values:
        errors["scope"] = _("Choose where the rule applies.")
    elif scope == Scope.PROJECT and project is None:
        errors["project"] = _("Choose the project.")
    elif scope == Scope.TEAM and team is None:
        errors["team"] = _("Choose the desk team.")
    if scope != Scope.PROJECT:
        project = None
    if scope != Scope.TEAM:
        team = None
    trigger = data.get("trigger") or ""
    object_type = data.get("object_type") or ObjectType.TASK
    event_type = ""
    deadline = ""
    every = ""
    if trigger == TriggerKind.EVENT:
        event_type = data.get("event_type") or ""
        kind = EVENT_TYPES.get(event_type)
        if kind is None or kind.object_type not in ObjectType.values:
            errors["event_type"] = _("Choose an event about a task, a ticket or a request.")
        else:
            object_type = kind.object_type
    elif trigger == TriggerKind.TIME:
        deadline = data.get("deadline") or ""
        if deadline not in Deadline.values:
            errors["deadline"] = _("Choose the deadline the rule counts from.")
        else:
            object_type = DEADLINE_OBJECT[deadline]
        offset = data.get("offset_hours")
        if not isinstance(offset, int) or not -2000 <= offset <= 2000 or offset == 0:
            errors["offset_hours"] = _("Give a number of working hours before or after, not 0.")
    elif trigger == TriggerKind.SCHEDULE:
        every = data.get("every") or ""
        if every not in Every.values:
            errors["every"] = _("Choose how often.")
        if not isinstance(data.get("at_time"), datetime.time):
            errors["at_time"] = _("Choose the time of day.")
        if every == Every.WEEK and data.get("weekday") not in range(7):
            errors["weekday"] = _("Choose the weekday.")
        if object_type not in ObjectType.values:
            errors["object_type"] = _("Choose what the rule looks at.")
    else:
        errors["trigger"] = _("Choose when the rule runs.")
    if scope in SCOPE_OBJECTS and object_type not in SCOPE_OBJECTS[scope] and "scope" not in errors:
        errors["scope"] = (
            _("A desk team's rules are about tickets.")
            if scope == Scope.TEAM
            else _("A project's rules are about its tasks and requests.")
        )
    cap = data.get("max_runs_per_hour", 100)
    if not isinstance(cap, int) or not 1 <= cap <= 10000:
        errors["max_runs_per_hour"] = _("Allow between 1 and 10,000 runs an hour.")
    if errors:
        raise ValidationError(errors)
    if not can_manage_scope(actor, scope, project, team):
        raise PermissionDenied(_("You may not write rules there."))
    try:
        cleaned_conditions = conditions.clean(object_type, data.get("conditions") or {})
    except ValidationError as error:
        raise ValidationError({"conditions": error.messages}) from error
    if sum(len(v) for v in cleaned_conditions.values()) > MAX_CONDITIONS:
        raise ValidationError({"conditions": _("A rule has at most 30 conditions.")})
    actions = clean_actions(
        actor, object_type, RuleScope(scope, project, team), data.get("actions")
    )
    return {
        "name": name[:200],
        "scope": scope,
        "project": project,
        "team": team,
        "trigger": trigger,
        "event_type": event_type,
        "object_type": object_type,
        "deadline": deadline,
        "offset_hours": data.get("offset_hours") or 0 if trigger == TriggerKind.TIME else 0,
        "every": every,
        "weekday": data.get("weekday") if every == Every.WEEK else None,
        "at_time": data.get("at_time") if trigger == TriggerKind.SCHEDULE else None,
        "conditions": cleaned_conditions,
        "actions": actions,
        "enabled": bool(data.get("enabled", True)),
        "run_on_rule_events": bool(data.get("run_on_rule_events", False)),
        "max_runs_per_hour": cap,
    }


DEFINITION = (
    "name", "scope", "project", "team", "trigger", "event_type", "object_type", "deadline",
    "offset_hours", "every", "weekday", "at_time", "conditions", "actions",
    "run_on_rule_events", "max_runs_per_hour",
)  # fmt: skip


@transaction.atomic
def do_create_rule(actor: User, data: dict[str, Any]) -> Rule:
    values = check_rule(actor, data)
    last = Rule.objects.aggregate(last=Max("position"))["last"] or 0
    rule = Rule(owner=actor, position=last + 1, **values)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def do_update_rule(actor: User, rule: Rule, data: dict[str, Any]) -> Rule:
    """Change a rule; a change of its definition makes a new version (runs name theirs)."""
    check_can_edit_rule(actor, rule)
    values = check_rule(actor, data)
    # Two admins saving at once must not both make the same version.
    locked = Rule.objects.select_for_update().get(pk=rule.pk)
    changed = any(getattr(locked, f) != values[f] for f in DEFINITION)
    for name, value in values.items():
        setattr(locked, name, value)
    if changed:
        locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def do_set_enabled(actor: User, rule: Rule, enabled: bool) -> Rule:
    """Switch a rule on or off; its owner may always switch it off."""
    if not (not enabled and rule.owner_id == actor.pk):
        check_can_edit_rule(actor, rule)
    rule.enabled = enabled
    rule.save(update_fields=["enabled", "updated_at"])
    return rule


@transaction.atomic
def do_move_rule(actor: User, rule: Rule, position: int) -> Rule:
    check_can_edit_rule(actor, rule)
    if position < 0:
        raise ValidationError({"position": _("The order is a number from 0.")})
    rule.position = position
    rule.save(update_fields=["position", "updated_at"])
    return rule


@transaction.atomic
def do_delete_rule(actor: User, rule: Rule) -> None:
    check_can_edit_rule(actor, rule)
    rule.delete()
