"""The check-in pre-fill from the ledger (registered with check-ins in `apps.py`): what the
person's ledger holds since their last check-in beyond the tasks and requests check-ins
list themselves.

A check-in is read by the whole team, so only kinds whose objects the team may see are
offered (tickets: every team member is a support agent; proposals: everyone reads Voice;
glue work: the person's own words). Hidden entries are left out; the person edits the
pre-fill before sending anyway.
"""

from __future__ import annotations

import datetime
from typing import Any

from workmate.levels.models import EntryKind, LedgerEntry
from workmate.levels.services import md_escape

PREFILL_KINDS = (
    EntryKind.TICKET_SOLVED,
    EntryKind.ESCALATION_HANDLED,
    EntryKind.PROPOSAL_ADOPTED,
    EntryKind.PROPOSAL_ANSWERED,
    EntryKind.GLUE,
)
PREFILL_LIMIT = 30


def prefill_lines(response: Any, since: datetime.datetime) -> list[str]:
    entries = (
        LedgerEntry.objects.of(response.person_id)
        .visible()
        .filter(kind__in=PREFILL_KINDS, occurred_at__gte=since)
        .order_by("occurred_at", "id")[:PREFILL_LIMIT]
    )
    lines = []
    for entry in entries:
        url = entry.data.get("url", "") if isinstance(entry.data, dict) else ""
        label = f"[{md_escape(entry.title)}]({url})" if url else md_escape(entry.title)
        lines.append(f"- {md_escape(entry.get_kind_display())}: {label}")
    return lines
