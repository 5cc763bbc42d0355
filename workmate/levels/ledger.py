"""Writing the evidence ledger: one function the receivers (and higher apps such as
reviews, for peer feedback) call, inside the transaction of the change that earned the
entry, so a rolled-back change leaves no entry.

Which competency an entry most likely serves is a default per kind (`DEFAULT_COMPETENCY`);
the person may pick another later (`services.do_curate_entry`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from workmate.accounts.models import User
from workmate.levels.models import TITLE_MAX_LENGTH, EntryKind, LedgerEntry

# The competency codes of the seeded ladder (`ladder_seed.py`).
TECHNICAL_DEPTH = "technical_depth"
CUSTOMER_IMPACT = "customer_impact"
DELIVERY = "delivery"
COLLABORATION = "collaboration"
KNOWLEDGE_SHARING = "knowledge_sharing"
OWNERSHIP = "ownership"

DEFAULT_COMPETENCY: dict[str, str] = {
    EntryKind.TASK_COMPLETED: DELIVERY,
    EntryKind.REQUEST_ANSWERED: COLLABORATION,
    EntryKind.TICKET_SOLVED: CUSTOMER_IMPACT,
    EntryKind.TICKET_RATED: CUSTOMER_IMPACT,
    EntryKind.SLA_MET: CUSTOMER_IMPACT,
    EntryKind.SLA_MISSED: CUSTOMER_IMPACT,
    EntryKind.ESCALATION_HANDLED: TECHNICAL_DEPTH,
    EntryKind.PROPOSAL_ADOPTED: OWNERSHIP,
    EntryKind.PROPOSAL_ANSWERED: OWNERSHIP,
    EntryKind.PAGE_VERIFIED: KNOWLEDGE_SHARING,
    EntryKind.RUNBOOK_USED: KNOWLEDGE_SHARING,
    EntryKind.TEMPLATE_USED: KNOWLEDGE_SHARING,
    EntryKind.POC_DECIDED: TECHNICAL_DEPTH,
    EntryKind.CHECKIN_SENT: COLLABORATION,
    EntryKind.PEER_FEEDBACK_GIVEN: COLLABORATION,
    EntryKind.GLUE: COLLABORATION,
    EntryKind.CORRECTION: DELIVERY,
}


def record(
    person: User | None,
    kind: str,
    *,
    title: str,
    obj: models.Model | None = None,
    url: str = "",
    data: dict[str, Any] | None = None,
    dedupe_key: str = "",
    occurred_at: datetime.datetime | None = None,
    corrects: LedgerEntry | None = None,
    competency: str = "",
) -> bool:
    """Write one ledger entry for `person`; whether a row was written.

    `dedupe_key` names the event ("task:12"): a second entry of the same kind with the
    same key for the same person is skipped (a task completed, reopened and completed
    again counts once), by the database's unique constraint (ON CONFLICT DO NOTHING), so
    two transactions racing cannot both write one. `url` is where the entry links to.
    """
    if person is None or kind not in EntryKind.values:
        return False
    details = dict(data or {})
    if url:
        details["url"] = url
    entry = LedgerEntry(
        person=person,
        kind=kind,
        competency=competency or (corrects.competency if corrects else DEFAULT_COMPETENCY[kind]),
        title=" ".join(title.split())[:TITLE_MAX_LENGTH],
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        occurred_at=occurred_at or timezone.now(),
        data=details,
        dedupe_key=dedupe_key,
        corrects=corrects,
    )
    if not dedupe_key:
        entry.save()
        return True
    before = LedgerEntry.objects.filter(person=person, kind=kind, dedupe_key=dedupe_key).exists()
    if before:
        return False
    LedgerEntry.objects.bulk_create([entry], ignore_conflicts=True)
    return True


def entry_for(person: User, kind: str, dedupe_key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(person=person, kind=kind, dedupe_key=dedupe_key).first()
