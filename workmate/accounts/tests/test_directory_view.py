"""The people directory: filters, search, pages, htmx rows and a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.accounts import views
from workmate.accounts.models import TeamRole, WorkModeDay
from workmate.accounts.tests.helpers import HTMX
from workmate.testing.factories import add_member, make_team, make_user

URL = reverse("directory")
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def listed(response) -> list[str]:
    return re.findall(r'data-person="([^"]+)"', response.content.decode())


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_post_is_refused(client, alice):
    client.force_login(alice)

    assert client.post(URL).status_code == 405


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_lists_everyone_with_teams_mode_and_status(client, alice, bob, charlie):
    berlin = make_user(
        email="jonas@example.com",
        full_name="Jonas Weber",
        profile={"time_zone": "Europe/Berlin", "holiday_country": "DE", "title": "SRE"},
    )
    WorkModeDay.objects.create(user=bob, date=TUESDAY_TEN.date(), mode="home")
    client.force_login(alice)

    response = client.get(URL)

    page = response.content.decode()
    assert "<html" in page
    assert listed(response) == [
        "alice@example.com",
        "bob@example.com",
        "charlie@example.com",
        berlin.email,
    ]
    bob_row = page.split('data-person="bob@example.com"')[1].split("</tr>")[0]
    assert "Home" in bob_row and "Working" in bob_row and ">TE<" in bob_row
    alice_row = page.split('data-person="alice@example.com"')[1].split("</tr>")[0]
    assert "TE ★" in alice_row
    berlin_row = page.split(f'data-person="{berlin.email}"')[1].split("</tr>")[0]
    assert "SRE" in berlin_row
    assert "Tue 03:00" in berlin_row and "Europe/Berlin" in berlin_row
    assert "Off hours" in berlin_row
    # "Back" is shown in the viewer's zone: 09:00 in Berlin is 16:00 in Seoul.
    assert "back Tue 23 Sep, 16:00" in berlin_row
    assert "Times are shown in your time zone (Asia/Seoul)" in page


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_times_follow_the_viewers_time_zone(client, alice, bob):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "Times are shown in your time zone (Europe/Berlin)" in page
    bob_row = page.split('data-person="bob@example.com"')[1].split("</tr>")[0]
    # Bob works until 18:00 in Seoul, which is 11:00 in Berlin.
    assert "until Tue 11:00" in bob_row


def test_team_filter(client, alice, bob, charlie):
    make_team(code="OPS", name="Operations")
    client.force_login(alice)

    response = client.get(URL, {"team": "TE"})

    assert listed(response) == ["alice@example.com", "bob@example.com"]
    assert '<option value="TE" selected>' in response.content.decode()
    assert '<option value="OPS">' in response.content.decode()


def test_search(client, alice, bob, charlie):
    client.force_login(alice)

    response = client.get(URL, {"q": "  park "})

    assert listed(response) == ["charlie@example.com"]
    assert 'value="park"' in response.content.decode()


def test_nobody_matches(client, alice):
    client.force_login(alice)

    response = client.get(URL, {"q": "zzz"})

    assert listed(response) == []
    assert "Nobody matches." in response.content.decode()


def test_pages_keep_the_filters(client, alice, bob, charlie, monkeypatch):
    monkeypatch.setattr(views, "DIRECTORY_PAGE_SIZE", 2)
    for number in range(3):
        add_member(alice.teams.get(), make_user(full_name=f"Zed {number}"))
    client.force_login(alice)

    first = client.get(URL, {"team": "TE"})
    second = client.get(URL, {"team": "TE", "page": 2})
    last = client.get(URL, {"team": "TE", "page": 99})

    assert listed(first) == ["alice@example.com", "bob@example.com"]
    assert len(listed(second)) == 2
    assert set(listed(first)).isdisjoint(listed(second))
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?team=TE&amp;page=2"' in first.content.decode()
    assert 'href="?team=TE&amp;page=1"' in second.content.decode()
    # Out-of-range pages show the last page rather than an error.
    assert "Page 3 of 3" in last.content.decode()
    assert len(listed(last)) == 1


def test_htmx_gets_only_the_rows(client, alice, bob):
    client.force_login(alice)

    response = client.get(URL, {"q": "bob"}, headers=HTMX)

    fragment = response.content.decode()
    assert "<html" not in fragment
    assert '<select name="team"' not in fragment
    assert fragment.startswith('<div class="table-wrap">')
    assert listed(response) == ["bob@example.com"]


def _page_queries(client, viewer, count: int) -> int:
    team = viewer.teams.get()
    other = make_team()
    for number in range(count):
        person = make_user(full_name=f"Member {number:02}")
        add_member(team, person)
        add_member(other, person, TeamRole.LEAD)
        WorkModeDay.objects.create(user=person, date=TUESDAY_TEN.date(), mode="home")
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert len(listed(response)) == count + 1
    return len(queries)


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_query_count_does_not_grow_with_the_number_of_people(client, alice, django_user_model):
    few = _page_queries(client, alice, 3)
    django_user_model.objects.exclude(pk=alice.pk).delete()
    many = _page_queries(client, alice, 30)

    assert few == many


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_a_page_takes_eight_queries(client, alice, django_assert_num_queries):
    for number in range(30):
        add_member(alice.teams.get(), make_user(full_name=f"Member {number:02}"))
    client.force_login(alice)

    # Session, viewer with their profile, count, the page of people with their profiles,
    # their memberships with teams, company days off, day overrides, the team filter.
    with django_assert_num_queries(8):
        response = client.get(URL)

    assert len(listed(response)) == 31
