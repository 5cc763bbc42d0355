"""Switching the interface language (POST /language/)."""

from __future__ import annotations

from django.urls import reverse

from workmate.accounts.models import User
from workmate.accounts.tests.helpers import korean
from workmate.testing.factories import make_user

URL = reverse("set_language")


def test_get_is_refused(client, alice):
    client.force_login(alice)

    assert client.get(URL).status_code == 405


def test_signed_in_choice_is_kept_on_the_account_and_the_next_page_is_korean(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"language": "ko", "next": reverse("directory")})

    assert response.status_code == 302
    assert response.url == reverse("directory")
    assert User.objects.get(pk=alice.pk).language == "ko"
    assert response.cookies["django_language"].value == "ko"
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="ko">' in page
    assert korean("Log out") != "Log out"
    assert korean("Log out") in page
    # The project's own strings follow as soon as the Korean catalog has them.
    assert korean("Hello, %(name)s") % {"name": "Alice"} in page


def test_the_account_language_follows_the_person_to_another_browser(client, alice):
    client.force_login(alice)
    client.post(URL, {"language": "ko"})
    client.cookies.clear()
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert '<html lang="ko">' in page


def test_switching_back_to_english(client, db):
    minji = make_user(email="minji@example.com", language="ko")
    client.force_login(minji)

    client.post(URL, {"language": "en"})

    assert User.objects.get(pk=minji.pk).language == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_an_unknown_language_changes_nothing(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"language": "xx"})

    assert User.objects.get(pk=alice.pk).language == "en"
    assert "django_language" not in response.cookies


def test_logged_out_choice_goes_in_a_cookie_only(client, alice):
    response = client.post(URL, {"language": "en", "next": reverse("login")})

    assert response.url == reverse("login")
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()
    assert User.objects.get(pk=alice.pk).language == "en"


def test_next_may_not_leave_the_site(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"language": "ko", "next": "https://evil.example/"})

    assert response.url == "/"
