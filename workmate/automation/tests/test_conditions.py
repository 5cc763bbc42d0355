"""Conditions and placeholders, without a database where none is needed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from workmate.automation import conditions
from workmate.automation.placeholders import fill


def ticket(**fields):
    values = {
        "status": "open",
        "priority": 1,
        "assignee_id": None,
        "customer_id": 1,
        "customer": SimpleNamespace(tier="enterprise", name="Hanbit Bank"),
        "category": "incident",
        "subject": "VPN tunnel flaps",
        "description": "",
        "sla_state": lambda: "at_risk",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def check(document, obj):
    return conditions.evaluate("ticket", conditions.clean("ticket", document), obj)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("is", "1", True),
        ("is_not", "1", False),
        ("in", ["2", "1"], True),
        ("not_in", ["2", "3"], True),
        ("gte", "2", False),
        ("lte", "2", True),
        ("is_set", "", True),
        ("is_empty", "", False),
    ],
)
def test_operators_on_priority(op, value, expected):
    matched, _report = check({"all": [{"field": "priority", "op": op, "value": value}]}, ticket())
    assert matched is expected


def test_all_must_hold_and_one_of_any():
    rule = {
        "all": [{"field": "customer_tier", "op": "is", "value": "Enterprise"}],
        "any": [
            {"field": "subject", "op": "contains", "value": "vpn"},
            {"field": "category", "op": "is", "value": "billing"},
        ],
    }
    matched, report = check(rule, ticket())
    assert matched and [c["result"] for c in report["any"]] == [True, False]
    assert not check(rule, ticket(subject="Printer"))[0]
    assert not check(rule, ticket(customer=SimpleNamespace(tier="standard", name="x")))[0]


def test_empty_assignee_is_nobody():
    assert check({"all": [{"field": "assignee", "op": "is", "value": ""}]}, ticket())[0]
    assert not check({"all": [{"field": "assignee", "op": "is_set"}]}, ticket())[0]
    assert check({"all": [{"field": "assignee", "op": "is", "value": "7"}]}, ticket(assignee_id=7))[
        0
    ]


def test_bad_documents_are_refused_with_their_reason():
    with pytest.raises(ValidationError, match="colour"):
        conditions.clean("ticket", {"all": [{"field": "colour", "op": "is", "value": "x"}]})
    with pytest.raises(ValidationError, match="operator"):
        conditions.clean("ticket", {"all": [{"field": "status", "op": "like", "value": "x"}]})
    with pytest.raises(ValidationError):
        conditions.clean("ticket", {"none": []})
    with pytest.raises(ValidationError):
        conditions.clean("task", {"all": ["status"]})
    # A tag is a task's field, not a ticket's.
    with pytest.raises(ValidationError):
        conditions.clean("ticket", {"all": [{"field": "tag", "op": "is", "value": "x"}]})


def test_placeholders_are_plain_substitution():
    values = {"ticket.number": "42", "ticket.subject": "{{ticket.number}} {% debug %}"}
    text = "#{{ticket.number}} {{ ticket.subject }} {{ticket.missing}} {% now 'Y' %} {{x|upper}}"
    # Filled once, left to right: a value that looks like a placeholder stays as it is.
    assert fill(text, values) == (
        "#42 {{ticket.number}} {% debug %} {{ticket.missing}} {% now 'Y' %} {{x|upper}}"
    )
