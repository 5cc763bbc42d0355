"""Leads set up, change, pause and resume their team's check-ins; nobody else can."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.checkins.models import Checkin
from workmate.checkins.tests.conftest import make_checkin
from workmate.testing.factories import add_member, make_team

NEW = reverse("checkins:new")
VALID = {
    "title": "Friday check-in",
    "questions": "Done\n\n  What is next?  \nBlocked",
    "frequency": "weekly",
    "weekday": "4",
    "time_of_day": "16:00",
}


def test_logged_out_goes_to_login(client, db):
    response = client.get(NEW)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_form_offers_the_default_questions_and_the_teams_led(client, cast, team):
    make_team(code="XX", name="Not led")
    client.force_login(cast[0])

    page = client.get(NEW).content.decode()

    assert "Done\nNext\nBlocked</textarea>" in page
    assert "Technical Engineering" in page
    assert "Not led" not in page


def test_lead_sets_up_a_check_in(client, cast, team):
    alice = cast[0]
    client.force_login(alice)

    response = client.post(NEW, {**VALID, "team": team.pk})

    checkin = Checkin.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("checkins:team", args=[checkin.pk])
    assert (checkin.team, checkin.created_by, checkin.title) == (team, alice, "Friday check-in")
    assert checkin.questions == ["Done", "What is next?", "Blocked"]
    assert (checkin.frequency, checkin.weekday) == ("weekly", 4)
    assert checkin.time_of_day == datetime.time(16)
    assert checkin.active


def test_daily_check_in_drops_the_weekday(client, cast, team):
    client.force_login(cast[0])

    client.post(NEW, {**VALID, "team": team.pk, "frequency": "daily", "weekday": "2"})

    assert Checkin.objects.get().weekday is None


def test_member_who_leads_no_team_gets_403(client, cast, team):
    client.force_login(cast[1])

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {**VALID, "team": team.pk}).status_code == 403
    assert not Checkin.objects.exists()


def test_lead_cannot_set_one_up_for_another_team(client, cast):
    other = make_team(code="OT")
    client.force_login(cast[0])

    response = client.post(NEW, {**VALID, "team": other.pk})

    assert response.status_code == 400
    assert not Checkin.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"time_of_day": "24:30"}, "time_of_day", "Enter a valid time."),
        ({"time_of_day": "16:75"}, "time_of_day", "Enter a valid time."),
        ({"questions": " \n \n"}, "questions", "This field is required."),
        ({"questions": "Done\n" + "x" * 201}, "questions", "Keep each question under 200"),
        ({"weekday": "7"}, "weekday", "Select a valid choice."),
        ({"weekday": ""}, "weekday", "Choose the weekday of a weekly check-in."),
        ({"title": ""}, "title", "This field is required."),
        ({"frequency": "hourly"}, "frequency", "Select a valid choice."),
        ({"questions": "\n".join(f"Q{n}" for n in range(11))}, "questions", "Ask at most 10"),
    ],
)
def test_bad_input_shows_errors_and_saves_nothing(client, cast, team, change, field, message):
    client.force_login(cast[0])

    response = client.post(NEW, {**VALID, "team": team.pk, **change})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert message.split("%")[0] in response.content.decode().replace("&quot;", '"')
    assert not Checkin.objects.exists()


def test_new_form_chooses_no_day_or_time_for_the_lead(client, cast):
    client.force_login(cast[0])

    form = client.get(NEW).context["form"]
    page = client.get(NEW).content.decode()

    assert form["weekday"].value() is None
    assert form["time_of_day"].value() is None
    assert '<option value="" selected>—</option>' in page
    assert 'name="time_of_day" value=' not in page


def test_weekly_without_day_and_time_is_asked_for_both(client, cast, team):
    client.force_login(cast[0])
    posted = {key: value for key, value in VALID.items() if key not in {"weekday", "time_of_day"}}

    response = client.post(NEW, {**posted, "team": team.pk})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "weekday": ["Choose the weekday of a weekly check-in."],
        "time_of_day": ["Choose the time the check-in asks at."],
    }
    assert "Choose the time the check-in asks at." in response.content.decode()
    assert not Checkin.objects.exists()


def test_new_page_refuses_put(client, cast):
    client.force_login(cast[0])

    assert client.put(NEW).status_code == 405


def test_lead_changes_a_check_in(client, checkin, cast):
    client.force_login(cast[0])
    url = reverse("checkins:edit", args=[checkin.pk])

    assert "Weekly check-in" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Daily stand-up",
            "questions": "Yesterday\nToday",
            "frequency": "daily",
            "time_of_day": "09:30",
        },
    )

    assert response.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.title, checkin.questions) == ("Daily stand-up", ["Yesterday", "Today"])
    assert (checkin.frequency, checkin.weekday) == ("daily", None)
    assert checkin.time_of_day == datetime.time(9, 30)
    assert checkin.team.code == "TE"


def test_change_with_bad_time_keeps_the_old_settings(client, checkin, cast):
    client.force_login(cast[0])

    response = client.post(
        reverse("checkins:edit", args=[checkin.pk]),
        {
            "title": "X",
            "questions": "Q",
            "frequency": "weekly",
            "weekday": "4",
            "time_of_day": "25:00",
        },
    )

    assert response.status_code == 400
    checkin.refresh_from_db()
    assert checkin.title == "Weekly check-in"


def test_member_cannot_change_pause_or_resume(client, checkin, cast):
    client.force_login(cast[1])

    assert client.get(reverse("checkins:edit", args=[checkin.pk])).status_code == 403
    assert client.post(reverse("checkins:pause", args=[checkin.pk])).status_code == 403
    checkin.refresh_from_db()
    assert checkin.active


def test_outsider_gets_404(client, checkin, charlie):
    client.force_login(charlie)

    for name in ("edit", "pause", "resume", "team"):
        method = client.get if name in ("edit", "team") else client.post
        assert method(reverse(f"checkins:{name}", args=[checkin.pk])).status_code == 404


def test_lead_of_another_team_gets_404(client, checkin):
    from workmate.testing.factories import make_user

    other_lead = make_user()
    add_member(make_team(), other_lead, "lead")
    client.force_login(other_lead)

    assert client.get(reverse("checkins:edit", args=[checkin.pk])).status_code == 404


def test_pause_and_resume(client, checkin, cast):
    client.force_login(cast[0])
    before = checkin.active_since

    assert client.get(reverse("checkins:pause", args=[checkin.pk])).status_code == 405
    response = client.post(reverse("checkins:pause", args=[checkin.pk]))
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert not checkin.active

    client.post(reverse("checkins:resume", args=[checkin.pk]))
    checkin.refresh_from_db()
    assert checkin.active
    assert checkin.active_since > before


def test_pause_is_shown_on_the_team_page(client, team, cast):
    paused = make_checkin(team, cast[0], active=False)
    client.force_login(cast[0])

    page = client.get(reverse("checkins:team", args=[paused.pk])).content.decode()

    assert "Paused" in page
    assert reverse("checkins:resume", args=[paused.pk]) in page
