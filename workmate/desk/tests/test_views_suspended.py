"""Suspended mail: held mail listed for agents, with why and the raw message, and each
decision (make a ticket, release to triage, dismiss) taken once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from workmate.desk import mailin, suspended
from workmate.desk.models import EntryKind, InboundMessage, InboundStatus, Status, Ticket
from workmate.desk.tests.helpers import login
from workmate.desk.tests.test_mailin import compose
from workmate.testing.factories import DEFAULT_PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


def held_mail(**kwargs) -> InboundMessage:
    """A person's mail that came through a mailing list: held as automatic, no ticket."""
    kwargs.setdefault("headers", {"Precedence": "bulk", "List-Id": "<ops.hanbit.example>"})
    inbound = mailin.ingest(compose(**kwargs))
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.AUTO_REPLY and inbound.ticket is None
    return inbound


def test_list_shows_held_mail_with_why_and_pins_its_queries(
    client, bob, customer_a, django_assert_num_queries
):
    held = [held_mail(subject=f"Backup {n} failed") for n in range(3)]
    mailin.ingest(compose(subject="Opened a ticket"))  # a ticket, not held
    login(client, bob)
    # Session and user, membership (agent check), the nav's billing check, count and page.
    with django_assert_num_queries(6):
        response = client.get(reverse("desk:suspended"))
    assert response.status_code == 200
    page = response.content.decode()
    assert [row.pk for row in response.context["page"].object_list] == [h.pk for h in held[::-1]]
    assert "Opened a ticket" not in page
    assert "mailing list" in page and "Precedence: bulk" in page
    assert reverse("desk:suspended_mail", args=[held[0].pk]) in page
    # The nav leads here.
    assert f'href="{reverse("desk:suspended")}" aria-current="page"' in page


def test_query_count_does_not_grow_with_rows(client, bob, customer_a, django_assert_num_queries):
    for n in range(20):
        held_mail(subject=f"Backup {n} failed")
    login(client, bob)
    with django_assert_num_queries(6):
        client.get(reverse("desk:suspended"))


def test_detail_shows_the_raw_message_as_text(client, bob, customer_a):
    held = held_mail(subject="Disk <b>full</b>", body="<script>alert(1)</script> help")
    login(client, bob)
    page = client.get(reverse("desk:suspended_mail", args=[held.pk])).content.decode()
    raw = page.split('id="held-raw">', 1)[1].split("</pre>", 1)[0]
    assert "Precedence: bulk" in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in page
    assert 'id="suspended-ticket-form"' in page


def test_detail_shows_the_senders_name_escaped(client, bob, customer_a):
    named = held_mail(sender='"Jisoo <b>Han</b>" <jisoo@hanbit.example>')
    bare = held_mail(sender="ops@hanbit.example", subject="No name")
    login(client, bob)
    page = client.get(reverse("desk:suspended_mail", args=[named.pk])).content.decode()
    shown = page.split('id="held-sender">', 1)[1].split("</dd>", 1)[0]
    assert shown == "Jisoo &lt;b&gt;Han&lt;/b&gt; &lt;jisoo@hanbit.example&gt;"
    page = client.get(reverse("desk:suspended_mail", args=[bare.pk])).content.decode()
    assert page.split('id="held-sender">', 1)[1].split("</dd>", 1)[0] == "ops@hanbit.example"


def test_make_a_ticket_as_mail_in_would_with_the_sender_as_requester(
    client, bob, customer_a, contact_a
):
    held = held_mail(body="The nightly backup failed again.")
    login(client, bob)

    response = client.post(reverse("desk:suspended_ticket", args=[held.pk]))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert (ticket.customer, ticket.requester) == (customer_a, contact_a)
    assert ticket.status == Status.NEW
    assert ticket.entries.get(kind=EntryKind.CUSTOMER).body == "The nightly backup failed again."
    note = ticket.entries.get(kind=EntryKind.NOTE)
    assert note.author == bob and "Precedence: bulk" in note.body
    held.refresh_from_db()
    assert (held.status, held.ticket, held.handled_by) == (InboundStatus.TICKET, ticket, bob)
    assert held.handled_at is not None
    # Off the list.
    assert not client.get(reverse("desk:suspended")).context["page"].object_list


def test_make_a_ticket_of_a_reply_threads_it(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a, message_id="<orig@x>")
    held = held_mail(
        subject=f"Re: [#{ticket.pk}]", headers={"Precedence": "list", "In-Reply-To": "<orig@x>"}
    )
    login(client, bob)
    client.post(reverse("desk:suspended_ticket", args=[held.pk]))
    assert Ticket.objects.count() == 1
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 2
    held.refresh_from_db()
    assert (held.status, held.ticket) == (InboundStatus.THREADED, ticket)


