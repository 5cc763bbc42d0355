from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from workmate.automation.models import Rule, Scope, TriggerKind

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def make_rule(owner: Any, **fields: Any) -> Rule:
    """A rule written straight to the table (the services' checks have their own tests)."""
    values: dict[str, Any] = {
        "name": "A rule",
        "scope": Scope.ORG,
        "trigger": TriggerKind.EVENT,
        "event_type": "task.created",
        "object_type": "task",
        "conditions": {"all": [], "any": []},
        "actions": [],
    }
    values.update(fields)
    return Rule.objects.create(owner=owner, **values)
