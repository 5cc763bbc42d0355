"""The home page: the person's own day and their teams."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from workmate.accounts.models import WorkModeDay
from workmate.accounts.tests.helpers import HTMX

TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def test_logged_out_goes_to_login(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_post_is_refused(client, alice):
    client.force_login(alice)

    response = client.post(reverse("home"))

    assert response.status_code == 405


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_shows_my_day_and_my_teams(client, alice):
    WorkModeDay.objects.create(user=alice, date=TUESDAY_TEN.date(), mode="workation", place="Jeju")
    client.force_login(alice)

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert "<html" in page
    assert "Hello, Alice" in page
    assert "Workation" in page and "Jeju" in page
    assert "Working" in page and "until Tue 18:00" in page
    assert "Tue 10:00" in page and "Asia/Seoul" in page
    assert 'href="/people/?team=TE"' in page
    assert "TE · Technical Engineering" in page and "Lead" in page


@time_machine.travel(TUESDAY_TEN.replace(hour=20), tick=False)
def test_off_hours_say_when_i_am_back(client, bob):
    client.force_login(bob)

    page = client.get(reverse("home")).content.decode()

    assert "Off hours" in page
    assert "back Wed 24 Sep, 09:00" in page


def test_someone_in_no_team_is_told_so(client, charlie):
    client.force_login(charlie)

    page = client.get(reverse("home")).content.decode()

    assert "You are not in a team yet" in page


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_htmx_gets_only_the_availability_fragment(client, alice):
    client.force_login(alice)

    response = client.get(reverse("home"), headers=HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<dl class="availability">')
    assert "until Tue 18:00" in fragment
    assert "Your teams" not in fragment


def test_full_page_polls_the_fragment(client, alice):
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert 'id="me-today" hx-get="/" hx-trigger="every 60s"' in page
