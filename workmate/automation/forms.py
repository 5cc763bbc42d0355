"""The rule editor: the rule's settings, its condition rows and its action blocks.

Works without JavaScript: "Update the form" (name="refresh") re-renders the page with
what was typed so far, e.g. the action settings for a newly chosen action or the fields
of the kind of object a newly chosen event is about; "Save" validates and saves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from workmate.automation import conditions
from workmate.automation.actions import ACTIONS, ActionForm, RuleScope, actions_for
from workmate.automation.events import EVENT_TYPES
from workmate.automation.models import Deadline, Every, ObjectType, Rule, Scope, TriggerKind
from workmate.automation.services import DEADLINE_OBJECT, scopes_for

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
BLANK_CONDITIONS = 2


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(label=_("Applies in"))
    trigger = forms.ChoiceField(label=_("Runs"), choices=TriggerKind.choices)
    event_type = forms.ChoiceField(label=_("When this happens"), required=False)
    deadline = forms.ChoiceField(
        label=_("Deadline"), choices=[("", "—"), *Deadline.choices], required=False
    )
    before_after = forms.ChoiceField(
        label=_("Before or after"),
        choices=[("before", _("before")), ("after", _("after"))],
        required=False,
    )
    hours = forms.IntegerField(
        label=_("Working hours"), min_value=1, max_value=2000, required=False
    )
    every = forms.ChoiceField(label=_("Every"), choices=[("", "—"), *Every.choices], required=False)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=[("", "—"), *WEEKDAYS], coerce=int, required=False
    )
    at_time = forms.TimeField(
        label=_("At"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    object_type = forms.ChoiceField(label=_("Looks at"), choices=ObjectType.choices, required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    run_on_rule_events = forms.BooleanField(
        label=_("Also run on changes made by rules"),
        required=False,
        help_text=_("Off: changes other rules make do not trigger this rule (no loops)."),
    )
    max_runs_per_hour = forms.IntegerField(
        label=_("At most runs an hour"), min_value=1, max_value=10000, initial=100
    )

    def __init__(self, *args: Any, user: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.user = user
        scopes = scopes_for(user)
        choices: list[tuple[str, Any]] = []
        if scopes["org"]:
            choices.append(("org", _("The whole organisation")))
        choices += [
            (f"project:{p.pk}", _("Project: %(name)s") % {"name": p.name})
            for p in scopes["projects"]
        ]
        choices += [
            (f"team:{t.pk}", _("Desk team: %(name)s") % {"name": t.name}) for t in scopes["teams"]
        ]
        self.fields["scope"].choices = choices
        self.scope_objects = {
            **{f"project:{p.pk}": ("project", p, None) for p in scopes["projects"]},
            **{f"team:{t.pk}": ("team", None, t) for t in scopes["teams"]},
            "org": ("org", None, None),
        }
        self.fields["event_type"].choices = [("", "—")] + [
            (t.key, t.label) for t in EVENT_TYPES.values() if t.object_type in ObjectType.values
        ]

    def object_type_now(self) -> str:
        """The kind of object the rule looks at, from what is typed so far."""
        data = self.data if self.is_bound else self.initial
        trigger = data.get("trigger") or TriggerKind.EVENT
        if trigger == TriggerKind.EVENT:
            kind = EVENT_TYPES.get(data.get("event_type") or "")
            return kind.object_type if kind else "task"
        if trigger == TriggerKind.TIME:
            return DEADLINE_OBJECT.get(data.get("deadline") or "", "task")
        value = data.get("object_type") or "task"
        return value if value in ObjectType.values else "task"

    def rule_scope(self) -> RuleScope:
        data = self.data if self.is_bound else self.initial
        scope, project, team = self.scope_objects.get(data.get("scope") or "", ("org", None, None))
        return RuleScope(scope, project, team)

    def to_data(self) -> dict[str, Any]:
        """The service's input (`services.check_rule`) from the cleaned form."""
        data = self.cleaned_data
        scope, project, team = self.scope_objects[data["scope"]]
        hours = data.get("hours") or 0
        return {
            "name": data["name"],
            "scope": scope,
            "project": project,
            "team": team,
            "trigger": data["trigger"],
            "event_type": data.get("event_type") or "",
            "object_type": data.get("object_type") or "task",
            "deadline": data.get("deadline") or "",
            "offset_hours": -hours if data.get("before_after") == "before" else hours,
            "every": data.get("every") or "",
            "weekday": data.get("weekday"),
            "at_time": data.get("at_time"),
            "enabled": data.get("enabled", False),
            "run_on_rule_events": data.get("run_on_rule_events", False),
            "max_runs_per_hour": data.get("max_runs_per_hour") or 100,
        }


