"""Changing one's password: the validators from settings apply."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workmate.accounts.models import User
from workmate.testing.factories import DEFAULT_PASSWORD

URL = reverse("password_change")


def change(client, new1: str, new2: str | None = None, old: str = DEFAULT_PASSWORD):
    return client.post(
        URL, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    )


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_short_password_is_refused(client, alice):
    client.force_login(alice)

    response = change(client, "x7#kQ9")

    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in page
    assert User.objects.get(pk=alice.pk).check_password(DEFAULT_PASSWORD)


def test_common_numeric_and_name_like_passwords_are_refused(client, alice):
    client.force_login(alice)

    for weak in ("password123", "1234567890123", "alice@example.com"):
        page = change(client, weak).content.decode()
        assert 'id="id_new_password2_error"' in page, weak

    assert User.objects.get(pk=alice.pk).check_password(DEFAULT_PASSWORD)


def test_wrong_old_password_is_refused(client, alice):
    client.force_login(alice)

    response = change(client, "plum-orchard-lantern-42", old="nope")

    assert 'id="id_old_password_error"' in response.content.decode()
    assert User.objects.get(pk=alice.pk).check_password(DEFAULT_PASSWORD)


def test_a_good_password_is_saved_and_keeps_the_session(client, alice):
    client.force_login(alice)

    response = change(client, "plum-orchard-lantern-42")

    assert response.url == reverse("password_change_done")
    assert User.objects.get(pk=alice.pk).check_password("plum-orchard-lantern-42")
    assert int(client.session[SESSION_KEY]) == alice.pk
    assert client.get(reverse("home")).status_code == 200
