"""UserBackend: the user of a session comes with their work profile, in one query."""

from __future__ import annotations

from workmate.accounts.backends import UserBackend
from workmate.testing.factories import make_user


def test_the_user_and_their_profile_are_read_in_one_query(db, django_assert_num_queries):
    minji = make_user(profile={"time_zone": "Europe/Berlin"})

    with django_assert_num_queries(1):
        user = UserBackend().get_user(minji.pk)
        assert user == minji
        assert user.profile.time_zone == "Europe/Berlin"


def test_an_inactive_or_unknown_user_is_nobody(db):
    gone = make_user(is_active=False)

    assert UserBackend().get_user(gone.pk) is None
    assert UserBackend().get_user(gone.pk + 1000) is None


def test_a_person_signs_in_through_it(client, db):
    minji = make_user(email="minji@example.com")

    assert client.login(email="minji@example.com", password="correct-horse-battery-staple")

    assert client.session["_auth_user_backend"] == "workmate.accounts.backends.UserBackend"
    assert client.session["_auth_user_id"] == str(minji.pk)


def test_a_user_without_a_profile_has_none(db):
    from workmate.accounts.models import WorkProfile

    minji = make_user()
    WorkProfile.objects.filter(user=minji).delete()

    user = UserBackend().get_user(minji.pk)

    assert user == minji
    assert not hasattr(user, "profile")


def test_the_users_fields_are_read_as_the_orm_reads_them(db):
    from workmate.accounts.models import User

    minji = make_user(profile={"time_zone": "Asia/Seoul"})

    user = UserBackend().get_user(minji.pk)
    expected = User.objects.select_related("profile").get(pk=minji.pk)

    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    for field in type(expected.profile)._meta.concrete_fields:
        assert getattr(user.profile, field.attname) == getattr(expected.profile, field.attname)
    assert user.profile.user is user
    assert user._state.adding is False and user._state.db == "default"
