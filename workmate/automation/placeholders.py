"""Placeholders in rule texts: `{{task.title}}` replaced by plain substitution.

Never the template engine: a rule's text is data, and `{{ x|filter }}` or `{% %}` must
not run. Unknown placeholders are left as written so a typo shows in the result.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)+)\s*\}\}")


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def values_for(object_type: str, obj: Any) -> dict[str, str]:
    """The placeholder map for a task, a ticket or a request."""
    values: dict[str, str] = {}
    if object_type == "task":
        values = {
            "task.title": obj.title,
            "task.id": str(obj.pk),
            "task.status": str(obj.get_status_display()),
            "task.assignee": obj.assignee.full_name if obj.assignee_id else "",
            "task.project": obj.project.name,
            "task.url": obj.get_absolute_url(),
        }
    elif object_type == "ticket":
        values = {
            "ticket.number": str(obj.number),
            "ticket.subject": obj.subject,
            "ticket.status": str(obj.get_status_display()),
            "ticket.priority": str(obj.get_priority_display()),
            "ticket.customer": obj.customer.name if obj.customer_id else "",
            "ticket.assignee": obj.assignee.full_name if obj.assignee_id else "",
            "ticket.url": obj.get_absolute_url(),
        }
    elif object_type == "request":
        values = {
            "request.id": str(obj.pk),
            "request.task": obj.task.title,
            "request.requester": obj.requester.full_name,
            "request.assignee": obj.assignee.full_name,
            "task.title": obj.task.title,
            "task.url": obj.task.get_absolute_url(),
        }
    return values
