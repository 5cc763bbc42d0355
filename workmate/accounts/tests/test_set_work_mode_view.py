"""Setting where one works on a given day (POST /me/mode/)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import WorkMode, WorkModeDay

URL = reverse("set_work_mode")
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def frozen_clock():
    with time_machine.travel(TUESDAY_TEN, tick=False):
        yield


def test_logged_out_goes_to_login_and_saves_nothing(client, alice):
    response = client.post(URL, {"date": "2025-09-24", "mode": "home"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not WorkModeDay.objects.exists()


def test_get_is_refused(client, alice):
    client.force_login(alice)

    assert client.get(URL).status_code == 405


def test_saves_the_days_mode_and_says_so(client, alice):
    client.force_login(alice)

    response = client.post(
        URL, {"date": "2025-09-24", "mode": "workation", "place": " Jeju ", "note": "Offsite"}
    )

    assert response.status_code == 302
    assert response.url == reverse("profile")
    entry = WorkModeDay.objects.get(user=alice)
    assert (entry.date, entry.mode, entry.place, entry.note) == (
        datetime.date(2025, 9, 24),
        WorkMode.WORKATION,
        "Jeju",
        "Offsite",
    )
    assert "Work mode saved." in client.get(reverse("profile")).content.decode()


def test_a_second_post_for_the_day_replaces_the_first(client, alice):
    client.force_login(alice)

    client.post(URL, {"date": "2025-09-24", "mode": "home"})
    client.post(URL, {"date": "2025-09-24", "mode": "office", "note": "Client visit"})

    assert list(WorkModeDay.objects.values_list("mode", "note")) == [("office", "Client visit")]


def test_todays_mode_shows_at_once_in_the_directory(client, alice, bob):
    client.force_login(bob)
    client.post(URL, {"date": "2025-09-23", "mode": "home"})
    client.force_login(alice)

    page = client.get(reverse("directory")).content.decode()

    bob_row = page.split('data-person="bob@example.com"')[1].split("</tr>")[0]
    assert "mode-home" in bob_row


def test_workation_without_place_is_refused_with_the_reason(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"date": "2025-09-24", "mode": "workation", "place": "  "})

    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="error" id="id_place_error">Say where the workation is.</p>' in page
    # The rest of the profile page is still there to use.
    assert 'name="full_name" value="Alice Kim"' in page
    assert not WorkModeDay.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "2025-08-01", "mode": "home"}, "date"),  # More than a month ago.
        ({"date": "2026-10-01", "mode": "home"}, "date"),  # More than a year ahead.
        ({"date": "tomorrow", "mode": "home"}, "date"),
        ({"date": "2025-09-24", "mode": "beach"}, "mode"),
    ],
)
def test_bad_dates_and_modes_are_refused(client, alice, data, field):
    client.force_login(alice)

    response = client.post(URL, data)

    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not WorkModeDay.objects.exists()


def test_dates_are_checked_against_the_persons_own_today(client, alice):
    # At 10:00 in Seoul it is still the 22nd in Los Angeles: a month back reaches 22 August.
    alice.profile.time_zone = "America/Los_Angeles"
    alice.profile.save()
    client.force_login(alice)

    client.post(URL, {"date": "2025-08-22", "mode": "home"})
    refused = client.post(URL, {"date": "2025-08-21", "mode": "home"})

    assert refused.status_code == 400
    assert list(WorkModeDay.objects.values_list("date", flat=True)) == [datetime.date(2025, 8, 22)]
