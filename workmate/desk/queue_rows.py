"""A queue's rows read as tuples: what a row shows and its SLA clock needs, no model instances.

Reading 31 tickets with `select_related` of customer, requester, assignee, escalated-to
and policy made ~190 model instances a page (~2.5 ms of CPU at 200,000 tickets, more than
the SQL). `read_rows` takes the same queryset (same filters, joins and order: the plans do
not change) as `values_list` of the columns below, and each tuple becomes a `QueueRow`.

The SLA clock is computed from the row by `Ticket`'s own methods (`sla_target`,
`sla_due`, `sla_state`, `is_paused`), borrowed, not copied: one rule for the ticket page
and the queues. A row has only the columns listed (`__slots__`), so a rule that comes to
read another column fails loudly (AttributeError) rather than reading something stale.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet

from workmate.desk.models import Ticket


class RowPolicy(NamedTuple):
    """What `agent.attach_clocks` and `sla.support_calendar` read of a row's policy."""

    around_the_clock: bool


_POLICIES = {True: RowPolicy(True), False: RowPolicy(False)}

# The row's own attributes, in `values_list` order, and the columns they are read from.
_COLUMNS = {
    "pk": "pk",
    "subject": "subject",
    "tags": "tags",
    "from_email": "from_email",
    "priority": "priority",
    "status": "status",
    "escalation_level": "escalation_level",
    "customer_id": "customer_id",
    "customer_name": "customer__name",
    "requester_id": "requester_id",
    "requester_full_name": "requester__full_name",
    "requester_email": "requester__email",
    "assignee_id": "assignee_id",
    "assignee_name": "assignee__full_name",
    "escalated_to_id": "escalated_to_id",
    "escalated_to_name": "escalated_to__full_name",
    # The SLA clock's inputs (Ticket.sla_target / sla_due / sla_state).
    "sla_policy_id": "sla_policy_id",
    "around_the_clock": "sla_policy__around_the_clock",
    "first_response_due": "first_response_due",
    "first_response_risk_at": "first_response_risk_at",
    "first_responded_at": "first_responded_at",
    "resolution_due": "resolution_due",
    "resolution_risk_at": "resolution_risk_at",
    "paused_since": "paused_since",
    "solved_at": "solved_at",
}
COLUMNS = tuple(_COLUMNS.values())


class QueueRow:
    """One ticket of a queue page: its columns, `sla_policy` and the `clock` set later."""

    __slots__ = (*_COLUMNS, "sla_policy", "clock")

    pk: int
    subject: str
    tags: list[str]
    from_email: str
    priority: int
    status: str
    escalation_level: str
    customer_id: int | None
    customer_name: str | None
    requester_id: int | None
    requester_full_name: str | None
    requester_email: str | None
    assignee_id: int | None
    assignee_name: str | None
    escalated_to_id: int | None
    escalated_to_name: str | None
    sla_policy_id: int | None
    around_the_clock: bool | None
    first_response_due: datetime.datetime | None
    first_response_risk_at: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolution_risk_at: datetime.datetime | None
    paused_since: datetime.datetime | None
    solved_at: datetime.datetime | None
    sla_policy: RowPolicy | None
    clock: Any

    # The ticket's rules, read from the row's columns.
    is_paused = Ticket.is_paused
    sla_target = Ticket.sla_target
    sla_due = Ticket.sla_due
    sla_state = Ticket.sla_state

    def __init__(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(_COLUMNS, values, strict=True):
            setattr(self, name, value)
        self.sla_policy = (
            None if self.sla_policy_id is None else _POLICIES[bool(self.around_the_clock)]
        )

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> QueueRow:
        """The row of a ticket already read (the customer page), with its `clock`."""
        row = cls.__new__(cls)
        for name, column in _COLUMNS.items():
            value: Any = ticket
            for part in column.split("__"):
                value = None if value is None else getattr(value, part)
            setattr(row, name, value)
        row.sla_policy = ticket.sla_policy
        row.clock = ticket.clock  # type: ignore[attr-defined]
        return row

    @property
    def requester_name(self) -> str | None:
        """`ticket.requester.display_name` (None without a requester)."""
        if self.requester_id is None:
            return None
        return self.requester_full_name or self.requester_email


def rows_of(values: Iterable[tuple[Any, ...]]) -> list[QueueRow]:
    return [QueueRow(row) for row in values]


def values(tickets: QuerySet[Ticket]) -> QuerySet[Any]:
    """The queue's tickets as tuples of `COLUMNS` (filters, joins and order kept)."""
    return tickets.values_list(*COLUMNS)
