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


def test_a_note_the_desk_wrote_is_read_in_each_agents_language(client, bob, alice):
    from workmate.desk import mailin
    from workmate.desk.tests.test_mailin import compose

    with translation.override("en"):  # The worker ran in English.
        mailin.ingest(compose(sender="Stranger <who@nowhere.example>"))
    note = TicketEntry.objects.get(kind=EntryKind.NOTE)
    assert note.body == "The sender's domain belongs to no customer."
    bob.language = "ko"
    bob.save(update_fields=["language"])

    client.force_login(bob)
    korean = client.get(f"/desk/tickets/{note.ticket_id}/").content.decode()
    client.force_login(alice)
    english = client.get(f"/desk/tickets/{note.ticket_id}/").content.decode()

    assert "보낸 사람의 도메인은 어느 고객사의 것도 아닙니다." in korean
    assert "belongs to no customer" not in korean
    assert "The sender&#x27;s domain belongs to no customer." in english


def test_a_note_with_parameters_keeps_them_in_every_language(db):
    from django.utils.translation import gettext_noop

    from workmate.desk.notes import SystemNote, stored, told

    with translation.override("en"):
        lines = stored(
            [SystemNote(gettext_noop("Follow-up to closed ticket #%(number)s."), number=7)]
        )
    with translation.override("ko"):
        korean = told(lines)

    assert lines == [{"msgid": "Follow-up to closed ticket #%(number)s.", "params": {"number": 7}}]
    assert "#7" in korean and "Follow-up" not in korean
