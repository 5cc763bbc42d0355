"""The automation API: rules (list, read, write, switch, delete, try), their runs, events.

Routes go through the same access helpers and services as the pages (`services`,
`engine.dry_run`); errors are raised and come out as JSON (workmate/api.py). A rule's
actions are `{"type": <action key>, "params": {...}}` with the params each action's form
takes (GET /automation/actions lists them); conditions are `{"all": [...], "any": [...]}`
of `{"field", "op", "value"}`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from workmate.accounts.models import Team
from workmate.automation import engine, services
from workmate.automation.actions import ACTIONS
from workmate.automation.events import EVENT_TYPES
from workmate.automation.models import Event, Rule, RuleRun, RunStatus, Scope
from workmate.automation.views import _load_for_user, error_rate
from workmate.lib.apitypes import Id
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, PageParams, UserOut, paginate

router = Router(tags=["automation"])


class AutomationConditionIo(Schema):
    field: str = Field(..., max_length=100)
    op: str = Field(..., max_length=20)
    value: str | list[str] = ""


class AutomationConditionsIo(Schema):
    all: list[AutomationConditionIo] = []
    any: list[AutomationConditionIo] = []


class AutomationActionIo(Schema):
    type: str = Field(..., max_length=64)
    params: dict[str, Any] = {}


class AutomationRuleOut(Schema):
    id: int
    name: str
    owner: UserOut
    scope: Scope
    project_id: int | None
    team_id: int | None
    position: int
    enabled: bool
    object_type: str
    trigger: str
    event_type: str
    deadline: str
    offset_hours: int
    every: str
    weekday: int | None
    at_time: datetime.time | None
    conditions: AutomationConditionsIo
    actions: list[AutomationActionIo]
    run_on_rule_events: bool
    max_runs_per_hour: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AutomationRuleDetail(AutomationRuleOut):
    error_count: int = Field(..., description="Failed or stopped runs among the last counted.")
    counted_runs: int = Field(..., description="The latest runs that acted (at most 100).")

    @staticmethod
    def resolve_error_count(rule: Rule) -> int:
        return error_rate(rule)[0]

    @staticmethod
    def resolve_counted_runs(rule: Rule) -> int:
        return error_rate(rule)[1]


class AutomationRuleIn(Schema):
    name: str = Field(..., max_length=200)
    scope: Scope
    project_id: Id | None = Field(None, description="For scope project.")
    team_id: Id | None = Field(None, description="For scope team (a desk team).")
    trigger: Literal["event", "time", "schedule"]
    event_type: str = Field("", description="For trigger event: GET /automation/event-types.")
    deadline: Literal["", "due", "reply_by", "sla"] = ""
    offset_hours: int = Field(0, ge=-2000, le=2000, description="Negative: before.")
    every: Literal["", "day", "week"] = ""
    weekday: int | None = Field(None, ge=0, le=6, description="0 = Monday.")
    at_time: datetime.time | None = None
    object_type: Literal["task", "ticket", "request"] = Field(
        "task", description="For schedules; events and deadlines imply it."
    )
    conditions: AutomationConditionsIo = AutomationConditionsIo()
    actions: list[AutomationActionIo]
    enabled: bool = True
    run_on_rule_events: bool = False
    max_runs_per_hour: int = Field(100, ge=1, le=10000)


class RuleRunOut(Schema):
    id: int
    rule_id: int
    rule_version: int
    event_id: int | None
    object_type: str
    object_id: int
    status: RunStatus
    conditions_result: dict[str, Any]
    actions_result: list[dict[str, Any]]
    depth: int
    ran_at: datetime.datetime
    duration_ms: int


class RuleRunPage(Schema):
    items: list[RuleRunOut]
    next_cursor: str | None


class AutomationEventOut(Schema):
    id: int
    type: str
    occurred_at: datetime.datetime
    actor_id: int | None
    object_type: str
    object_id: int
    project_id: int | None
    team_id: int | None
    payload: dict[str, Any]
    cause_run_id: int | None
    depth: int


class AutomationEventPage(Schema):
    items: list[AutomationEventOut]
    next_cursor: str | None


class EventTypeOut(Schema):
    key: str
    label: str
    object_type: str


class ActionTypeOut(Schema):
    key: str
    label: str
    object_types: list[str]
    params: list[str]


class DryRunIn(Schema):
    object_id: Id = Field(..., description="The task, ticket or request to try the rule on.")


class DryRunActionOut(Schema):
    type: str
    text: str


class DryRunOut(Schema):
    matched: bool
    in_scope: bool
    conditions: dict[str, Any]
    actions: list[DryRunActionOut]


class RunFilters(PageParams):
    status: RunStatus | None = None


class EventFilters(PageParams):
    type: str | None = Field(None, max_length=64, description="A dotted event type.")


def _data(user: Any, data: AutomationRuleIn) -> dict[str, Any]:
    from workmate.work.models import Project

    values = data.model_dump()
    project = None
    if data.scope == Scope.PROJECT and data.project_id is not None:
        project = Project.objects.visible_to(user).filter(pk=data.project_id).first()
        if project is None:
            raise ValidationError({"project_id": _("No such project.")})
    team = None
    if data.scope == Scope.TEAM and data.team_id is not None:
        team = Team.objects.filter(pk=data.team_id).first()
        if team is None:
            raise ValidationError({"team_id": _("No such team.")})
    values.update(project=project, team=team)
    return values


@router.get("/rules", response={200: list[AutomationRuleOut], **READ_ERRORS}, summary="List rules")
def list_rules(request: HttpRequest) -> list[Rule]:
    """The rules you own or administer the scope of, in their order."""
    return list(services.rules_visible_to(request.auth).order_by("position", "pk"))


@router.post(
    "/rules", response={201: AutomationRuleDetail, **WRITE_ERRORS}, summary="Create a rule"
)
def create_rule(request: HttpRequest, data: AutomationRuleIn) -> Status:
    """Write a rule where you may (project admins, desk team leads, executives for the org)."""
    rule = services.do_create_rule(request.auth, _data(request.auth, data))
    return Status(201, services.get_rule_for_user(request.auth, rule.pk))


@router.get(
    "/rules/{rule_id}", response={200: AutomationRuleDetail, **READ_ERRORS}, summary="Get a rule"
)
def get_rule(request: HttpRequest, rule_id: Id) -> Rule:
    return services.get_rule_for_user(request.auth, rule_id)


@router.put(
    "/rules/{rule_id}",
    response={200: AutomationRuleDetail, **WRITE_ERRORS},
    summary="Replace a rule",
)
def update_rule(request: HttpRequest, rule_id: Id, data: AutomationRuleIn) -> Rule:
    """Replace the rule's definition; a changed definition is a new version."""
    rule = services.get_rule_for_user(request.auth, rule_id)
    services.check_can_edit_rule(request.auth, rule)
    services.do_update_rule(request.auth, rule, _data(request.auth, data))
    return services.get_rule_for_user(request.auth, rule_id)


