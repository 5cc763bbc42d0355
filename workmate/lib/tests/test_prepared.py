"""A prepared query returns what its queryset would, for every call's own values."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from workmate.accounts.models import Membership, TeamRole, User, WorkMode, WorkModeDay
from workmate.lib.prepared import PreparedQuery
from workmate.testing.factories import add_member, make_team, make_user

JOINED = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def _people(team: int, since: datetime.datetime, day: datetime.date) -> QuerySet[User]:
    # Subqueries (like the visibility rule), the id twice, an aware datetime and a date
    # among the parameters, and an aware datetime among the columns read.
    members = Membership.objects.filter(team_id=team)
    away_later = WorkModeDay.objects.filter(date__gt=day).values("user_id")
    return (
        User.objects.filter(
            Q(pk__in=members.values("user_id"))
            | Q(pk__in=members.filter(role=TeamRole.LEAD).values("user_id"))
        )
        .filter(date_joined__gte=since)
        .exclude(pk__in=away_later)
        .order_by("pk")
        .values_list("pk", "email", "date_joined")
    )


@pytest.fixture
def people(db):
    first, second = make_team(code="ON", name="One"), make_team(code="TW", name="Two")
    made = []
    for number in range(6):
        person = make_user(date_joined=JOINED + datetime.timedelta(days=number))
        add_member(first if number % 2 else second, person)
        made.append(person)
    WorkModeDay.objects.create(user=made[5], date=JOINED.date(), mode=WorkMode.HOME)
    return first, second, made


def test_rows_are_the_querysets_for_each_calls_values(people, django_assert_num_queries):
    first, second, _made = people
    built = []

    def build(team: int, since: datetime.datetime, day: datetime.date) -> QuerySet[User]:
        built.append(team)
        return _people(team, since, day)

    prepared = PreparedQuery(build, team="id", since="datetime", day="date")
    calls = [
        (first.pk, JOINED, JOINED.date() + datetime.timedelta(days=9)),
        (
            second.pk,
            JOINED + datetime.timedelta(days=1),
            JOINED.date() + datetime.timedelta(days=3),
        ),
        (first.pk, JOINED + datetime.timedelta(days=30), JOINED.date()),
        (first.pk, JOINED, JOINED.date() - datetime.timedelta(days=1)),
    ]
    found = []
    for team, since, day in calls:
        expected = list(_people(team, since, day))
        found.append(len(expected))
        with django_assert_num_queries(1):
            assert prepared.rows(team=team, since=since, day=day) == expected
    assert found == [3, 2, 0, 2]
    # Built once, with placeholders, never with anyone's values.
    assert len(built) == 1 and built[0] not in {first.pk, second.pk}


def test_rows_follow_the_data_between_calls(people):
    first, _second, made = people
    prepared = PreparedQuery(_people, team="id", since="datetime", day="date")
    arguments = {"team": first.pk, "since": JOINED, "day": JOINED.date() + datetime.timedelta(9)}
    before = prepared.rows(**arguments)

    Membership.objects.filter(user=made[1]).delete()
    User.objects.filter(pk=made[3].pk).update(email="new@example.com")

    after = prepared.rows(**arguments)
    assert [row[0] for row in before] == [made[1].pk, made[3].pk, made[5].pk]
    assert after == [(made[3].pk, "new@example.com", made[3].date_joined), before[2]]
    assert after[0][2].tzinfo is not None


def test_an_argument_the_sql_does_not_take_is_refused(db):
    prepared = PreparedQuery(
        lambda team, day: User.objects.filter(pk=team).values_list("pk"), team="id", day="date"
    )

    with pytest.raises(ImproperlyConfigured):
        prepared.rows(team=1, day=datetime.date(2025, 1, 1))


def test_the_arguments_must_be_the_ones_named(db):
    prepared = PreparedQuery(lambda team: User.objects.filter(pk=team).values_list("pk"), team="id")

    with pytest.raises(TypeError):
        prepared.rows(team=1, other=2)
    with pytest.raises(ValueError):
        PreparedQuery(lambda team: User.objects.none(), team="text")


def test_a_window_is_the_querysets_slice(people, django_assert_num_queries):
    first, second, _made = people
    prepared = PreparedQuery(_people, team="id", since="datetime", day="date")
    day = JOINED.date() + datetime.timedelta(days=9)

    for team in (first.pk, second.pk):
        everyone = list(_people(team, JOINED, day))
        for limit, offset in [(2, 0), (2, 2), (5, 1), (0, 0), (3, 9)]:
            with django_assert_num_queries(1):
                found = prepared.rows(team=team, since=JOINED, day=day, window=(limit, offset))
            assert found == everyone[offset : offset + limit]


def test_a_window_on_a_sliced_query_is_refused(db):
    prepared = PreparedQuery(
        lambda team: User.objects.filter(pk=team).values_list("pk")[:3], team="id"
    )

    with pytest.raises(ImproperlyConfigured):
        prepared.rows(team=1, window=(2, 0))