def initial_for(rule: Rule) -> dict[str, Any]:
    if rule.scope == Scope.PROJECT:
        scope = f"project:{rule.project_id}"
    elif rule.scope == Scope.TEAM:
        scope = f"team:{rule.team_id}"
    else:
        scope = "org"
    return {
        "name": rule.name,
        "scope": scope,
        "trigger": rule.trigger,
        "event_type": rule.event_type,
        "deadline": rule.deadline,
        "before_after": "before" if rule.offset_hours < 0 else "after",
        "hours": abs(rule.offset_hours) or None,
        "every": rule.every,
        "weekday": rule.weekday,
        "at_time": rule.at_time,
        "object_type": rule.object_type,
        "enabled": rule.enabled,
        "run_on_rule_events": rule.run_on_rule_events,
        "max_runs_per_hour": rule.max_runs_per_hour,
    }


# --- Condition rows ----------------------------------------------------------------------


def condition_rows(object_type: str, source: dict[str, Any] | QueryDict | None, saved: Any):
    """The rows of each group: [(group, [{"prefix", "field", "op", "value"}...])...].

    From the posted data when there is some, else from the saved conditions; two blank
    rows are added to each group.
    """
    groups = []
    fields = [("", "—")] + [(f.key, f.label) for f in conditions.FIELDS[object_type].values()]
    for group in ("all", "any"):
        rows = []
        if source is not None:
            i = 0
            while f"{group}-{i}-field" in source and i < 50:
                rows.append(
                    {
                        "field": source.get(f"{group}-{i}-field", ""),
                        "op": source.get(f"{group}-{i}-op", ""),
                        "value": source.get(f"{group}-{i}-value", ""),
                    }
                )
                i += 1
            rows = [r for r in rows if r["field"]]
        else:
            rows = [dict(r) for r in (saved or {}).get(group, [])]
        for row in rows:
            if isinstance(row.get("value"), list):
                row["value"] = ", ".join(row["value"])
        rows += [{"field": "", "op": "is", "value": ""} for _ in range(BLANK_CONDITIONS)]
        for i, row in enumerate(rows):
            row["prefix"] = f"{group}-{i}"
        groups.append((group, rows))
    return {"groups": groups, "fields": fields, "operators": conditions.OPERATORS}


def conditions_from(source: QueryDict) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {"all": [], "any": []}
    for group in ("all", "any"):
        i = 0
        while f"{group}-{i}-field" in source and i < 50:
            field = source.get(f"{group}-{i}-field", "")
            op = source.get(f"{group}-{i}-op", "")
            value: Any = source.get(f"{group}-{i}-value", "")
            if field:
                if op in (conditions.Op.IN, conditions.Op.NOT_IN):
                    value = [v.strip() for v in value.split(",") if v.strip()]
                result[group].append({"field": field, "op": op, "value": value})
            i += 1
    return result


# --- Action blocks -----------------------------------------------------------------------


class ActionBlock:
    def __init__(self, index: int, key: str, form: ActionForm | None, label: Any) -> None:
        self.index = index
        self.prefix = f"a{index}"
        self.key = key
        self.form = form
        self.label = label


