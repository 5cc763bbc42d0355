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


def test_an_escalation_written_in_english_is_read_in_korean_by_the_le(client, alice, customer_a):
    from workmate.desk import agent
    from workmate.testing.factories import add_member, make_team, make_user

    architect = make_user(full_name="Dana Kim", language="ko")
    add_member(make_team(code="LE", name="LE"), architect)
    customer_a.le_architect = architect
    customer_a.save(update_fields=["le_architect"])
    ticket = make_ticket(customer=customer_a)
    with translation.override("en"):  # An English agent escalates.
        agent.do_escalate(alice, ticket, "le", "Disk layout question")

    note = TicketEntry.objects.get(ticket=ticket, kind=EntryKind.NOTE)
    assert note.system_note == [
        {"msgid": "Escalated to %(name)s (LE, architecture).", "params": {"name": "Dana Kim"}},
        {"text": ""},
        {"text": "Disk layout question"},
    ]
    client.force_login(architect)
    korean = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    client.force_login(alice)
    english = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert "Dana Kim 님(LE, 아키텍처)에게 에스컬레이션했습니다." in korean
    assert "Escalated to Dana Kim" not in korean
    assert "Disk layout question" in korean  # typed text stays as typed
    assert "Escalated to Dana Kim (LE, architecture)." in english


def test_a_suspended_mail_decision_is_read_in_each_agents_language(client, alice, bob, customer_a):
    from workmate.desk import suspended
    from workmate.desk.tests.test_views_suspended import held_mail

    held = held_mail(subject="Backup failed")
    with translation.override("en"):
        ticket = suspended.do_make_ticket(alice, held)
    bob.language = "ko"
    bob.save(update_fields=["language"])

    note = TicketEntry.objects.get(ticket=ticket, kind=EntryKind.NOTE, author=alice)
    assert note.system_note[0]["msgid"] == "Let in from suspended mail (held: %(reason)s)."
    client.force_login(bob)
    korean = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert "보류된 메일에서 받아들였습니다" in korean
    assert "Let in from suspended mail" not in korean


def test_the_acknowledgement_event_is_named_in_the_readers_language(client, bob):
    ticket = make_ticket()
    TicketEntry.objects.create(
        ticket=ticket, kind=EntryKind.EVENT, field="acknowledgement", new_value="kim@hanbit.example"
    )
    bob.language = "ko"
    bob.save(update_fields=["language"])
    client.force_login(bob)

    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert "접수 확인 메일 발송: kim@hanbit.example" in page
    assert "acknowledgement:" not in page
