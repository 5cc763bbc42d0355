"""The User model and its manager: e-mail log-in names, case-insensitive uniqueness."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from workmate.accounts.models import OrgRole, TeamRole, User, WorkMode, WorkProfile
from workmate.testing.factories import add_member, make_team, make_user


def test_create_user_lowercases_the_whole_address(db):
    user = User.objects.create_user("Dana.Choi@Example.COM", "pw-long-enough", full_name="Dana")

    user.refresh_from_db()
    assert user.email == "dana.choi@example.com"
    assert user.check_password("pw-long-enough")


def test_create_user_needs_an_address(db):
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", "secret")
    assert not User.objects.exists()


def test_create_user_without_password_cannot_log_in(db):
    user = User.objects.create_user("nopass@example.com", full_name="No Pass")

    assert not user.has_usable_password()


def test_create_superuser_is_staff_and_administration(db):
    user = User.objects.create_superuser("root@example.com", "pw-long-enough", full_name="Root")

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.org_role) == (True, True, OrgRole.STAFF)
    assert user.is_executive


def test_manager_refuses_same_address_in_other_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("ALICE@example.com", "pw", full_name="Imposter")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def test_database_refuses_same_address_in_other_case_even_past_the_manager(alice):
    # The plain unique index is case-sensitive; the Lower(email) constraint is what stops this.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Alice@Example.com", full_name="Imposter")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def test_validation_reports_the_case_insensitive_duplicate(alice):
    other = User(email="ALICE@EXAMPLE.COM", full_name="Imposter")
    other.set_unusable_password()

    with pytest.raises(ValidationError) as caught:
        other.full_clean()

    # clean() lowercased the address before the duplicate was found.
    assert other.email == "alice@example.com"
    assert list(caught.value.message_dict) == ["email"]


def test_natural_key_lookup_ignores_case_and_spaces(alice):
    assert User.objects.get_by_natural_key("  ALICE@Example.com ") == alice


def test_profile_is_created_with_defaults_by_signal(db):
    user = make_user(email="new@example.com")

    profile = WorkProfile.objects.get(user=user)
    assert profile.time_zone == "Asia/Seoul"
    assert profile.work_days == [0, 1, 2, 3, 4]
    assert profile.weekly_modes == [WorkMode.OFFICE] * 7
    assert profile.holiday_country == "KR"


def test_saving_a_person_again_keeps_one_profile(alice):
    alice.full_name = "Alice Kim-Park"
    alice.save()

    assert WorkProfile.objects.filter(user=alice).count() == 1


def test_loading_fixtures_creates_no_profile(db):
    # Raw saves (loaddata) bring their own profile rows, so the signal must stay out.
    user = User(email="raw@example.com", full_name="Raw")
    user.save_base(raw=True)

    assert not WorkProfile.objects.filter(user_id=user.pk).exists()


def test_names(db):
    user = make_user(full_name="Minji Seo Kang", email="minji@example.com")
    nameless = make_user(full_name="", email="nameless@example.com")

    assert (str(user), user.get_full_name(), user.get_short_name()) == (
        "Minji Seo Kang",
        "Minji Seo Kang",
        "Minji",
    )
    assert (str(nameless), nameless.get_short_name()) == ("nameless@example.com",) * 2


@pytest.mark.parametrize(
    ("org_role", "superuser", "expected"),
    [
        (OrgRole.MEMBER, False, False),
        (OrgRole.EXECUTIVE, False, True),
        (OrgRole.STAFF, False, True),
        (OrgRole.MEMBER, True, True),
    ],
)
def test_is_executive(db, org_role, superuser, expected):
    assert make_user(org_role=org_role, is_superuser=superuser).is_executive is expected


def test_leads_only_the_teams_it_leads(alice, bob, team):
    other = make_team()
    add_member(other, alice, TeamRole.MEMBER)

    assert alice.leads(team)
    assert not alice.leads(other)
    assert not bob.leads(team)


def test_people_are_listed_by_name(db):
    make_user(full_name="Zoe")
    make_user(full_name="Ahn")

    assert [user.full_name for user in User.objects.all()] == ["Ahn", "Zoe"]