def _typed(form: forms.Form, data: QueryDict) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.MultipleChoiceField):
            typed[name] = data.getlist(key)
        elif isinstance(field, forms.BooleanField):
            typed[name] = key in data
        elif key in data:
            typed[name] = data.get(key)
    return typed


def initial_from_post(form: forms.Form, data: QueryDict) -> dict[str, Any]:
    """A form's initial values from what was posted (the editor's "Update the form")."""
    return _typed(form, data)


def _initial(form_class: type[ActionForm], params: dict[str, Any]) -> dict[str, Any]:
    return form_class.initial_from(params)


def action_blocks(
    object_type: str,
    scope: RuleScope,
    user: Any,
    source: QueryDict | None,
    saved: list[dict[str, Any]] | None,
    *,
    bind: bool = True,
) -> tuple[list[ActionBlock], list[tuple[str, Any]]]:
    """The rule's action blocks (bound to the posted data when there is some) and the
    choices for adding one."""
    available = actions_for(object_type)
    choices = [("", "—")] + [(a.key, a.label) for a in available]
    blocks: list[ActionBlock] = []
    if source is not None:
        i = 0
        while f"a{i}-type" in source and i < 40:
            key = source.get(f"a{i}-type", "")
            if key and not source.get(f"a{i}-remove"):
                kind = ACTIONS.get(key)
                if kind is not None and object_type in kind.object_types:
                    n = len(blocks)
                    # Re-prefix: the posted fields of block i become block n's.
                    data = QueryDict(mutable=True)
                    for name, values in source.lists():
                        if name.startswith(f"a{i}-") and name != f"a{i}-type":
                            data.setlist(f"a{n}-{name.removeprefix(f'a{i}-')}", values)
                    options = {"user": user, "rule_scope": scope, "object_type": object_type}
                    if bind:
                        form = kind.form(data=data, prefix=f"a{n}", **options)
                    else:
                        # "Update the form": show what was typed, without errors yet.
                        form = kind.form(prefix=f"a{n}", **options)
                        form.initial = _typed(form, data)
                    blocks.append(ActionBlock(n, key, form, kind.label))
            i += 1
    else:
        for action in saved or []:
            kind = ACTIONS.get(action.get("type", ""))
            if kind is None or object_type not in kind.object_types:
                continue
            n = len(blocks)
            form = kind.form(
                initial=_initial(kind.form, action.get("params") or {}),
                prefix=f"a{n}",
                user=user,
                rule_scope=scope,
                object_type=object_type,
            )
            blocks.append(ActionBlock(n, kind.key, form, kind.label))
    blocks.append(ActionBlock(len(blocks), "", None, ""))
    return blocks, choices


def actions_from(blocks: list[ActionBlock]) -> list[dict[str, Any]]:
    """The actions as the service takes them (it validates each form again)."""
    result = []
    for block in blocks:
        if block.form is None:
            continue
        # Unprefixed raw values: the service validates them with the action's own form.
        params: dict[str, Any] = {}
        for name, field in block.form.fields.items():
            key = block.form.add_prefix(name)
            if isinstance(field, forms.MultipleChoiceField):
                params[name] = block.form.data.getlist(key)
            elif isinstance(field, forms.BooleanField):
                params[name] = block.form.data.get(key) in ("on", "true", "1", "True")
            else:
                params[name] = block.form.data.get(key, "")
        result.append({"type": block.key, "params": params})
    return result


class TryForm(forms.Form):
    number = forms.IntegerField(label=_("Task, ticket or request number"), min_value=1)


class EventFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Event"), required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["type"].choices = [("", _("All events"))] + [
            (t.key, t.label) for t in EVENT_TYPES.values()
        ]


def time_or_none(value: Any) -> datetime.time | None:
    return value if isinstance(value, datetime.time) else None
