from __future__ import annotations

from django.urls import reverse

from workmate.accounts.models import OrgRole
from workmate.testing.factories import make_user


def test_architect_sees_home_and_assessment(client, architect, assessment):
    client.force_login(architect)
    response = client.get(reverse("advisor:home"))
    assert response.status_code == 200
    assert assessment.name in response.content.decode()
    assert client.get(assessment.get_absolute_url()).status_code == 200


def test_team_lead_reads(client, alice, assessment):
    client.force_login(alice)
    assert client.get(assessment.get_absolute_url()).status_code == 200


def test_executive_reads(client, assessment):
    client.force_login(make_user(org_role=OrgRole.EXECUTIVE))
    assert client.get(assessment.get_absolute_url()).status_code == 200


def test_plain_member_is_refused(client, bob, assessment):
    client.force_login(bob)
    assert client.get(reverse("advisor:home")).status_code == 403
    assert client.get(assessment.get_absolute_url()).status_code == 404


def test_outsider_gets_404(client, charlie, assessment):
    client.force_login(charlie)
    assert client.get(assessment.get_absolute_url()).status_code == 404


def test_signed_out_goes_to_sign_in(client, assessment):
    response = client.get(assessment.get_absolute_url())
    assert response.status_code == 302
