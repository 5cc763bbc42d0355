"""services.directory_people: who the directory lists, filtered by team and search."""

from __future__ import annotations

from workmate.accounts import services
from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_team, make_user


def emails(people) -> list[str]:
    return [person.email for person in people]


def test_lists_active_people_by_name(alice, bob, charlie):
    make_user(email="gone@example.com", full_name="Aaron Gone", is_active=False)

    assert emails(services.directory_people()) == [
        "alice@example.com",
        "bob@example.com",
        "charlie@example.com",
    ]


def test_team_filter_keeps_its_members_once(alice, bob, charlie):
    other = make_team(code="OPS")
    add_member(other, alice, TeamRole.MEMBER)

    assert emails(services.directory_people(team_code="TE")) == [
        "alice@example.com",
        "bob@example.com",
    ]
    assert emails(services.directory_people(team_code="OPS")) == ["alice@example.com"]
    assert emails(services.directory_people(team_code="NOPE")) == []


def test_search_matches_name_email_or_title_in_any_case(alice, bob, charlie):
    alice.profile.title = "Cloud Architect"
    alice.profile.save()

    assert emails(services.directory_people(query="LEE")) == ["bob@example.com"]
    assert emails(services.directory_people(query="charlie@")) == ["charlie@example.com"]
    assert emails(services.directory_people(query="architect")) == ["alice@example.com"]


def test_team_and_search_combine(alice, bob, charlie):
    assert emails(services.directory_people(team_code="TE", query="park")) == []
    assert emails(services.directory_people(team_code="TE", query="kim")) == ["alice@example.com"]


def test_memberships_come_prefetched_in_team_order(alice, django_assert_num_queries):
    add_member(make_team(code="AA"), alice, TeamRole.MEMBER)

    with django_assert_num_queries(2):
        (person,) = services.directory_people(query="alice")
        codes = [m.team.code for m in person.memberships.all()]
        time_zone = person.profile.time_zone

    assert codes == ["AA", "TE"]
    assert time_zone == "Asia/Seoul"
