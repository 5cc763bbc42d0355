"""PersonalLocaleMiddleware: a signed-in person sees their own language and time zone."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.tests.helpers import korean
from workmate.testing.factories import make_user


def test_a_korean_speaker_gets_the_pages_in_korean(client, db):
    minji = make_user(email="minji@example.com", full_name="Minji Seo", language="ko")
    client.force_login(minji)

    response = client.get(reverse("profile"))

    page = response.content.decode()
    assert '<html lang="ko">' in page
    assert response["Content-Language"] == "ko"
    # Strings Django itself translates are Korean already; the project's follow its catalog.
    assert korean("Log out") != "Log out"
    assert korean("Log out") in page
    assert f'<option value="en">{korean("English")}</option>' in page
    assert korean("My profile") in page


def test_an_english_speaker_gets_english_whatever_the_browser_asks(client, alice):
    client.force_login(alice)

    response = client.get(reverse("profile"), headers={"Accept-Language": "ko"})

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log out" in page and korean("Log out") not in page


def test_signed_out_visitors_get_the_browsers_language(client, db, settings):
    # Forget the test client's pinned English: this test is about the browser's choice.
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    english = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    default = client.get(reverse("login"))

    assert '<html lang="en">' in english.content.decode()
    # Without a preference the company's default language applies.
    assert '<html lang="ko">' in default.content.decode()
    assert korean("Log in") in default.content.decode()


@time_machine.travel(datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul")))
def test_times_are_shown_in_the_persons_zone(client, db):
    jonas = make_user(profile={"time_zone": "America/Los_Angeles"})
    client.force_login(jonas)

    page = client.get(reverse("directory")).content.decode()

    assert "Times are shown in your time zone (America/Los_Angeles)" in page


def test_the_persons_zone_does_not_leak_past_the_request(client, alice):
    alice.profile.time_zone = "America/Los_Angeles"
    alice.profile.save()
    client.force_login(alice)

    client.get(reverse("directory"))

    assert timezone.get_current_timezone_name() == "Asia/Seoul"


def test_htmx_request_with_expired_session_redirects_the_whole_page(client):
    response = client.get(reverse("directory"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_plain_request_with_expired_session_gets_an_ordinary_redirect(client):
    response = client.get(reverse("directory"))
    assert response.status_code == 302
    assert "HX-Redirect" not in response
