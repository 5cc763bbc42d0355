"""Password reset: the form queues one task, the task mails a link that sets a new password."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django_tasks import TaskResultStatus

from workmate.accounts.models import User
from workmate.accounts.tests.helpers import korean
from workmate.testing.factories import make_user

RESET = reverse("password_reset")
NEW_PASSWORD = "plum-orchard-lantern-42"


def request_reset(client, address: str, capture):
    # The mail is queued on commit; the test transaction never commits, so run the callbacks.
    with capture(execute=True) as callbacks:
        response = client.post(RESET, {"email": address})
    return response, callbacks


def reset_link(message) -> str:
    (link,) = set(re.findall(r"https?://testserver(/password/reset/\S+/)", message.body))
    return link


def link_owner(message) -> int:
    uidb64 = reset_link(message).split("/")[3]
    return int(urlsafe_base64_decode(uidb64))


def test_reset_form_shows(client, db):
    page = client.get(RESET).content.decode()

    assert 'name="email"' in page


def test_reset_mails_one_working_link(
    client, alice, django_capture_on_commit_callbacks, finished_tasks
):
    response, callbacks = request_reset(
        client, "Alice@Example.com", django_capture_on_commit_callbacks
    )

    assert response.url == reverse("password_reset_done")
    assert len(callbacks) == 1
    (task_result,) = finished_tasks
    assert task_result.task.name == "send_password_reset_email"
    assert task_result.status == TaskResultStatus.SUCCESSFUL
    assert task_result.return_value is True
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Workmate: choose a new password"
    assert "Hello Alice," in message.body
    link = reset_link(message)
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert f'href="http://testserver{link}"' in html

    # Following the link leads to a form that sets the new password.
    form_page = client.get(link, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("password_reset_complete")
    assert User.objects.get(pk=alice.pk).check_password(NEW_PASSWORD)

    # The new password logs in; the link is spent.
    client.post(reverse("login"), {"username": "alice@example.com", "password": NEW_PASSWORD})
    assert int(client.session[SESSION_KEY]) == alice.pk
    client.post(reverse("logout"))
    spent = client.get(link, follow=True).content.decode()
    assert "This link has expired or was already used." in spent


def test_unknown_address_sends_nothing_but_looks_the_same(
    client, alice, django_capture_on_commit_callbacks, finished_tasks
):
    known, _ = request_reset(client, "alice@example.com", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    unknown, callbacks = request_reset(
        client, "nobody@example.com", django_capture_on_commit_callbacks
    )

    assert unknown.url == known.url == reverse("password_reset_done")
    assert callbacks == []
    assert mail.outbox == []
    assert len(finished_tasks) == 1


def test_sent_page_says_to_check_mail(client, db):
    page = client.get(reverse("password_reset_done")).content.decode()

    assert "If an account uses that address" in page


def test_inactive_person_gets_no_mail(client, alice, django_capture_on_commit_callbacks):
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response, callbacks = request_reset(
        client, "alice@example.com", django_capture_on_commit_callbacks
    )

    assert response.url == reverse("password_reset_done")
    assert callbacks == []
    assert mail.outbox == []


def test_mail_is_in_the_recipients_language(client, alice, django_capture_on_commit_callbacks):
    minji = make_user(email="minji@example.com", full_name="Minji Seo", language="ko")
    # The request itself is in English: the mail must still follow Minji's language.
    client.cookies["django_language"] = "en"

    request_reset(client, "minji@example.com", django_capture_on_commit_callbacks)
    request_reset(client, "alice@example.com", django_capture_on_commit_callbacks)

    korean_mail, english_mail = mail.outbox
    assert korean_mail.to == ["minji@example.com"]
    assert korean_mail.subject == korean("Workmate: choose a new password")
    assert (korean("Hello %(name)s,") % {"name": "Minji"}) in korean_mail.body
    assert english_mail.subject == "Workmate: choose a new password"
    # Each link is for its own recipient.
    assert link_owner(korean_mail) == minji.pk
    assert link_owner(english_mail) == alice.pk


def test_a_rolled_back_request_sends_nothing(client, alice, django_capture_on_commit_callbacks):
    # Without running the on-commit callbacks (as after a rollback) nothing is queued.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(RESET, {"email": "alice@example.com"})

    assert len(callbacks) == 1
    assert mail.outbox == []
