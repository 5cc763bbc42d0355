"""The action registry: what a rule can do ("then ...").

Contract for other apps (e.g. `webhooks` registers "send a webhook" and "post to a chat
channel" in its `AppConfig.ready`):

    from workmate.automation.actions import ActionForm, ActionContext, ActionError, register_action

    class SendWebhookForm(ActionForm):          # the action's parameters
        endpoint = forms.ModelChoiceField(...)   # self.user / self.rule_scope are set

        def to_params(self) -> dict: ...         # optional: JSON-safe params (default:
                                                 # cleaned_data with model instances as pks)

    def run(ctx: ActionContext, params: dict) -> str:
        ...  # write rows in ctx's transaction, enqueue with transaction.on_commit
        return _("Queued for %(url)s") % {...}   # the outcome sentence for the run log

    def describe(ctx: ActionContext, params: dict) -> str:   # the dry run: no writes
        return _("Would send ... to ...")

    register_action("webhook.send", _("Send a webhook"), SendWebhookForm, run, describe,
                    object_types=("task", "ticket", "request"))

- `ActionForm(data, user=..., rule_scope=..., object_type=...)`: `user` is the person
  writing the rule, `rule_scope` a `RuleScope` (scope, project, team), `object_type`
  "task", "ticket" or "request"; a form limits its choices to them.
- `run(ctx, params)` runs as the rule's owner (`ctx.actor`), inside a savepoint of the
  rule run's transaction: raising rolls back only this action and is logged as its error
  (`ActionError(message)`, a ValidationError or a PermissionDenied give their message;
  anything else its class name). Events it causes are recorded with the run as cause.
- `ctx.fill(text)` replaces placeholders (`{{task.title}}`, `{{ticket.number}}`, see
  placeholders.py); `ctx.values` is the placeholder map; `ctx.event` may be None (time
  and schedule triggers); `ctx.obj` is the Task/Ticket/WorkRequest the rule ran on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models

from workmate.automation import placeholders


class ActionError(Exception):
    """An action could not be done; the message goes to the run log."""


@dataclass(frozen=True)
class RuleScope:
    scope: str  # models.Scope
    project: Any = None
    team: Any = None


class ActionForm(forms.Form):
    """The parameters of one action; `user` and `rule_scope` limit its choices."""

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        rule_scope: RuleScope | None = None,
        object_type: str = "task",
        **kw: Any,
    ) -> None:
        self.user = user
        self.rule_scope = rule_scope or RuleScope("org")
        self.object_type = object_type
        super().__init__(*args, **kw)

    def to_params(self) -> dict[str, Any]:
        """JSON-safe parameters: model instances are stored as their pk."""
        params: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, models.Model):
                value = value.pk
            elif isinstance(value, models.QuerySet | list | tuple):
                value = [v.pk if isinstance(v, models.Model) else v for v in value]
            params[name] = value
        return params

    @classmethod
    def initial_from(cls, params: dict[str, Any]) -> dict[str, Any]:
        return dict(params)


@dataclass
class ActionContext:
    rule: Any  # models.Rule
    obj: Any  # the Task, Ticket or WorkRequest
    object_type: str
    event: Any = None  # models.Event or None
    run: Any = None  # models.RuleRun, None in a dry run
    dry_run: bool = False
    values: dict[str, str] = field(default_factory=dict)

    @property
    def actor(self) -> Any:
        """Actions act as the rule's owner: a rule cannot do what its owner may not."""
        return self.rule.owner

    def fill(self, text: str) -> str:
        return placeholders.fill(text, self.values)


@dataclass(frozen=True)
class ActionType:
    key: str
    label: Any
    form: type[ActionForm]
    run: Callable[[ActionContext, dict[str, Any]], str]
    describe: Callable[[ActionContext, dict[str, Any]], str] | None
    object_types: tuple[str, ...]


ACTIONS: dict[str, ActionType] = {}


def register_action(
    key: str,
    label: Any,
    form: type[ActionForm],
    run: Callable[[ActionContext, dict[str, Any]], str],
    describe: Callable[[ActionContext, dict[str, Any]], str] | None = None,
    *,
    object_types: tuple[str, ...] = ("task", "ticket", "request"),
) -> None:
    ACTIONS[key] = ActionType(key, label, form, run, describe, object_types)


def actions_for(object_type: str) -> list[ActionType]:
    return [a for a in ACTIONS.values() if object_type in a.object_types]
