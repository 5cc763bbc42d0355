"""Searching past check-ins by person and date, within one's own teams."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.checkins.tests.conftest import SEOUL, make_checkin, make_response
from workmate.testing.factories import add_member, make_team, make_user

URL = reverse("checkins:search")
HTMX = {"HX-Request": "true"}
SENT = datetime.datetime(2025, 11, 21, 17, tzinfo=SEOUL)


def friday(weeks_back: int) -> datetime.date:
    return datetime.date(2025, 11, 21) - datetime.timedelta(weeks=weeks_back)


@pytest.fixture
def answers(checkin, cast):
    alice, bob = cast
    for weeks in range(4):
        for person in (alice, bob):
            make_response(
                checkin,
                person,
                friday(weeks),
                answers=[f"{person.get_short_name()} week {weeks}"],
                submitted_at=SENT,
            )
    make_response(checkin, bob, friday(-1))  # Open, not sent: never listed.
    # Another team's check-in, invisible to TE.
    other = make_team(code="OT")
    stranger = make_user(full_name="Stranger Danger")
    add_member(other, stranger, "lead")
    make_response(
        make_checkin(other, stranger),
        stranger,
        friday(0),
        answers=["Secret plans"],
        submitted_at=SENT,
    )


def found(page: str) -> list[str]:
    import re

    return re.findall(r"<p>(\w+ week \d)</p>", page)


def test_logged_out_goes_to_login(client, db):
    result = client.get(URL)

    assert result.status_code == 302
    assert result.url.startswith(reverse("login"))


def test_post_is_refused(client, cast):
    client.force_login(cast[1])

    assert client.post(URL).status_code == 405


def test_lists_sent_answers_of_my_teams_newest_first(
    client, answers, cast, django_assert_max_num_queries
):
    client.force_login(cast[1])

    with django_assert_max_num_queries(6):
        page = client.get(URL).content.decode()

    assert "<html" in page
    assert "8 check-ins" in page
    assert found(page)[:2] == ["Alice week 0", "Bob week 0"]
    assert found(page)[-1] == "Bob week 3"
    assert "Secret plans" not in page
    assert "Stranger Danger" not in page


def test_filters_by_person_and_date_range(client, answers, cast):
    alice, bob = cast
    client.force_login(alice)

    page = client.get(
        URL, {"person": bob.pk, "since": friday(2).isoformat(), "until": friday(1).isoformat()}
    ).content.decode()

    assert found(page) == ["Bob week 1", "Bob week 2"]


def test_htmx_gets_only_the_results(client, answers, cast):
    client.force_login(cast[0])

    fragment = client.get(URL, {"person": cast[1].pk}, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert found(fragment) == [f"Bob week {n}" for n in range(4)]


def test_person_outside_my_teams_is_not_a_choice(client, answers, cast):
    stranger = make_user(full_name="Not Here")
    client.force_login(cast[0])

    page = client.get(URL, {"person": stranger.pk}).content.decode()

    assert "Select a valid choice" in page
    assert found(page) == []


def test_backwards_date_range_is_an_error(client, answers, cast):
    client.force_login(cast[0])

    page = client.get(URL, {"since": "2025-11-21", "until": "2025-11-01"}).content.decode()

    assert "The end date cannot be before the start date." in page
    assert found(page) == []


def test_outsider_finds_nothing(client, answers, charlie):
    client.force_login(charlie)

    page = client.get(URL).content.decode()

    assert "0 check-ins" in page
    assert found(page) == []
