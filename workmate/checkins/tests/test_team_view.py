"""A check-in's team page: every answer of an occurrence and who has not answered yet."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.checkins.tests.conftest import SEOUL, make_checkin, make_response
from workmate.testing.factories import add_member, make_team, make_user

FRIDAY = datetime.date(2025, 11, 21)
LAST_FRIDAY = datetime.date(2025, 11, 14)
SENT = datetime.datetime(2025, 11, 21, 17, tzinfo=SEOUL)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def dana(team, cast):
    person = make_user(full_name="Dana Weber")
    add_member(team, person)
    return person


@pytest.fixture
def week(checkin, cast, dana):
    alice, bob = cast
    make_response(checkin, alice, FRIDAY, answers=["Planned Q1", "", ""], submitted_at=SENT)
    make_response(checkin, bob, FRIDAY)  # Asked, not answered.
    make_response(checkin, bob, LAST_FRIDAY, answers=["Old **work**", "", ""], submitted_at=SENT)
    return checkin


def url(checkin, **query) -> str:
    base = reverse("checkins:team", args=[checkin.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_logged_out_goes_to_login(client, checkin):
    result = client.get(url(checkin))

    assert result.status_code == 302
    assert result.url.startswith(reverse("login"))


def test_post_is_refused(client, checkin, cast):
    client.force_login(cast[1])

    assert client.post(url(checkin)).status_code == 405


def test_shows_the_latest_answers_and_who_has_not_answered(
    client, week, cast, django_assert_max_num_queries
):
    client.force_login(cast[0])

    with django_assert_max_num_queries(8):
        page = client.get(url(week)).content.decode()

    assert "<html" in page
    answered = section(page, "checkin-answered")
    assert "1 answer on" in answered
    assert "Alice Kim" in answered and "Planned Q1" in answered
    assert "Old" not in answered
    waiting = section(page, "checkin-not-answered")
    assert "Bob Lee" in waiting and "asked" in waiting
    assert "Dana Weber" in waiting and "not asked yet" in waiting
    assert "Alice Kim" not in waiting
    # The lead's controls.
    assert reverse("checkins:edit", args=[week.pk]) in page


def test_query_count_does_not_grow_with_the_team(
    client, week, team, cast, django_assert_max_num_queries
):
    for number in range(15):
        person = make_user(full_name=f"Extra {number:02}")
        add_member(team, person)
        make_response(week, person, FRIDAY, answers=[f"Extra work {number}"], submitted_at=SENT)
    client.force_login(cast[1])

    with django_assert_max_num_queries(8):
        page = client.get(url(week)).content.decode()

    assert "16 answers on" in page
    assert "Extra work 14" in page


def test_member_sees_it_without_lead_controls(client, week, cast):
    client.force_login(cast[1])

    page = client.get(url(week)).content.decode()

    assert "Planned Q1" in page
    assert reverse("checkins:edit", args=[week.pk]) not in page


def test_switching_occurrence_with_htmx_returns_the_fragment(client, week, cast):
    client.force_login(cast[0])

    fragment = client.get(url(week, on="2025-11-14"), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert "<strong>work</strong>" in section(fragment, "checkin-answered")
    assert "Bob Lee" in section(fragment, "checkin-answered")
    page = client.get(url(week, on="2025-11-14")).content.decode()
    assert "<html" in page and "<strong>work</strong>" in page
    assert 'href="?on=2025-11-21"' in page and 'hx-get="?on=2025-11-21"' in page


def test_unknown_or_bad_dates_fall_back_to_the_latest(client, week, cast):
    client.force_login(cast[0])

    for bad in ("2025-02-30", "nonsense", "2024-01-05"):
        page = client.get(url(week, on=bad)).content.decode()
        assert "Planned Q1" in page


def test_before_anything_opened(client, checkin, cast):
    client.force_login(cast[1])

    page = client.get(url(checkin)).content.decode()

    assert "has not opened yet" in page


def test_outsider_and_other_teams_get_404(client, week, charlie):
    other = make_team(code="OT")
    stranger = make_user()
    add_member(other, stranger, "lead")
    hidden = make_checkin(other, stranger)

    client.force_login(charlie)
    assert client.get(url(week)).status_code == 404
    assert client.get(url(week), headers=HTMX).status_code == 404
    client.force_login(week.created_by)
    assert client.get(url(hidden)).status_code == 404


def test_an_old_date_beyond_the_date_links_can_still_be_opened(client, checkin, cast):
    bob = cast[1]
    for weeks in range(30):
        day = FRIDAY - datetime.timedelta(weeks=weeks)
        make_response(checkin, bob, day, answers=[f"Answer of {day}"], submitted_at=SENT)
    oldest = FRIDAY - datetime.timedelta(weeks=29)
    client.force_login(cast[0])

    page = client.get(url(checkin, on=oldest.isoformat())).content.decode()

    assert f'href="?on={oldest.isoformat()}"' not in page
    assert f"Answer of {oldest}" in section(page, "checkin-answered")