def test_release_to_triage(client, bob, customer_a, contact_a):
    held = held_mail()
    login(client, bob)
    response = client.post(reverse("desk:suspended_release", args=[held.pk]))
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.customer is None and ticket.requester is None
    assert ticket.from_email == "jisoo@hanbit.example"
    assert ticket.entries.filter(kind=EntryKind.NOTE, author=bob).exists()
    held.refresh_from_db()
    assert (held.status, held.ticket) == (InboundStatus.TRIAGE, ticket)
    triage = client.get(reverse("desk:triage")).context["listing"].page.object_list
    assert [t.pk for t in triage] == [ticket.pk]


def test_dismiss_keeps_the_mail_but_takes_it_off_the_list(client, bob, customer_a):
    held = held_mail()
    login(client, bob)
    response = client.post(reverse("desk:suspended_dismiss", args=[held.pk]))
    assert response["Location"] == reverse("desk:suspended")
    held.refresh_from_db()
    assert held.status == InboundStatus.DISMISSED and held.handled_by == bob
    assert bytes(held.raw)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("action", ["suspended_ticket", "suspended_release", "suspended_dismiss"])
def test_each_decision_is_taken_once(client, bob, alice, customer_a, action):
    held = held_mail()
    login(client, bob)
    first = client.post(reverse(f"desk:{action}", args=[held.pk]))
    assert first.status_code == 302
    tickets = Ticket.objects.count()
    # A second agent (or a double click) on any action: refused, nothing more made.
    login(client, alice)
    for again in ["suspended_ticket", "suspended_release", "suspended_dismiss"]:
        response = client.post(reverse(f"desk:{again}", args=[held.pk]))
        assert response.status_code == 409
        assert "already decided" in response.content.decode()
    assert Ticket.objects.count() == tickets
    held.refresh_from_db()
    assert held.handled_by == bob


def test_service_refuses_a_mail_that_is_not_suspended(bob, customer_a, contact_a):
    placed = mailin.ingest(compose())
    assert placed.status == InboundStatus.TICKET
    with pytest.raises(Exception, match="already decided"):
        suspended.do_make_ticket(bob, placed)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("suspended", "get"),
        ("suspended_mail", "get"),
        ("suspended_ticket", "post"),
        ("suspended_release", "post"),
        ("suspended_dismiss", "post"),
    ],
)
def test_non_agents_get_403_and_change_nothing(client, charlie, customer_a, name, method):
    held = held_mail()
    login(client, charlie)
    args = [] if name == "suspended" else [held.pk]
    response = getattr(client, method)(reverse(f"desk:{name}", args=args))
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == InboundStatus.AUTO_REPLY
    assert not Ticket.objects.exists()


def test_a_portal_contact_never_gets_in(client, customer_a, contact_a):
    held = held_mail()
    response = client.post(
        "/portal/login/", {"email": contact_a.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    for url in (reverse("desk:suspended"), reverse("desk:suspended_mail", args=[held.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/portal/" not in response["Location"]
    response = client.post(reverse("desk:suspended_ticket", args=[held.pk]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == InboundStatus.AUTO_REPLY


def test_actions_want_post(client, bob, customer_a):
    held = held_mail()
    login(client, bob)
    for name in ["suspended_ticket", "suspended_release", "suspended_dismiss"]:
        assert client.get(reverse(f"desk:{name}", args=[held.pk])).status_code == 405
    assert client.post(reverse("desk:suspended")).status_code == 405


def test_unknown_mail_is_404(client, bob):
    login(client, bob)
    assert client.get(reverse("desk:suspended_mail", args=[999])).status_code == 404
    assert client.post(reverse("desk:suspended_ticket", args=[999])).status_code == 404


def test_the_pages_speak_korean(client, bob, customer_a):
    held = held_mail()
    bob.language = "ko"
    bob.save()
    login(client, bob)
    listing = client.get(reverse("desk:suspended")).content.decode()
    page = client.get(reverse("desk:suspended_mail", args=[held.pk])).content.decode()
    assert "보류된 메일" in listing
    assert "티켓 만들기" in page and "분류 대기로 보내기" in page


@pytest.mark.django_db(transaction=True)
def test_two_agents_deciding_at_once_make_one_ticket(bob, alice, customer_a, contact_a):
    """Bob makes a ticket while Alice releases the same mail to triage, at the same moment:
    the row lock lets one decide; the other is told, and nothing is made twice."""
    held = held_mail()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def decide(actor, do) -> None:
        try:
            barrier.wait(10)
            results.append(do(actor, InboundMessage.objects.get(pk=held.pk)))
        except ValidationError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(bob, suspended.do_make_ticket)),
        threading.Thread(target=decide, args=(alice, suspended.do_release_to_triage)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    refused = [result for result in results if isinstance(result, ValidationError)]
    made = [result for result in results if isinstance(result, Ticket)]
    assert len(refused) == 1 and len(made) == 1
    assert Ticket.objects.count() == 1
    held.refresh_from_db()
    assert held.ticket == made[0]
    assert held.status in {InboundStatus.TICKET, InboundStatus.TRIAGE}
