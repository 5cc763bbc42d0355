"""The ticket timeline's events are told in the reader's language, not the writer's."""

from __future__ import annotations

from django.utils import translation

from workmate.desk import services
from workmate.desk.models import EntryKind, Status, TicketEntry
from workmate.testing.factories import make_ticket


def test_status_and_priority_events_follow_the_reader(client, alice, bob):
    ticket = make_ticket(priority=2)
    with translation.override("en"):
        services.do_change_status(alice, ticket, Status.SOLVED)
        services.do_set_priority(alice, ticket, 1)
    bob.language = "ko"
    bob.save(update_fields=["language"])
    client.force_login(bob)

    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert "해결됨" in page and "P2 · 높음 → P1 · 긴급" in page
    assert "Solved" not in page and "critical" not in page
    # What is stored is the code, whoever wrote it.
    events = TicketEntry.objects.filter(ticket=ticket, kind=EntryKind.EVENT)
    assert {(e.field, e.new_value) for e in events} >= {("status", "solved"), ("priority", "1")}


def test_events_written_before_codes_are_shown_as_written(client, bob):
    ticket = make_ticket()
    TicketEntry.objects.create(
        ticket=ticket, kind=EntryKind.EVENT, field="status", old_value="신규", new_value="해결됨"
    )
    client.force_login(bob)

    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert "신규 → 해결됨" in page
