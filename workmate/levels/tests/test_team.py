"""A team's page for its leads and executives: members by name with no numbers beside
them (no ranking), totals for the team as a whole; query count pinned."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from workmate.levels.models import EntryKind
from workmate.levels.tests.conftest import add_entry
from workmate.testing.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def test_members_by_name_and_totals_per_team_only(client, cast, ladder, team):
    busy = make_user(full_name="Aaron Busy")
    add_member(team, busy)
    for number in range(5):
        add_entry(busy, EntryKind.TICKET_SOLVED, title=f"Ticket {number}")
    add_entry(cast["self"], EntryKind.TASK_COMPLETED, title="One task")
    add_entry(cast["other_member"], EntryKind.TASK_COMPLETED, title="Another team's")
    client.force_login(cast["lead"])
    response = client.get(reverse("levels:team", args=[team.pk]))

    names = [m.user.full_name for m in response.context["members"]]
    assert names == sorted(names)
    assert response.context["totals"] == [("Task completed", 1), ("Ticket solved", 5)]
    members = response.text.split('id="team-members"')[1].split("</section>")[0]
    # No number beside anyone: a level ("L3") at most.
    assert not re.search(r"\b[0-9]+\b", re.sub(r"L[0-9]|href=\"[^\"]*\"", "", members))


@pytest.mark.parametrize("extra", [1, 10])
def test_the_team_page_has_a_fixed_number_of_queries(
    client, cast, ladder, team, django_assert_num_queries, extra
):
    for _n in range(extra):
        person = make_user()
        add_member(team, person)
        add_entry(person, EntryKind.TASK_COMPLETED)
    client.force_login(cast["executive"])
    # session + user, the team, the members (with levels), the totals.
    with django_assert_num_queries(5):
        assert client.get(reverse("levels:team", args=[team.pk])).status_code == 200
