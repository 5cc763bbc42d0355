"""Logging in with an e-mail address (in any case) and logging out."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workmate.accounts.models import User
from workmate.testing.factories import DEFAULT_PASSWORD

LOGIN = reverse("login")
LOGOUT = reverse("logout")


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def test_login_page_has_the_form(client, db):
    page = client.get(LOGIN).content.decode()

    assert 'type="email" name="username"' in page
    assert 'name="password"' in page
    assert f'href="{reverse("password_reset")}"' in page


def test_other_methods_are_refused(client, db):
    assert client.delete(LOGIN).status_code == 405


def test_login_with_the_address_in_any_case(client, alice):
    response = client.post(
        LOGIN, {"username": "  ALICE@Example.COM ", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_as(client) == alice.pk
    assert User.objects.get(pk=alice.pk).last_login is not None


def test_login_goes_to_next(client, alice):
    response = client.post(
        f"{LOGIN}?next={reverse('directory')}",
        {"username": "alice@example.com", "password": DEFAULT_PASSWORD, "next": "/people/"},
    )

    assert response.url == reverse("directory")


def test_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post(LOGIN, {"username": "alice@example.com", "password": "nope"})

    page = response.content.decode()
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert 'role="alert"' in page
    assert User.objects.get(pk=alice.pk).last_login is None


def test_an_inactive_person_cannot_log_in(client, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)

    client.post(LOGIN, {"username": "alice@example.com", "password": DEFAULT_PASSWORD})

    assert signed_in_as(client) is None


def test_a_signed_in_person_skips_the_login_page(client, alice):
    client.force_login(alice)

    response = client.get(LOGIN)

    assert response.url == reverse("home")


def test_logout_ends_the_session(client, alice):
    client.force_login(alice)

    response = client.post(LOGOUT)

    assert response.url == LOGIN
    assert signed_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused_and_keeps_the_session(client, alice):
    client.force_login(alice)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert signed_in_as(client) == alice.pk


def test_pages_offer_logout_as_a_form(client, alice):
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert f'<form action="{LOGOUT}" method="post"' in page
