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


def test_a_desk_contact_never_sees_the_architect_pages(client, contact_a, assessment):
    from workmate.testing.factories import DEFAULT_PASSWORD

    response = client.post(
        "/portal/login/", {"email": contact_a.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200  # signed in to the portal
    for path in (
        reverse("advisor:home"),
        assessment.get_absolute_url(),
        reverse("advisor:rules"),
        "/api/v1/advisor/assessments",
    ):
        response = client.get(path)
        assert response.status_code in {302, 401}, path
        assert assessment.name not in response.content.decode()


def test_the_assessments_own_architect_outside_le_reads_and_edits(client, assessment):
    from workmate.advisor import access

    outsider = make_user()
    assessment.architect = outsider
    assessment.save()
    client.force_login(outsider)
    assert client.get(assessment.get_absolute_url()).status_code == 200
    assert access.can_edit_assessment(outsider, assessment)
