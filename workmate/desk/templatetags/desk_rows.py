"""Ticket rows written in Python: the same bytes `_ticket_rows.html` rendered per row.

A queue page renders 30 rows; through the template a row cost ~0.35 ms (the `_sla.html`
include, ~30 variable lookups that each try `obj[key]` before `getattr`, three
`{% blocktranslate %}`, the `when` filter's thread-local look-ups). Here the labels, the
zone, the language and the ticket URL's shape are read once a page (`work_rows.RowText`)
and database text is escaped once with `html.escape` (what `conditional_escape` gives a
`str`). `test_desk_rows.py` compares the output with the old template's in both languages.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_noop

from workmate.desk.models import Status, Ticket
from workmate.desk.queue_rows import QueueRow
from workmate.work.templatetags.work_rows import RowText

register = template.Library()

_LABELS = {
    "unknown": gettext_noop("unknown"),
    "unassigned": gettext_noop("Unassigned"),
    "escalated": gettext_noop("Escalated"),
    "no_sla": gettext_noop("no SLA"),
    "select": gettext_noop("Select #%(number)s"),
    "escalated_to": gettext_noop("Escalated (%(level)s) · %(name)s"),
}
_STATUSES = dict(Status.choices)


class TicketRowText(RowText):
    """RowText with the desk rows' labels and statuses (one per page)."""

    labels = _LABELS
    statuses = _STATUSES

    def __init__(self) -> None:
        super().__init__()
        self._clock_labels: dict[tuple[str, str], str] = {}

    def clock_label(self, clock: Any) -> str:
        """`clock.label`, translated once a page for each state and target."""
        key = (clock.state, clock.target)
        label = self._clock_labels.get(key)
        if label is None:
            label = self._clock_labels[key] = clock.label
        return label


def _e(value: Any) -> str:
    """`conditional_escape`, with a plain `str` escaped directly (most of a row's values)."""
    if type(value) is str:
        return html.escape(value)
    return str(conditional_escape(value))


def ticket_row(text: TicketRowText, row: QueueRow, pick: bool, with_customer: bool) -> str:
    """One `<tr>` of a queue-style table (the row carries its `clock`)."""
    pk = int(row.pk)
    clock = row.clock
    escalated = " ticket-row-escalated" if row.escalated_to_id else ""
    out = [
        f'\n  <tr id="ticket-row-{pk}" class="list-row ticket-row sla-row-{_e(clock.state)}'
        f'{escalated}" data-ticket="{pk}">\n    '
    ]
    if pick:
        select = text.label("select") % {"number": pk}
        out.append(
            f'<td class="pick"><input type="checkbox" name="tickets" value="{pk}" '
            f'form="bulk-form" aria-label="{select}"></td>'
        )
    tags = "".join(f' <span class="tag">{_e(tag)}</span>' for tag in row.tags)
    requester = row.requester_name
    out.append(
        f'\n    <td class="row-title"><a href="{text.url("desk:ticket", pk)}">#{pk} '
        f"{html.escape(row.subject)}</a>{tags}"
    )
    if not with_customer and requester is not None:
        out.append(f'<br><span class="muted">{_e(requester)}</span>')
    out.append("</td>\n    ")
    if with_customer:
        out.append("<td>")
        if row.customer_id:
            out.append(html.escape(row.customer_name or ""))
        else:
            sender = _e(row.from_email) if row.from_email else text.label("unknown")
            out.append(f'<span class="muted">{sender}</span>')
        if requester is not None:
            out.append(f'<br><span class="muted">{_e(requester)}</span>')
        out.append("</td>")
    priority = int(row.priority)
    out.append(
        f'\n    <td><span class="priority priority-{priority}">P{priority}</span></td>\n'
        f'    <td><span class="ticket-status ticket-status-{_e(row.status)}">'
        f"{text.status(row.status)}</span></td>\n    <td>"
    )
    if row.assignee_id:
        out.append(html.escape(row.assignee_name or ""))
    else:
        out.append(f'<span class="muted">{text.label("unassigned")}</span>')
    if row.escalated_to_id:
        badge = text.label("escalated_to") % {
            "level": row.escalation_level,
            "name": html.escape(row.escalated_to_name or ""),
        }
        out.append(
            f'<br><span class="escalated-badge" title="{text.label("escalated")}">{badge}</span>'
        )
    due = text.when(clock.due) if clock.due is not None else ""
    out.append(f"</td>\n    <td>{html.escape(due) if due else '—'}</td>\n    <td>")
    # `_sla.html` was included: its file's last newline is part of the cell.
    out.append(sla_badge(text, clock))
    out.append("\n</td>\n  </tr>\n  ")
    return "".join(out)


def sla_badge(text: TicketRowText, clock: Any) -> str:
    """`_sla.html` for one clock."""
    out = [f'<span class="sla sla-{_e(clock.state)}" data-sla-target="{_e(clock.target)}">']
    label = text.clock_label(clock)
    if label:
        out.append(f'<span class="sla-badge">{_e(label)}</span> ')
    time_text = clock.time_text
    if time_text and clock.state != "met":
        out.append(f'<span class="sla-left">{_e(time_text)}</span>')
    elif clock.state == "none":
        out.append(f'<span class="muted">{text.label("no_sla")}</span>')
    out.append("</span>")
    return "".join(out)


@register.simple_tag
def ticket_rows(
    tickets: Iterable[Ticket | QueueRow], pick: bool = False, with_customer: bool = False
) -> SafeString:
    """The rows of `_ticket_rows.html` (see the module's docstring): a queue's rows as read
    (`queue_rows`), or tickets with their clocks (the customer page)."""
    text = TicketRowText()
    rows = (
        ticket if isinstance(ticket, QueueRow) else QueueRow.from_ticket(ticket)
        for ticket in tickets
    )
    return mark_safe("".join(ticket_row(text, row, pick, with_customer) for row in rows))
