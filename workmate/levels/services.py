"""Changing a person's level: the one front door, so every change lands in the history."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import User
from workmate.levels.models import LevelChange, LevelChangeSource, PersonLevel


@transaction.atomic
def do_change_level(
    person: User,
    *,
    track_code: str,
    number: int,
    reason: str,
    source: str = LevelChangeSource.DECISION,
    source_ref: str = "",
    changed_by: User | None = None,
    flavour_code: str | None = None,
    effective_at: datetime.datetime | None = None,
) -> LevelChange:
    """Set `person`'s level and write the change, with its reason and source, to their
    history (never edited afterwards). The flavour stays unless a new one is given."""
    effective_at = effective_at or timezone.now()
    # Two changes at once (a cycle's result and an executive's decision): the lock makes
    # the second read the first's level as the previous one.
    current = PersonLevel.objects.select_for_update().filter(person=person).first()
    flavour = (
        flavour_code if flavour_code is not None else (current.flavour_code if current else "")
    )
    change = LevelChange.objects.create(
        person=person,
        track_code=track_code,
        number=number,
        flavour_code=flavour,
        previous_number=current.number if current else None,
        effective_at=effective_at,
        reason=reason,
        source=source,
        source_ref=source_ref,
        changed_by=changed_by,
    )
    if current is None:
        PersonLevel.objects.create(
            person=person,
            track_code=track_code,
            number=number,
            flavour_code=flavour,
            since=effective_at,
        )
    else:
        current.track_code, current.number = track_code, number
        current.flavour_code, current.since = flavour, effective_at
        current.save(update_fields=["track_code", "number", "flavour_code", "since"])
    return change
