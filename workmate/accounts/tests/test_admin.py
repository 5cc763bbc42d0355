"""The administration site: staff only, and its people and team pages work."""

from __future__ import annotations

import datetime

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workmate.accounts.models import CompanyDayOff, User, WorkModeDay, WorkProfile
from workmate.testing.factories import DEFAULT_PASSWORD, make_team, make_user


def admin_user():
    return make_user(
        email="admin@example.com", full_name="Admin Yoon", is_staff=True, is_superuser=True
    )


def add_person_data(email: str, full_name: str, **extra: str) -> dict[str, str]:
    """A POST for the admin's add-person page, with an empty memberships inline."""
    data = {
        "email": email,
        "full_name": full_name,
        "usable_password": "true",
        "password1": "plum-orchard-lantern-42",
        "password2": "plum-orchard-lantern-42",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    data.update(extra)
    return data


def test_logged_out_goes_to_the_admin_login(client, db):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={reverse('admin:index')}"


def test_non_staff_are_sent_to_the_admin_login(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_get_in(client, db):
    staff = make_user(email="staff@example.com", is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Workmate" in response.content.decode()


def test_admin_login_accepts_the_address_in_any_case(client, db):
    admin_user()

    response = client.post(
        reverse("admin:login"),
        {"username": "ADMIN@example.com", "password": DEFAULT_PASSWORD, "next": "/admin/"},
    )

    assert response.url == "/admin/"
    assert client.session[SESSION_KEY] == str(User.objects.get(email="admin@example.com").pk)


def test_people_list_filters_by_team_and_searches(client, alice, bob, charlie):
    make_team(code="OPS")
    client.force_login(admin_user())
    team_id = alice.teams.get().pk

    by_team = client.get(
        reverse("admin:accounts_user_changelist"), {"memberships__team__id__exact": team_id}
    ).content.decode()
    searched = client.get(reverse("admin:accounts_user_changelist"), {"q": "park"}).content.decode()

    assert "alice@example.com" in by_team and "bob@example.com" in by_team
    assert "charlie@example.com" not in by_team
    assert "charlie@example.com" in searched and "alice@example.com" not in searched


def test_person_page_edits_profile_and_teams_inline(client, alice):
    client.force_login(admin_user())

    page = client.get(reverse("admin:accounts_user_change", args=[alice.pk])).content.decode()

    assert 'name="profile-0-time_zone"' in page
    assert 'name="memberships-0-role"' in page
    assert 'value="alice@example.com"' in page


def test_adding_a_person_lowercases_the_address_and_gives_a_profile(client, db):
    client.force_login(admin_user())

    response = client.post(
        reverse("admin:accounts_user_add"), add_person_data("New.Person@Example.com", "New")
    )

    created = User.objects.get(full_name="New")
    assert response.url == reverse("admin:accounts_user_change", args=[created.pk])
    assert created.email == "new.person@example.com"
    assert created.check_password("plum-orchard-lantern-42")
    assert WorkProfile.objects.filter(user=created).count() == 1


def test_add_page_leaves_the_profile_to_the_change_page(client, db):
    # The profile is created on save; an inline here would try to create a second one.
    client.force_login(admin_user())

    page = client.get(reverse("admin:accounts_user_add")).content.decode()

    assert 'name="profile-TOTAL_FORMS"' not in page
    assert 'name="memberships-TOTAL_FORMS"' in page


def test_adding_a_person_straight_into_a_team(client, team):
    client.force_login(admin_user())

    client.post(
        reverse("admin:accounts_user_add"),
        add_person_data(
            "new@example.com",
            "New",
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-team": str(team.pk),
                "memberships-0-role": "lead",
                "memberships-0-joined_at_0": "2025-09-23",
                "memberships-0-joined_at_1": "09:00:00",
            },
        ),
    )

    created = User.objects.get(email="new@example.com")
    assert created.leads(team)


def test_adding_an_address_that_exists_in_another_case_is_refused(client, alice):
    client.force_login(admin_user())

    response = client.post(
        reverse("admin:accounts_user_add"), add_person_data("ALICE@example.com", "Imposter")
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.filter(full_name="Imposter").exists()


def test_other_lists_open(client, alice, team):
    CompanyDayOff.objects.create(date=datetime.date(2025, 5, 2), name="Foundation day")
    WorkModeDay.objects.create(user=alice, date=datetime.date(2025, 9, 23), mode="home")
    client.force_login(admin_user())

    pages = {
        name: client.get(reverse(f"admin:accounts_{name}_changelist")).content.decode()
        for name in ("team", "companydayoff", "workmodeday")
    }
    team_page = client.get(reverse("admin:accounts_team_change", args=[team.pk]))

    assert "Technical Engineering" in pages["team"]
    assert "Foundation day" in pages["companydayoff"]
    assert "Alice Kim" in pages["workmodeday"]
    assert 'name="memberships-0-role"' in team_page.content.decode()
