"""The macros page: agents list and create; authors and team leads edit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.desk.models import Macro, Status
from workmate.desk.tests.helpers import login
from workmate.testing.factories import make_team

pytestmark = pytest.mark.django_db


def test_agent_creates_a_team_macro(client, bob, team):
    login(client, bob)
    response = client.post(
        reverse("desk:macros"),
        {
            "name": "Ask for logs",
            "body": "Hi {{ contact_name }}, could you send the logs?",
            "team": team.pk,
            "set_status": Status.PENDING,
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.name, macro.team, macro.created_by, macro.set_status) == (
        "Ask for logs",
        team,
        bob,
        Status.PENDING,
    )
    assert "Ask for logs" in client.get(reverse("desk:macros")).content.decode()


def test_bad_macro_shows_errors_and_saves_nothing(client, bob):
    login(client, bob)
    response = client.post(reverse("desk:macros"), {"name": "", "body": ""})
    assert response.status_code == 400
    assert not Macro.objects.exists()


def test_team_lead_edits_a_members_team_macro(client, alice, bob, team):
    macro = Macro.objects.create(name="Old", body="x", team=team, created_by=bob)
    login(client, alice)
    response = client.post(
        reverse("desk:edit_macro", args=[macro.pk]), {"name": "New", "body": "y", "team": team.pk}
    )
    assert response.status_code == 302
    macro.refresh_from_db()
    assert (macro.name, macro.body) == ("New", "y")


def test_member_cannot_edit_someone_elses_macro(client, alice, bob, team):
    macro = Macro.objects.create(name="Old", body="x", team=team, created_by=alice)
    login(client, bob)
    assert client.get(reverse("desk:edit_macro", args=[macro.pk])).status_code == 403
    response = client.post(reverse("desk:edit_macro", args=[macro.pk]), {"name": "N", "body": "y"})
    assert response.status_code == 403
    macro.refresh_from_db()
    assert macro.name == "Old"


def test_other_teams_macro_is_404(client, bob, charlie):
    other = make_team(code="SD", name="Dev")
    macro = Macro.objects.create(name="Theirs", body="x", team=other, created_by=charlie)
    login(client, bob)
    assert client.get(reverse("desk:edit_macro", args=[macro.pk])).status_code == 404
    assert "Theirs" not in client.get(reverse("desk:macros")).content.decode()


def test_outsider_gets_403(client, charlie):
    login(client, charlie)
    assert client.get(reverse("desk:macros")).status_code == 403
    assert client.post(reverse("desk:macros"), {"name": "x", "body": "y"}).status_code == 403
    assert not Macro.objects.exists()


def test_macros_page_refuses_put(client, bob):
    login(client, bob)
    assert client.put(reverse("desk:macros")).status_code == 405


def test_macros_table_names_the_status_in_the_readers_language(client, bob):
    Macro.objects.create(name="Wait", body="x", set_status=Status.PENDING, created_by=bob)
    bob.language = "ko"
    bob.save()
    login(client, bob)

    page = client.get(reverse("desk:macros")).content.decode()

    row = page.split('data-macro="', 1)[1].split("</tr>", 1)[0]
    assert "고객 회신 대기" in row
    assert ">pending<" not in row
