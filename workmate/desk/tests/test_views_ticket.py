"""The agent ticket page: header, timeline, reply box, inline changes, merge, link, escalate."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import ContractTier, EntryKind, Macro, Status, Ticket
from workmate.desk.tests.helpers import kst, login
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import (
    add_member,
    make_sla_policy,
    make_team,
    make_ticket,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer_a, contact_a, team):
    return make_ticket(
        customer=customer_a, requester=contact_a, subject="VPN tunnel flaps", description="Since 9"
    )


@pytest.fixture
def architect(db):
    le = make_team(code="LE", name="Lead Engineering")
    person = make_user(email="dana@example.com", full_name="Dana Architect")
    add_member(le, person)
    return person


def test_ticket_page_shows_header_and_timeline(client, bob, alice, ticket, architect):
    ticket.customer.le_architect = architect
    ticket.customer.save()
    services.do_reply(alice, ticket, "Secret: rotate the PSK.", internal=True, minutes=5)
    services.do_reply(alice, ticket, "We are looking.", minutes=10, billable=True)
    login(client, bob)
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{ticket.pk} VPN tunnel flaps" in html
    assert "Hanbit Bank" in html
    assert "Jisoo Han" in html
    assert "Dana Architect" in html
    assert 'class="entry entry-note"' in html
    assert 'class="entry entry-reply"' in html
    assert 'class="entry entry-customer"' in html
    assert "Secret: rotate the PSK." in html
    assert "15 min in all, 10 min billable" in html
    assert "Reply to customer" in html and "Internal note" in html
    assert ">Send</button>" in html


def test_outsider_gets_403(client, charlie, ticket):
    login(client, charlie)
    assert client.get(ticket.get_absolute_url()).status_code == 403
    response = client.post(reverse("desk:reply", args=[ticket.pk]), {"kind": "reply", "body": "x"})
    assert response.status_code == 403
    assert ticket.entries.count() == 1


def test_unknown_ticket_is_404(client, bob):
    login(client, bob)
    assert client.get(reverse("desk:ticket", args=[999999])).status_code == 404


def test_wrong_methods_are_405(client, bob, ticket):
    login(client, bob)
    assert client.post(ticket.get_absolute_url()).status_code == 405
    for name in ["reply", "update", "merge", "link", "escalate", "follow", "triage_ticket"]:
        assert client.get(reverse(f"desk:{name}", args=[ticket.pk])).status_code == 405, name


def test_public_reply_with_time_and_pending_pauses_the_clock(client, bob, customer_a, contact_a):
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3)
    with time_machine.travel(kst(2026, 11, 24, 10, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 24, 11, 0), tick=False):
        response = client.post(
            reverse("desk:reply", args=[ticket.pk]),
            {
                "kind": "reply",
                "body": "Please send the logs.",
                "minutes": "15",
                "billable": "on",
                "status": Status.PENDING,
            },
        )
    assert response.status_code == 302
    entry = ticket.entries.get(kind=EntryKind.REPLY)
    assert (entry.author, entry.minutes, entry.billable) == (bob, 15, True)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.paused_since is not None
    assert ticket.first_responded_at is not None
    with time_machine.travel(kst(2026, 11, 24, 12, 0), tick=False):
        html = client.get(ticket.get_absolute_url()).content.decode()
    assert "paused" in html
    assert "Please send the logs." in html


def test_internal_note_does_not_answer_the_customer(client, bob, ticket):
    login(client, bob)
    client.post(
        reverse("desk:reply", args=[ticket.pk]),
        {"kind": "note", "body": "Looks like the ISP.", "minutes": "3"},
    )
    note = ticket.entries.get(kind=EntryKind.NOTE)
    assert note.minutes == 3 and not note.billable
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_bad_reply_shows_errors_and_saves_nothing(client, bob, ticket):
    login(client, bob)
    response = client.post(
        reverse("desk:reply", args=[ticket.pk]), {"kind": "reply", "body": "  ", "minutes": "-5"}
    )
    assert response.status_code == 400
    assert response.context["reply_form"].errors
    assert ticket.entries.count() == 1


def test_inline_update_with_htmx_changes_fields_and_records_events(client, bob, alice, ticket):
    login(client, bob)
    response = client.post(
        reverse("desk:update", args=[ticket.pk]),
        {"priority": "2", "status": Status.OPEN, "assignee": alice.pk, "tags": "VPN, network"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="ticket-header"' in response.content.decode()
    assert "<html" not in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status, ticket.assignee, ticket.tags) == (
        2,
        Status.OPEN,
        alice,
        ["network", "vpn"],
    )
    fields = set(ticket.entries.filter(kind=EntryKind.EVENT).values_list("field", flat=True))
    assert fields == {"priority", "status", "assignee", "tags"}


def test_inline_update_rejects_bad_input(client, bob, ticket):
    login(client, bob)
    response = client.post(
        reverse("desk:update", args=[ticket.pk]), {"priority": "9", "status": "nope"}
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.priority == 3 and ticket.status == Status.NEW


def test_macro_fills_placeholders_without_the_template_engine(client, bob, alice, ticket, team):
    macro = Macro.objects.create(
        name="Logs",
        body="Hi {{ contact_name }}, about #{{ ticket_number }} at {{ customer_name }}: "
        "{% now 'Y' %} {{ secret }} — {{ agent_name }}",
        team=team,
        created_by=alice,
        set_status=Status.PENDING,
    )
    login(client, bob)
    response = client.get(ticket.get_absolute_url(), {"macro": macro.pk}, HTTP_HX_REQUEST="true")
    form = response.context["reply_form"]
    assert form.initial["body"] == (
        f"Hi Jisoo Han, about #{ticket.pk} at Hanbit Bank: {{% now 'Y' %}} {{{{ secret }}}}"
        " — Bob Lee"
    )
    assert form.initial["status"] == Status.PENDING
    page = response.content.decode()
    assert 'id="reply-form"' in page
    assert f'name="macro" value="{macro.pk}"' in page
    macro.refresh_from_db()
    assert macro.used_count == 0  # Looking at a macro's text is not using it.
    client.post(
        reverse("desk:reply", args=[ticket.pk]),
        {"kind": "reply", "body": form.initial["body"], "minutes": 0, "macro": macro.pk},
    )
    macro.refresh_from_db()
    assert macro.used_count == 1
    # A failed reply, or a macro of another team, counts nothing.
    other = Macro.objects.create(name="x", body="y", team=make_team(), created_by=alice)
    client.post(
        reverse("desk:reply", args=[ticket.pk]), {"kind": "reply", "body": "", "macro": macro.pk}
    )
    client.post(
        reverse("desk:reply", args=[ticket.pk]),
        {"kind": "reply", "body": "ok", "minutes": 0, "macro": other.pk},
    )
    macro.refresh_from_db()
    other.refresh_from_db()
    assert (macro.used_count, other.used_count) == (1, 0)


def test_another_teams_macro_is_404(client, bob, ticket, charlie):
    other = make_team(code="SD", name="Dev")
    macro = Macro.objects.create(name="x", body="y", team=other, created_by=charlie)
    login(client, bob)
    assert client.get(ticket.get_absolute_url(), {"macro": macro.pk}).status_code == 404


def test_escalate_to_le_keeps_the_agent_and_brings_in_the_architect(client, bob, ticket, architect):
    """The agent keeps the ticket (assignee); the architect follows it and is told."""
    ticket.customer.le_architect = architect
    ticket.customer.save()
    services.do_assign(bob, ticket, bob)
    login(client, bob)
    response = client.post(
        reverse("desk:escalate", args=[ticket.pk]), {"to": "le", "note": "Needs a redesign."}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == bob
    assert (ticket.escalated_to, ticket.escalated_by, ticket.escalation_level) == (
        architect,
        bob,
        "LE",
    )
    assert ticket.escalation_note == "Needs a redesign."
    assert list(ticket.followers.all()) == [architect]
    note = ticket.entries.filter(kind=EntryKind.NOTE).get()
    assert "Dana Architect" in note.body and "Needs a redesign." in note.body
    assert ticket.entries.filter(kind=EntryKind.EVENT, field="escalation", new_value="LE").exists()
    notification = Notification.objects.get(recipient=architect)
    assert notification.kind == Kind.TICKET
    assert notification.url == ticket.get_absolute_url()
    assert notification.group_key == f"ticket:{ticket.pk}"


def test_escalating_an_unassigned_ticket_makes_the_agent_its_owner(client, bob, ticket, erin):
    ticket.customer.se_owner = erin
    ticket.customer.save()
    login(client, bob)
    client.post(reverse("desk:escalate", args=[ticket.pk]), {"to": "se"})
    ticket.refresh_from_db()
    assert ticket.assignee == bob
    assert ticket.escalated_to == erin
    assert Notification.objects.filter(recipient=erin).count() == 1
    # Bob took the ticket himself: nobody tells him he has it.
    assert not Notification.objects.filter(recipient=bob).exists()


def test_after_escalation_both_hear_the_customer_and_see_the_handoff(
    client, bob, ticket, architect, contact_a
):
    ticket.customer.le_architect = architect
    ticket.customer.save()
    login(client, bob)
    client.post(
        reverse("desk:escalate", args=[ticket.pk]), {"to": "le", "note": "Check the <MTU>."}
    )
    Notification.objects.all().delete()

    services.do_customer_reply(contact_a, ticket, "Still flapping.")

    assert set(Notification.objects.values_list("recipient", flat=True)) == {bob.pk, architect.pk}
    for person in (bob, architect):
        login(client, person)
        page = client.get(ticket.get_absolute_url()).content.decode()
        handoff = page.split('id="escalation-handoff"', 1)[1].split("</div>", 1)[0]
        assert "Dana Architect" in handoff and "Bob" in handoff
        assert "Check the &lt;MTU&gt;." in handoff


def test_an_escalated_ticket_is_in_the_agents_and_the_architects_queue_marked(
    client, bob, ticket, architect
):
    ticket.customer.le_architect = architect
    ticket.customer.save()
    login(client, bob)
    client.post(reverse("desk:escalate", args=[ticket.pk]), {"to": "le"})
    for person, queue in ((bob, "desk:mine"), (architect, "desk:escalated")):
        login(client, person)
        response = client.get(reverse(queue))
        assert [t.pk for t in response.context["listing"].page.object_list] == [ticket.pk]
        row = response.content.decode().split(f'id="ticket-row-{ticket.pk}"', 1)[1]
        row = row.split("</tr>", 1)[0]
        assert "ticket-row-escalated" in response.content.decode()
        assert "escalated-badge" in row and "Dana Architect" in row


def test_escalating_to_oneself_is_refused(client, ticket, architect):
    ticket.customer.le_architect = architect
    ticket.customer.save()
    login(client, architect)
    response = client.post(reverse("desk:escalate", args=[ticket.pk]), {"to": "le"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.escalated_to is None and ticket.assignee is None


def test_escalate_without_the_person_is_a_clear_error(client, bob, ticket):
    login(client, bob)
    response = client.post(reverse("desk:escalate", args=[ticket.pk]), {"to": "se"})
    assert response.status_code == 400
    assert "has no SE owner" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not Notification.objects.exists()
    assert ticket.entries.count() == 1


def test_merge_closes_the_ticket_and_shows_its_entries_on_the_kept_one(
    client, bob, ticket, customer_a, contact_a
):
    kept = make_ticket(customer=customer_a, requester=contact_a, subject="Kept")
    services.do_reply(bob, ticket, "A reply on the duplicate.")
    login(client, bob)
    response = client.post(reverse("desk:merge", args=[ticket.pk]), {"merge-number": kept.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.merged_into == kept
    assert ticket.status == Status.CLOSED
    html = client.get(kept.get_absolute_url()).content.decode()
    assert "A reply on the duplicate." in html
    assert f"#{ticket.pk} merged here" in html


def test_merge_into_itself_is_refused(client, bob, ticket):
    login(client, bob)
    response = client.post(reverse("desk:merge", args=[ticket.pk]), {"merge-number": ticket.pk})
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into is None and ticket.status == Status.NEW


def test_merge_into_unknown_ticket_is_a_form_error(client, bob, ticket):
    login(client, bob)
    response = client.post(reverse("desk:merge", args=[ticket.pk]), {"merge-number": 99999})
    assert response.status_code == 400
    assert "There is no ticket #99999." in response.content.decode()


def test_link_and_unlink(client, bob, ticket, customer_a, contact_a):
    other = make_ticket(customer=customer_a, requester=contact_a, subject="Related")
    login(client, bob)
    client.post(reverse("desk:link", args=[ticket.pk]), {"link-number": other.pk})
    assert list(ticket.linked.all()) == [other]
    assert list(other.linked.all()) == [ticket]
    client.post(reverse("desk:unlink", args=[ticket.pk, other.pk]))
    assert not ticket.linked.exists()


def test_follow_and_unfollow(client, bob, ticket):
    login(client, bob)
    client.post(reverse("desk:follow", args=[ticket.pk]), {"follow": "1"})
    assert list(ticket.followers.all()) == [bob]
    client.post(reverse("desk:follow", args=[ticket.pk]), {"follow": "0"})
    assert not ticket.followers.exists()


def test_triage_gives_the_ticket_its_customer(client, bob, customer_a, contact_a, team):
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3)
    triaged = services.do_create_ticket(
        subject="Help", customer=None, requester=None, from_email="New.Person@hanbit.example"
    )
    login(client, bob)
    page = client.get(triaged.get_absolute_url()).content.decode()
    assert 'id="triage-form"' in page
    response = client.post(
        reverse("desk:triage_ticket", args=[triaged.pk]),
        {"customer": customer_a.pk, "requester_email": "new.person@hanbit.example"},
    )
    assert response.status_code == 302
    triaged.refresh_from_db()
    assert triaged.customer == customer_a
    assert triaged.requester.email == "new.person@hanbit.example"
    assert triaged.requester.customers.get() == customer_a
    assert triaged.resolution_due is not None
    assert not Ticket.objects.filter(customer__isnull=True).exists()


def test_triage_refuses_another_customers_contact(client, bob, customer_a, contact_b, team):
    triaged = services.do_create_ticket(
        subject="Help", customer=None, requester=None, from_email=contact_b.email
    )
    login(client, bob)
    response = client.post(
        reverse("desk:triage_ticket", args=[triaged.pk]),
        {"customer": customer_a.pk, "requester_email": contact_b.email},
    )
    assert response.status_code == 400
    triaged.refresh_from_db()
    assert triaged.customer is None


def test_ticket_page_query_count_is_pinned(
    client, bob, alice, ticket, django_assert_max_num_queries
):
    for number in range(10):
        services.do_reply(alice, ticket, f"Reply {number}", minutes=1)
    login(client, bob)
    client.get(ticket.get_absolute_url())
    with django_assert_max_num_queries(15):
        response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200


def test_link_and_merge_fields_say_what_they_do(client, bob, ticket):
    bob.language = "ko"
    bob.save()
    login(client, bob)

    page = client.get(ticket.get_absolute_url()).content.decode()

    link_form = page.split('id="link-form"', 1)[1].split("</form>", 1)[0]
    merge_form = page.split('id="merge-form"', 1)[1].split("</form>", 1)[0]
    assert "연결할 티켓 번호" in link_form
    assert "병합할 티켓 번호" in merge_form
