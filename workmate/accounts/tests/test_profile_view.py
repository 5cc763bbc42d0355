"""The profile page: a person's own name, language, hours, quiet hours and weekly modes."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import User, WorkMode, WorkModeDay, WorkProfile
from workmate.accounts.tests.helpers import korean, profile_form_data
from workmate.testing.factories import make_user

URL = reverse("profile")
T = datetime.time
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def snapshot(user: User) -> tuple:
    """Everything the profile form can change, straight from the database."""
    user = User.objects.get(pk=user.pk)
    profile = WorkProfile.objects.get(user=user)
    return (
        user.full_name,
        user.language,
        profile.title,
        profile.time_zone,
        profile.work_days,
        profile.work_start,
        profile.work_end,
        profile.quiet_start,
        profile.quiet_end,
        profile.holiday_country,
        profile.weekly_modes,
        profile.usual_place,
    )


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_other_methods_are_refused(client, alice):
    client.force_login(alice)

    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_shows_current_settings_and_planned_days(client, alice):
    alice.profile.title = "Team lead"
    alice.profile.quiet_start, alice.profile.quiet_end = T(22), T(7)
    alice.profile.save()
    WorkModeDay.objects.create(user=alice, date=datetime.date(2025, 9, 22), mode="home")
    WorkModeDay.objects.create(
        user=alice, date=datetime.date(2025, 9, 25), mode="workation", place="Jeju", note="Team"
    )
    client.force_login(alice)

    response = client.get(URL)

    page = response.content.decode()
    assert "<html" in page
    assert 'name="full_name" value="Alice Kim"' in page
    assert 'name="title" value="Team lead"' in page
    assert '<option value="Asia/Seoul" selected>' in page
    assert 'name="quiet_start" value="22:00"' in page
    assert 'name="work_days" value="4" id="id_work_days_4" checked' in page
    assert 'name="work_days" value="5" id="id_work_days_5">' in page
    # The work-mode form starts at the person's local today.
    assert 'name="date" value="2025-09-23"' in page
    # Only today's and later entries are planned days; each can be removed.
    assert "Thu 25 Sep · " in page and "Jeju" in page and "(Team)" in page
    assert "Mon 22 Sep" not in page
    assert f'action="{reverse("clear_work_mode", args=["2025-09-25"])}"' in page


def test_a_profile_lost_along_the_way_is_recreated(client, alice):
    WorkProfile.objects.filter(user=alice).delete()
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert WorkProfile.objects.filter(user=alice).exists()


def test_valid_post_saves_everything_and_switches_the_language(client, alice):
    client.force_login(alice)
    data = profile_form_data(
        alice,
        full_name="Alice Kim-Park",
        title="Head of TE",
        language="ko",
        time_zone="Europe/Berlin",
        work_days=["0", "1", "2", "3"],
        work_start="08:00",
        work_end="16:30",
        quiet_start="22:00",
        quiet_end="07:00",
        holiday_country="DE",
        mode_1="home",
        mode_4="workation",
        usual_place="Jeju",
    )

    response = client.post(URL, data)

    assert response.status_code == 302
    assert response.url == URL
    assert snapshot(alice) == (
        "Alice Kim-Park",
        "ko",
        "Head of TE",
        "Europe/Berlin",
        [0, 1, 2, 3],
        T(8),
        T(16, 30),
        T(22),
        T(7),
        "DE",
        ["office", "home", "office", "office", "workation", "office", "office"],
        "Jeju",
    )
    cookie = response.cookies["django_language"]
    assert (cookie.value, cookie["samesite"]) == ("ko", "Lax")
    following = client.get(URL).content.decode()
    assert '<html lang="ko">' in following
    assert "Your profile is saved." in following


def test_language_cookie_is_secure_where_cookies_are(client, alice, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    client.force_login(alice)

    response = client.post(URL, profile_form_data(alice))

    assert response.cookies["django_language"]["secure"] is True


def test_clearing_quiet_hours_and_title(client, alice):
    alice.profile.quiet_start, alice.profile.quiet_end, alice.profile.title = T(22), T(7), "X"
    alice.profile.save()
    client.force_login(alice)

    client.post(URL, profile_form_data(alice, quiet_start="", quiet_end="", title=""))

    profile = WorkProfile.objects.get(user=alice)
    assert (profile.quiet_start, profile.quiet_end, profile.title) == (None, None, "")


BAD_INPUT = [
    pytest.param(
        {"time_zone": "Mars/Olympus"},
        "time_zone",
        "“Mars/Olympus” is not a known time zone.",
        id="unknown-time-zone",
    ),
    pytest.param(
        {"work_start": "18:00", "work_end": "09:00"},
        "work_end",
        "The working day must end after it starts.",
        id="end-before-start",
    ),
    pytest.param(
        {"work_start": "09:00", "work_end": "09:00"},
        "work_end",
        "The working day must end after it starts.",
        id="no-length",
    ),
    pytest.param(
        {"quiet_start": "17:00", "quiet_end": "19:00"},
        "quiet_start",
        "Quiet hours overlap your working hours; move one of them.",
        id="quiet-overlaps-evening",
    ),
    pytest.param(
        {"quiet_start": "22:00", "quiet_end": "09:30"},
        "quiet_start",
        "Quiet hours overlap your working hours; move one of them.",
        id="wrapping-quiet-overlaps-morning",
    ),
    pytest.param(
        {"quiet_start": "22:00", "quiet_end": ""},
        "quiet_end",
        "Give both the start and the end of your quiet hours, or neither.",
        id="only-quiet-start",
    ),
    pytest.param(
        {"quiet_start": "", "quiet_end": "07:00"},
        "quiet_start",
        "Give both the start and the end of your quiet hours, or neither.",
        id="only-quiet-end",
    ),
    pytest.param(
        {"quiet_start": "22:00", "quiet_end": "22:00"},
        "quiet_end",
        "Quiet hours must not start and end at once.",
        id="quiet-of-no-length",
    ),
    pytest.param(
        {"work_days": []},
        "work_days",
        "Choose at least one working day.",
        id="no-working-days",
    ),
    pytest.param(
        {"mode_2": "workation", "usual_place": ""},
        "usual_place",
        "Name your usual workation place for workation weekdays.",
        id="workation-without-place",
    ),
    pytest.param({"work_start": "nine"}, "work_start", "Enter a valid time.", id="time-not-a-time"),
    pytest.param({"full_name": ""}, "full_name", "This field is required.", id="no-name"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_shows_the_error_and_saves_nothing(client, alice, overrides, field, message):
    client.force_login(alice)
    before = snapshot(alice)
    # Every bad post also renames the person: that must not be saved either.
    data = profile_form_data(alice, full_name="Renamed", language="ko", title="New title")
    data.update(overrides)

    response = client.post(URL, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert f'<p class="error" id="id_{field}_error">{message}</p>' in page
    assert snapshot(alice) == before
    # The form keeps what was typed so it can be corrected.
    assert 'name="title" value="New title"' in page


def test_errors_are_in_the_persons_language(client, db):
    minji = make_user(email="minji@example.com", full_name="Minji Seo", language="ko")
    client.force_login(minji)
    before = snapshot(minji)
    data = profile_form_data(minji, full_name="", work_start="18:00", work_end="09:00")

    page = client.post(URL, data).content.decode()

    assert '<html lang="ko">' in page
    required = korean("This field is required.")
    assert required != "This field is required."
    assert f'<p class="error" id="id_full_name_error">{required}</p>' in page
    message = korean("The working day must end after it starts.")
    assert f'<p class="error" id="id_work_end_error">{message}</p>' in page
    assert snapshot(minji) == before


@pytest.mark.parametrize("mode", [WorkMode.OFFICE, WorkMode.HOME])
def test_usual_place_is_optional_without_workation_days(client, alice, mode):
    client.force_login(alice)

    client.post(URL, profile_form_data(alice, usual_place="", **{"mode_0": mode}))

    assert WorkProfile.objects.get(user=alice).weekly_modes[0] == mode


def test_no_public_holidays_is_saved_and_the_calendar_honours_it(client, alice):
    client.force_login(alice)

    response = client.post(URL, profile_form_data(alice, holiday_country=""))

    assert response.status_code == 302
    alice.profile.refresh_from_db()
    assert alice.profile.holiday_country == ""
    # 2025-10-03 (Friday) is National Foundation Day in Korea: a working day without a calendar.
    hours = alice.profile.working_hours(days_off=frozenset())
    assert hours.is_working_day(datetime.date(2025, 10, 3))


def test_every_offered_country_saves(client, alice):
    client.force_login(alice)
    page = client.get(URL).content.decode()
    offered = re.findall(r'<option value="([A-Z]*)"', page.split('name="holiday_country"')[1])

    assert len(offered) > 200 and "" in offered
    for code in offered:
        response = client.post(URL, profile_form_data(alice, holiday_country=code))
        assert response.status_code == 302, code
        alice.profile.refresh_from_db()
        assert alice.profile.holiday_country == code


def test_a_three_letter_code_is_a_form_error_not_a_500(client, alice):
    client.force_login(alice)

    response = client.post(URL, profile_form_data(alice, holiday_country="ABW"))

    assert response.status_code == 200
    assert "ABW is not one of the available choices" in response.content.decode()
    alice.profile.refresh_from_db()
    assert alice.profile.holiday_country == "KR"


def test_countries_are_named_in_the_readers_language(client, alice):
    client.force_login(alice)

    english = client.get(URL).content.decode()
    alice.language = "ko"
    alice.save(update_fields=["language"])
    korean_page = client.get(URL, headers={"accept-language": "ko"}).content.decode()

    assert '<option value="KR" selected>South Korea</option>' in english
    assert '<option value="AW">Aruba</option>' in english
    assert '<option value="KR" selected>대한민국</option>' in korean_page
    assert "공휴일 없음" in korean_page
