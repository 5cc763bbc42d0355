"""The access matrix from outside, through every library page: a member of the space's
team, someone of another team, an executive, and a private space's non-member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.library import services
from workmate.library.models import PageAttachment, SpaceMembership, SpaceRole
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db


def read_urls(page, space):
    attachment = PageAttachment.objects.filter(page=page).first()
    urls = [
        space.get_absolute_url(),
        reverse("library:page", args=[page.pk]),
        reverse("library:history", args=[page.pk]),
        reverse("library:diff", args=[page.pk]) + "?from=1&to=2",
        reverse("library:revision", args=[page.pk, 1]),
    ]
    if attachment:
        urls.append(reverse("library:attachment", args=[attachment.pk]))
    return urls


def write_gets(page, space):
    return [
        reverse("library:edit", args=[page.pk]),
        reverse("library:move", args=[page.pk]),
        reverse("library:page_new", args=[space.key]),
    ]


def write_posts(page):
    return [
        (reverse("library:edit", args=[page.pk]), {"title": "x", "body": "y", "base_number": 2}),
        (reverse("library:move", args=[page.pk]), {"parent": "", "index": 0}),
        (reverse("library:flag", args=[page.pk]), {}),
        (reverse("library:restore", args=[page.pk, 1]), {"base_number": 2}),
    ]


@pytest.fixture
def team_page(space, alice):
    page = make_page(space=space, owner=alice, title="TE 런북 문서", body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    return page


def _unchanged(page):
    page.refresh_from_db()
    assert page.current_revision.number == 2 and page.parent is None
    assert page.revisions.count() == 2


def test_team_member_reads_and_writes(client, space, team_page, bob):
    client.force_login(bob)
    for url in read_urls(team_page, space) + write_gets(team_page, space):
        assert client.get(url).status_code == 200, url
    response = client.post(*write_posts(team_page)[0])
    assert response.status_code == 302
    team_page.refresh_from_db()
    assert team_page.current_revision.body == "y"


@pytest.mark.parametrize("who", ["other_team_member", "executive"])
def test_other_team_and_executive_read_but_cannot_write(client, space, team_page, who, request):
    person = request.getfixturevalue(who)
    client.force_login(person)
    for url in read_urls(team_page, space):
        assert client.get(url).status_code == 200, url
    for url in write_gets(team_page, space):
        assert client.get(url).status_code == 403, url
    for url, data in write_posts(team_page):
        assert client.post(url, data).status_code == 403, url
    assert client.post(reverse("library:verify", args=[team_page.pk])).status_code == 403
    assert client.get(reverse("library:space_settings", args=[space.key])).status_code == 403
    _unchanged(team_page)
    html = client.get(team_page.get_absolute_url()).content.decode()
    assert reverse("library:edit", args=[team_page.pk]) not in html


@pytest.mark.parametrize("who", ["bob", "other_team_member", "executive"])
def test_private_space_is_404_to_non_members_everywhere(client, private_space, alice, who, request):
    page = make_page(space=private_space, owner=alice, title="비밀 계획", body="v1", tags=["x"])
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.do_add_attachment(
        alice, page, SimpleUploadedFile("a.txt", b"secret", content_type="text/plain")
    )
    person = request.getfixturevalue(who)
    client.force_login(person)
    for url in read_urls(page, private_space) + write_gets(page, private_space):
        assert client.get(url).status_code == 404, url
    for url, data in write_posts(page):
        assert client.post(url, data).status_code == 404, url
    for name in ("verify", "attachment_add"):
        assert client.post(reverse(f"library:{name}", args=[page.pk])).status_code == 404
    assert (
        client.get(reverse("library:space_settings", args=[private_space.key])).status_code == 404
    )
    # Lists never mention it.
    for url in (reverse("library:home"), reverse("library:tag", args=["x"])):
        response = client.get(url)
        assert "비밀" not in response.content.decode()
    _unchanged(page)


def test_private_space_reader_reads_but_does_not_write(client, private_space, alice, bob):
    page = make_page(space=private_space, owner=alice, body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    SpaceMembership.objects.create(space=private_space, user=bob, role=SpaceRole.READER)
    client.force_login(bob)
    for url in read_urls(page, private_space):
        assert client.get(url).status_code == 200, url
    for url, data in write_posts(page):
        assert client.post(url, data).status_code == 403, url
    _unchanged(page)


def test_signed_out_visitors_are_sent_to_log_in(client, space, team_page):
    for url in read_urls(team_page, space):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_space_settings_for_editors_only(client, space, alice, bob, charlie):
    client.force_login(alice)
    assert client.get(reverse("library:space_settings", args=[space.key])).status_code == 200
    response = client.post(
        reverse("library:space_member", args=[space.key]),
        {"email": charlie.email, "role": "editor"},
    )
    assert response.status_code == 302
    assert SpaceMembership.objects.get(space=space, user=charlie).role == "editor"
    client.force_login(bob)
    response = client.post(
        reverse("library:space_member", args=[space.key]), {"email": bob.email, "role": "editor"}
    )
    assert response.status_code == 403
    assert not SpaceMembership.objects.filter(user=bob).exists()