@router.delete("/rules/{rule_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: Id) -> Status:
    rule = services.get_rule_for_user(request.auth, rule_id)
    services.do_delete_rule(request.auth, rule)
    return Status(204, None)


@router.get(
    "/rules/{rule_id}/runs",
    response={200: RuleRunPage, **READ_ERRORS},
    summary="List a rule's runs",
)
def list_runs(request: HttpRequest, rule_id: Id, filters: Query[RunFilters]) -> dict[str, Any]:
    """The run log, newest first: conditions result and each action's outcome or error."""
    rule = services.get_rule_for_user(request.auth, rule_id)
    runs = RuleRun.objects.filter(rule=rule)
    if filters.status:
        runs = runs.filter(status=filters.status)
    return paginate(runs, cursor=filters.cursor, limit=filters.limit, keys=("-id",))


@router.post(
    "/rules/{rule_id}/try", response={200: DryRunOut, **WRITE_ERRORS}, summary="Try a rule"
)
def try_rule(request: HttpRequest, rule_id: Id, data: DryRunIn) -> dict[str, Any]:
    """What the rule would do to one of your objects now; nothing changes."""
    from workmate.automation.views import in_scope

    rule = services.get_rule_for_user(request.auth, rule_id)
    obj = _load_for_user(request.auth, rule.object_type, data.object_id)
    result = engine.dry_run(rule, obj, rule.object_type)
    return {
        "matched": result.matched,
        "in_scope": in_scope(rule, obj),
        "conditions": result.conditions,
        "actions": [{"type": a["type"], "text": a["text"]} for a in result.actions],
    }


@router.get("/events", response={200: AutomationEventPage, **READ_ERRORS}, summary="List events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """Events about what you can see, newest first (executives: all)."""
    events = Event.objects.visible_to(request.auth)
    if filters.type:
        events = events.filter(type=filters.type)
    return paginate(events, cursor=filters.cursor, limit=filters.limit, keys=("-id",))


@router.get(
    "/event-types", response={200: list[EventTypeOut], **READ_ERRORS}, summary="List event types"
)
def list_event_types(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"key": t.key, "label": str(t.label), "object_type": t.object_type}
        for t in EVENT_TYPES.values()
    ]


@router.get(
    "/actions", response={200: list[ActionTypeOut], **READ_ERRORS}, summary="List action types"
)
def list_actions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": a.key,
            "label": str(a.label),
            "object_types": list(a.object_types),
            "params": list(a.form.base_fields),
        }
        for a in ACTIONS.values()
    ]
