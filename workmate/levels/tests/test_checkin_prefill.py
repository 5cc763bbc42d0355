"""A check-in's "Done" is pre-filled from the ledger as well: tickets solved, escalations,
proposals, glue work since the last check-in (not hidden ones, not older ones)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.checkins.services import initial_answers, prefill_for
from workmate.checkins.tests.conftest import SEOUL, make_checkin, make_response
from workmate.levels.models import EntryKind, LedgerEntry
from workmate.levels.tests.conftest import add_entry

pytestmark = pytest.mark.django_db

LAST_FRIDAY = datetime.date(2025, 11, 21)
FRIDAY = datetime.date(2025, 11, 28)
NOW = datetime.datetime(2025, 11, 28, 16, 30, tzinfo=SEOUL)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def response(team, alice, bob):
    checkin = make_checkin(team, alice)
    make_response(
        checkin, bob, LAST_FRIDAY, answers=["Old", "", ""], submitted_at=at(2025, 11, 21, 17)
    )
    return make_response(checkin, bob, FRIDAY)


@time_machine.travel(NOW, tick=False)
def test_done_adds_ledger_entries_since_the_last_check_in(response, bob):
    add_entry(
        bob,
        EntryKind.TICKET_SOLVED,
        title="#7 VPN down",
        url="/desk/tickets/7/",
        occurred_at=at(2025, 11, 24, 10),
    )
    LedgerEntry.objects.create(
        person=bob,
        kind=EntryKind.GLUE,
        competency="collaboration",
        title="Mentored Dave",
        description="Night on-call",
        occurred_at=at(2025, 11, 25, 10),
    )
    # Before the last check-in: already told.
    add_entry(bob, EntryKind.TICKET_SOLVED, title="#3 Old ticket", occurred_at=at(2025, 11, 20, 10))
    hidden = add_entry(
        bob, EntryKind.ESCALATION_HANDLED, title="#9 Noise", occurred_at=at(2025, 11, 26, 10)
    )
    LedgerEntry.objects.filter(pk=hidden.pk).update(hidden=True)
    # Task completions come from the check-in's own (visibility-checked) list, not twice.
    add_entry(bob, EntryKind.TASK_COMPLETED, title="Private task", occurred_at=at(2025, 11, 26, 11))

    assert prefill_for(response).done == [
        "- Ticket solved: [\\#7 VPN down](/desk/tickets/7/)",
        "- Glue work: Mentored Dave",
    ]
    assert initial_answers(response)[0].startswith("- Ticket solved")


@time_machine.travel(NOW, tick=False)
def test_someone_elses_entries_are_not_offered(response, alice):
    add_entry(alice, EntryKind.TICKET_SOLVED, title="#8 Alice's", occurred_at=at(2025, 11, 24, 10))
    assert prefill_for(response).done == []
