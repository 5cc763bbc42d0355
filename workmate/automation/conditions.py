"""Conditions: ALL and ANY groups of (field, operator, value) over a task, ticket or request.

    {"all": [{"field": "priority", "op": "is", "value": "1"}],
     "any": [{"field": "customer_tier", "op": "is", "value": "gold"}, ...]}

A rule matches when every ALL condition holds and, if there are ANY conditions, at least
one of them does. Values are compared as text (a person is their id, "" is nobody);
`gte`/`lte` compare numbers. Custom task fields are `custom:<field name>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    get: Callable[[Any, Any], Any]  # (object, event) -> a value or a list of values
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    person: bool = False


class Op:
    IS = "is"
    IS_NOT = "is_not"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    EMPTY = "is_empty"
    SET = "is_set"
    GTE = "gte"
    LTE = "lte"


OPERATORS: list[tuple[str, Any]] = [
    (Op.IS, _("is")),
    (Op.IS_NOT, _("is not")),
    (Op.IN, _("is one of")),
    (Op.NOT_IN, _("is none of")),
    (Op.CONTAINS, _("contains")),
    (Op.NOT_CONTAINS, _("does not contain")),
    (Op.EMPTY, _("is empty")),
    (Op.SET, _("is set")),
    (Op.GTE, _("is at least")),
    (Op.LTE, _("is at most")),
]
OPERATOR_KEYS = {key for key, _label in OPERATORS}


def _task_choices():
    from workmate.work.models import TaskStatus

    return list(TaskStatus.choices)


def _task_priorities():
    from workmate.work.models import Priority

    return [(str(value), label) for value, label in Priority.choices]


def _ticket_statuses():
    from workmate.desk.models import Status

    return list(Status.choices)


def _ticket_priorities():
    from workmate.desk.models import Priority

    return [(str(value), label) for value, label in Priority.choices]


def _tiers():
    from workmate.desk.models import ContractTier

    return list(ContractTier.choices)


def _categories():
    from workmate.desk.models import Category

    return list(Category.choices)


def _request_states():
    from workmate.work.models import RequestState

    return list(RequestState.choices)


def _changed(obj: Any, event: Any) -> list[str]:
    return list((event.payload or {}).get("fields", [])) if event is not None else []


def _custom(task: Any, name: str) -> Any:
    for value in task.field_values.select_related("field"):
        if value.field.name == name:
            kind = value.field.kind
            if kind in {"single_select", "multi_select"}:
                return list(value.choices)
            if kind == "number":
                return "" if value.number is None else str(value.number.normalize())
            if kind == "date":
                return value.date.isoformat() if value.date else ""
            if kind == "person":
                return str(value.person_id or "")
            return value.text
    return ""


def _sla_state(ticket: Any, event: Any) -> str:
    return ticket.sla_state()


def _tier(ticket: Any, event: Any) -> str:
    return ticket.customer.tier if ticket.customer_id else ""


FIELDS: dict[str, dict[str, Field]] = {
    "task": {
        f.key: f
        for f in [
            Field("status", _("Status"), lambda o, e: o.status, _task_choices),
            Field("priority", _("Priority"), lambda o, e: str(o.priority), _task_priorities),
            Field("assignee", _("Assignee"), lambda o, e: str(o.assignee_id or ""), person=True),
            Field("tag", _("Tag"), lambda o, e: [t.name for t in o.tags.all()]),
            Field("section", _("Section"), lambda o, e: o.section.name if o.section_id else ""),
            Field("title", _("Title"), lambda o, e: o.title),
            Field("description", _("Description"), lambda o, e: o.description),
            Field("changed", _("Fields changed"), _changed),
        ]
    },
    "ticket": {
        f.key: f
        for f in [
            Field("status", _("Status"), lambda o, e: o.status, _ticket_statuses),
            Field("priority", _("Priority"), lambda o, e: str(o.priority), _ticket_priorities),
            Field("assignee", _("Assignee"), lambda o, e: str(o.assignee_id or ""), person=True),
            Field("customer_tier", _("Customer tier"), _tier, _tiers),
            Field(
                "customer",
                _("Customer"),
                lambda o, e: o.customer.name if o.customer_id else "",
            ),
            Field("category", _("Category"), lambda o, e: o.category, _categories),
            Field("sla_state", _("SLA state"), _sla_state),
            Field("subject", _("Subject"), lambda o, e: o.subject),
            Field("description", _("Description"), lambda o, e: o.description),
        ]
    },
    "request": {
        f.key: f
        for f in [
            Field("state", _("State"), lambda o, e: o.state, _request_states),
            Field("assignee", _("Asked of"), lambda o, e: str(o.assignee_id), person=True),
            Field("requester", _("Asked by"), lambda o, e: str(o.requester_id), person=True),
            Field("message", _("Message"), lambda o, e: o.message),
        ]
    },
}


def field_for(object_type: str, key: str) -> Field | None:
    if object_type == "task" and key.startswith("custom:"):
        name = key.removeprefix("custom:")
        return Field(key, name, lambda o, e: _custom(o, name))
    return FIELDS.get(object_type, {}).get(key)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _holds(op: str, actual: Any, value: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    values = [str(v).casefold() for v in values if v not in (None, "")]
    wanted = [str(v).casefold() for v in (value if isinstance(value, list) else [value])]
    wanted = [w for w in wanted if w != ""] or [""]
    if op == Op.EMPTY:
        return not values
    if op == Op.SET:
        return bool(values)
    if op == Op.IS:
        return (wanted == [""] and not values) or any(w in values for w in wanted[:1])
    if op == Op.IS_NOT:
        return not _holds(Op.IS, actual, value)
    if op == Op.IN:
        return any(w in values for w in wanted) or ("" in wanted and not values)
    if op == Op.NOT_IN:
        return not _holds(Op.IN, actual, value)
    if op == Op.CONTAINS:
        return any(w in v for v in values for w in wanted[:1])
    if op == Op.NOT_CONTAINS:
        return not _holds(Op.CONTAINS, actual, value)
    if op in (Op.GTE, Op.LTE):
        left, right = _number(values[0] if values else None), _number(wanted[0])
        if left is None or right is None:
            return False
        return left >= right if op == Op.GTE else left <= right
    raise ValueError(op)


def clean(object_type: str, conditions: Any) -> dict[str, list[dict[str, Any]]]:
    """Validate a conditions document; raises ValidationError naming what is wrong."""
    if conditions in (None, ""):
        conditions = {}
    if not isinstance(conditions, dict) or set(conditions) - {"all", "any"}:
        raise ValidationError(_("Conditions are an ALL list and an ANY list."))
    cleaned: dict[str, list[dict[str, Any]]] = {"all": [], "any": []}
    for group in ("all", "any"):
        items = conditions.get(group) or []
        if not isinstance(items, list):
            raise ValidationError(_("Conditions are an ALL list and an ANY list."))
        for item in items:
            if not isinstance(item, dict):
                raise ValidationError(_("Each condition has a field, an operator and a value."))
            key, op, value = item.get("field", ""), item.get("op", ""), item.get("value", "")
            if field_for(object_type, str(key)) is None:
                raise ValidationError(
                    _("“%(field)s” is not a field a rule can test here.") % {"field": key}
                )
            if op not in OPERATOR_KEYS:
                raise ValidationError(_("“%(op)s” is not an operator.") % {"op": op})
            if isinstance(value, list):
                value = [str(v)[:200] for v in value][:50]
            else:
                value = str(value)[:500]
            cleaned[group].append({"field": key, "op": op, "value": value})
    return cleaned


def evaluate(
    object_type: str, conditions: dict[str, Any], obj: Any, event: Any = None
) -> tuple[bool, dict[str, Any]]:
    """Whether the object matches, and each condition's result for the run log."""
    report: dict[str, Any] = {"all": [], "any": []}
    for group in ("all", "any"):
        for item in (conditions or {}).get(group, []):
            field = field_for(object_type, item["field"])
            actual = field.get(obj, event) if field else None
            result = field is not None and _holds(item["op"], actual, item.get("value", ""))
            shown = ", ".join(map(str, actual)) if isinstance(actual, list) else str(actual or "")
            report[group].append({**item, "actual": shown[:200], "result": result})
    all_ok = all(c["result"] for c in report["all"])
    any_ok = not report["any"] or any(c["result"] for c in report["any"])
    report["matched"] = all_ok and any_ok
    return report["matched"], report
