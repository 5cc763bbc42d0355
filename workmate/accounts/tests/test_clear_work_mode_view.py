"""Going back to the usual weekly mode for a day (POST /me/mode/<date>/clear/)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import WorkModeDay

DAY = datetime.date(2025, 9, 24)
URL = reverse("clear_work_mode", args=["2025-09-24"])
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def frozen_clock():
    with time_machine.travel(TUESDAY_TEN, tick=False):
        yield


@pytest.fixture
def planned(alice, bob):
    WorkModeDay.objects.create(user=alice, date=DAY, mode="home")
    WorkModeDay.objects.create(user=bob, date=DAY, mode="home")


def owners() -> list[str]:
    return sorted(WorkModeDay.objects.values_list("user__email", flat=True))


def test_logged_out_goes_to_login_and_removes_nothing(client, planned):
    response = client.post(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert owners() == ["alice@example.com", "bob@example.com"]


def test_get_is_refused(client, alice, planned):
    client.force_login(alice)

    assert client.get(URL).status_code == 405
    assert owners() == ["alice@example.com", "bob@example.com"]


def test_removes_only_my_entry_for_that_day(client, alice, planned):
    client.force_login(alice)

    response = client.post(URL, follow=True)

    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert owners() == ["bob@example.com"]
    assert "Back to your usual work mode for that day." in response.content.decode()


def test_nothing_to_remove_says_nothing(client, charlie, planned):
    client.force_login(charlie)

    response = client.post(URL, follow=True)

    assert owners() == ["alice@example.com", "bob@example.com"]
    assert "Back to your usual work mode" not in response.content.decode()


def test_a_malformed_date_changes_nothing(client, alice, planned):
    client.force_login(alice)

    response = client.post(reverse("clear_work_mode", args=["someday"]))

    assert response.url == reverse("profile")
    assert owners() == ["alice@example.com", "bob@example.com"]
