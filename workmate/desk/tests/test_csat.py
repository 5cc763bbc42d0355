"""The satisfaction survey: mailed when a ticket is solved, rated on its page, one row."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from workmate.desk import csat, services
from workmate.desk.models import Rating, Satisfaction, Status
from workmate.testing.factories import make_contact, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(customer_a, contact_a, bob, django_capture_on_commit_callbacks):
    ticket = make_ticket(customer=customer_a, requester=contact_a, subject="Mail is down")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_change_status(bob, ticket, Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def _survey_mails():
    return [m for m in mail.outbox if "How did we do?" in m.subject]


def _link(rating: str) -> str:
    body = _survey_mails()[-1].body
    url = re.search(rf"https?://\S+/portal/csat/\S+/{rating}/", body).group(0)
    return "/portal/" + url.split("/portal/", 1)[1]


def test_solving_mails_the_requester_a_survey(solved, contact_a, settings):
    [message] = _survey_mails()
    assert message.to == [contact_a.email]
    assert f"#{solved.pk}" in message.subject
    assert "/good/" in _link("good") and "/bad/" in _link("bad")
    assert settings.SITE_URL in message.body


def test_survey_goes_out_only_after_commit(customer_a, contact_a, bob):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(bob, ticket, Status.SOLVED)
    # No commit in this test transaction: nothing was sent.
    assert _survey_mails() == []


def test_survey_speaks_the_contacts_language(customer_a, bob, django_capture_on_commit_callbacks):
    contact = make_contact(customer_a, email="mina@hanbit.example", language="ko")
    ticket = make_ticket(customer=customer_a, requester=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_change_status(bob, ticket, Status.SOLVED)
    [message] = mail.outbox
    with translation.override("ko"):
        good = translation.gettext("Good")
    assert f"{good}:" in message.body


def test_opening_a_link_records_nothing_and_preselects_its_rating(client, solved):
    # Mail scanners open every link in a message: a GET must not rate.
    bad = client.get(_link("bad"))
    good = client.get(_link("good"))

    assert bad.status_code == good.status_code == 200
    assert not Satisfaction.objects.exists()
    page = good.content.decode()
    assert 'id="csat-form"' in page
    assert re.search(r'<input type="radio" name="rating" value="good"[^>]* checked', page)
    assert not re.search(r'<input type="radio" name="rating" value="bad"[^>]* checked', page)


def test_sending_the_form_records_rating_and_comment_without_sign_in(client, solved):
    response = client.post(_link("good"), {"rating": "bad", "comment": "Took three days."})

    assert response.status_code == 200
    rating = Satisfaction.objects.get(ticket=solved)
    assert (rating.rating, rating.comment) == (Rating.BAD, "Took three days.")
    page = response.content.decode()
    assert 'id="csat-result"' in page and "You rated our help: bad" in page


def test_sending_again_changes_the_same_row(client, solved):
    client.post(_link("good"), {"rating": "good", "comment": "Fast and friendly."})
    page = client.get(_link("bad")).content.decode()
    # The page shows what was sent before, with the link's new choice.
    assert "Fast and friendly." in page and "rated this ticket already" in page

    client.post(_link("bad"), {"rating": "bad", "comment": "Actually, it broke again."})

    rating = Satisfaction.objects.get(ticket=solved)
    assert (rating.rating, rating.comment) == (Rating.BAD, "Actually, it broke again.")
    assert Satisfaction.objects.count() == 1


@pytest.mark.parametrize(
    "data", [{}, {"rating": "great"}, {"rating": "good", "comment": "x" * 4001}]
)
def test_a_bad_form_is_a_form_error_and_records_nothing(client, solved, data):
    response = client.post(_link("good"), data)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Satisfaction.objects.exists()


def test_rating_is_frozen_once_the_ticket_closes(client, solved, bob):
    client.post(_link("good"), {"rating": "good"})
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        services.do_change_status(bob, solved, Status.CLOSED)
        shown = client.get(_link("bad"))
        sent = client.post(_link("bad"), {"rating": "bad"})
    for response in (shown, sent):
        assert response.status_code == 200
        page = response.content.decode()
        assert "can no longer be changed" in page and 'id="csat-form"' not in page
    assert Satisfaction.objects.get(ticket=solved).rating == Rating.GOOD


def test_first_rating_after_close_is_still_taken(client, solved, bob):
    services.do_change_status(bob, solved, Status.CLOSED)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        assert 'id="csat-form"' in client.get(_link("bad")).content.decode()
        client.post(_link("bad"), {"rating": "bad", "comment": "Nobody called back."})
    rating = Satisfaction.objects.get(ticket=solved)
    assert (rating.rating, rating.comment) == (Rating.BAD, "Nobody called back.")


def test_reopened_ticket_cannot_be_rated(client, solved, contact_a):
    services.do_customer_reply(contact_a, solved, "Still down.")
    assert client.get(_link("good")).status_code == 409
    assert client.post(_link("good"), {"rating": "good"}).status_code == 409
    assert not Satisfaction.objects.exists()


@pytest.mark.parametrize("mangle", ["forged", "rating", "other_ticket"])
def test_forged_links_are_404(client, solved, mangle, customer_a, contact_a):
    link = _link("good")
    if mangle == "forged":
        link = link.replace("/good/", "x/good/")
    elif mangle == "rating":
        link = link.replace("/good/", "/great/")
    else:
        token = csat.make_token(solved)
        _pk, rest = token.split(":", 1)
        other = make_ticket(customer=customer_a, requester=contact_a)
        link = f"/portal/csat/{other.pk}:{rest}/good/"
    assert client.get(link).status_code == 404
    assert client.post(link, {"rating": "good"}).status_code == 404
    assert not Satisfaction.objects.exists()


def test_links_expire(client, solved):
    link = _link("good")
    with time_machine.travel(timezone.now() + csat.LINK_MAX_AGE + datetime.timedelta(hours=1)):
        assert client.get(link).status_code == 404
    assert not Satisfaction.objects.exists()


def test_wrong_method_on_survey(client, solved):
    assert client.put(_link("good")).status_code == 405
    assert client.head(_link("good")).status_code == 405
    assert not Satisfaction.objects.exists()


def test_no_second_survey_once_rated(
    client, solved, bob, contact_a, django_capture_on_commit_callbacks
):
    client.post(_link("good"), {"rating": "good"})
    with django_capture_on_commit_callbacks(execute=True):
        services.do_customer_reply(contact_a, solved, "One more thing.")
        services.do_change_status(bob, solved, Status.SOLVED)
    assert len(_survey_mails()) == 1


def test_ticket_without_requester_gets_no_survey(
    customer_a, bob, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer=customer_a, requester=None, from_email="x@hanbit.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_change_status(bob, ticket, Status.SOLVED)
    assert _survey_mails() == []


def test_survey_task_skips_a_ticket_reopened_before_it_ran(solved, contact_a):
    services.do_customer_reply(contact_a, solved, "Wait, not yet.")
    assert csat.send_survey_email(solved.pk) is False
