"""Signing in to the customer portal: contacts only, their own session, links by mail."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from workmate.desk import portal_auth
from workmate.desk.models import Contact
from workmate.testing.factories import DEFAULT_PASSWORD, make_contact

pytestmark = pytest.mark.django_db

LOGIN = "/portal/login/"


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def test_contact_signs_in_with_any_case_and_lands_on_tickets(client, contact_a):
    before = client.cookies.get("sessionid")
    response = sign_in(client, "  JISOO@Hanbit.Example ")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.session[portal_auth.SESSION_CONTACT] == contact_a.pk
    # The session key changed on sign-in (no fixation), and no Workmate user was set.
    assert client.cookies["sessionid"].value != (before.value if before else "")
    assert "_auth_user_id" not in client.session
    contact_a.refresh_from_db()
    assert contact_a.last_login is not None
    assert client.get("/portal/").status_code == 200


def test_unknown_address_and_wrong_password_get_the_same_answer(client, contact_a):
    wrong = sign_in(client, contact_a.email, "not-the-password")
    unknown = sign_in(client, "nobody@hanbit.example")
    assert wrong.status_code == unknown.status_code == 200
    message = "That e-mail address and password do not match."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert portal_auth.SESSION_CONTACT not in client.session


def test_contact_without_password_or_inactive_cannot_sign_in(client, customer_a):
    make_contact(customer_a, email="nopass@hanbit.example", password="")
    make_contact(customer_a, email="gone@hanbit.example", is_active=False)
    assert sign_in(client, "nopass@hanbit.example", "").status_code == 200
    assert sign_in(client, "gone@hanbit.example").status_code == 200
    assert portal_auth.SESSION_CONTACT not in client.session


def test_repeated_failures_lock_the_address_from_that_ip(client, settings, contact_a):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        assert sign_in(client, contact_a.email, "guess").status_code == 200
    # Now even the right password is refused, with the portal's own page.
    response = sign_in(client, contact_a.email)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert portal_auth.SESSION_CONTACT not in client.session
    # Another address from the same place is not affected, nor is a staff account's.
    other = make_contact(contact_a.customers.get(), email="other@hanbit.example")
    assert sign_in(client, other.email).status_code == 302


def test_success_clears_earlier_failures(client, settings, contact_a):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, contact_a.email, "guess")
    sign_in(client, contact_a.email, "guess")
    assert sign_in(client, contact_a.email).status_code == 302
    client.post("/portal/logout/")
    sign_in(client, contact_a.email, "guess")
    sign_in(client, contact_a.email, "guess")
    assert sign_in(client, contact_a.email).status_code == 302


def test_next_is_followed_only_inside_the_portal(client, contact_a):
    response = sign_in(client, contact_a.email, next="/portal/tickets/new/")
    assert response["Location"] == "/portal/tickets/new/"
    client.post("/portal/logout/")
    for bad in ("https://evil.example/portal/", "//evil.example/", "/admin/"):
        response = sign_in(client, contact_a.email, next=bad)
        assert response["Location"] == "/portal/"
        client.post("/portal/logout/")


def test_sign_out_ends_the_portal_session_and_needs_post(client, contact_a):
    sign_in(client, contact_a.email)
    assert client.get("/portal/logout/").status_code == 405
    response = client.post("/portal/logout/")
    assert response["Location"] == reverse("portal:login")
    assert portal_auth.SESSION_CONTACT not in client.session
    assert client.get("/portal/")["Location"].startswith("/portal/login/")


def test_changing_the_password_signs_other_sessions_out(client, contact_a):
    sign_in(client, contact_a.email)
    assert client.get("/portal/").status_code == 200
    contact_a.set_password("a-whole-new-password")
    contact_a.save()
    assert client.get("/portal/")["Location"].startswith("/portal/login/")


def test_deactivated_contact_is_signed_out(client, contact_a):
    sign_in(client, contact_a.email)
    Contact.objects.filter(pk=contact_a.pk).update(is_active=False)
    assert client.get("/portal/").status_code == 302


def test_workmate_user_is_not_a_contact(client, bob):
    client.force_login(bob)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")


@pytest.mark.parametrize("path", ["/work/", "/desk/", "/inbox/", "/", "/me/", "/admin/"])
def test_contact_session_does_not_open_internal_pages(client, contact_a, path):
    sign_in(client, contact_a.email)
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not response["Location"].startswith("/portal/")


def test_contact_session_gets_401_from_the_api(client, contact_a):
    sign_in(client, contact_a.email)
    for path in ("/api/v1/me", "/api/v1/desk/tickets"):
        assert client.get(path).status_code == 401, path


# --- Set-password links ----------------------------------------------------------------


def _link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/portal/password/\S+/", body).group(0)


def test_password_link_is_mailed_in_the_contacts_language(
    client, customer_a, settings, django_capture_on_commit_callbacks
):
    contact = make_contact(customer_a, email="mina@hanbit.example", language="ko", password="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/password/", {"email": "MINA@hanbit.example"})
    assert response["Location"] == reverse("portal:password_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    assert message.from_email == settings.DESK_SUPPORT_EMAIL
    assert _link_from_mail().startswith(settings.SITE_URL + "/portal/password/")
    with portal_auth.translation.override("ko"):
        expected = portal_auth.translation.gettext("Set your support portal password")
    assert message.subject == expected


def test_unknown_address_gets_the_same_page_and_no_mail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/password/", {"email": "nobody@hanbit.example"})
    assert response["Location"] == reverse("portal:password_sent")
    assert mail.outbox == []


def test_link_sets_the_password_signs_in_and_works_once(
    client, customer_a, django_capture_on_commit_callbacks
):
    contact = make_contact(customer_a, email="mina@hanbit.example", password="")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/password/", {"email": contact.email})
    path = _link_from_mail().split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    # The token leaves the URL for the session before the form is shown.
    assert response.status_code == 302
    assert response["Location"].endswith("/set/")
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    weak = client.post(form_url, {"password1": "short", "password2": "short"})
    assert weak.status_code == 200
    assert "password1" in weak.context["form"].errors
    response = client.post(
        form_url, {"password1": "sea-otter-lantern-42", "password2": "sea-otter-lantern-42"}
    )
    assert response["Location"] == "/portal/"
    contact.refresh_from_db()
    assert contact.check_password("sea-otter-lantern-42")
    assert client.session[portal_auth.SESSION_CONTACT] == contact.pk
    assert client.get("/portal/").status_code == 200
    # The same link again is spent: the password (and last sign-in) changed.
    client.post("/portal/logout/")
    response = client.get("/" + path)
    assert response.status_code == 400
    assert "Link no longer valid" in response.content.decode()


def test_link_expires_after_three_days(client, customer_a, settings):
    contact = make_contact(customer_a, email="mina@hanbit.example")
    with time_machine.travel(timezone.now(), tick=False):
        link = portal_auth.password_link(contact)
    later = timezone.now() + datetime.timedelta(days=3, hours=1)
    with time_machine.travel(later, tick=False):
        response = client.get(link.removeprefix(settings.SITE_URL))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.check_password(DEFAULT_PASSWORD)


def test_forged_or_foreign_token_is_refused(client, customer_a, contact_a):
    other = make_contact(customer_a, email="other@hanbit.example")
    link = portal_auth.password_link(other)
    uid = portal_auth.urlsafe_base64_encode(str(contact_a.pk).encode())
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/portal/password/{uid}/{token}/").status_code == 400
    assert client.get(f"/portal/password/{uid}/set/").status_code == 400
    assert client.get("/portal/password/xx/1-abc/").status_code == 400


def test_language_switch_saves_the_contacts_choice(client, contact_a):
    sign_in(client, contact_a.email)
    response = client.post("/portal/language/", {"language": "ko", "next": "/portal/"})
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert contact_a.language == "ko"
    page = client.get("/portal/")
    assert page.content.decode().startswith('<!doctype html>\n\n<html lang="ko">')


def test_staff_invite_contacts_from_the_admin(
    client, customer_a, contact_a, django_capture_on_commit_callbacks
):
    from workmate.testing.factories import make_user

    staff = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    gone = make_contact(customer_a, email="gone@hanbit.example", is_active=False)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:desk_contact_changelist"),
            {"action": "invite_to_portal", "_selected_action": [contact_a.pk, gone.pk]},
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[contact_a.email]]
    assert "Your access to our support portal" in mail.outbox[0].subject
    assert "/portal/password/" in mail.outbox[0].body
