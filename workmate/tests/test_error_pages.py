"""Error pages: in the reader's language, with the site's header and a way back."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from workmate import errors
from workmate.testing.factories import DEFAULT_PASSWORD
from workmate.voice import services
from workmate.voice.models import Area


def as_korean(user) -> None:
    user.language = "ko"
    user.save(update_fields=["language"])


def test_unknown_page_is_a_styled_404_in_the_readers_language(client, bob):
    as_korean(bob)
    client.force_login(bob)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ko">' in page
    assert 'class="topbar"' in page and 'id="site-nav"' in page
    assert "페이지를 찾을 수 없습니다" in page
    assert '<a class="button" href="/">홈으로 가기</a>' in page


def test_an_outsiders_404_from_a_view_gets_the_same_page(client, charlie, alice):
    proposal = services.do_post_proposal(
        alice, anonymous=False, title="VPN", problem="Slow.", area=Area.TOOLS
    )
    client.force_login(charlie)

    response = client.get(f"/voice/{proposal.pk + 1000}/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_403_says_why_with_the_header(client, bob, alice):
    proposal = services.do_post_proposal(
        alice, anonymous=False, title="VPN", problem="Slow.", area=Area.TOOLS
    )
    client.force_login(bob)

    response = client.post(f"/voice/{proposal.pk}/answer/", {"to_status": "planned"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page and "Only leads can do this." in page
    assert 'class="topbar"' in page and 'href="/"' in page


def test_400_for_a_bad_host_is_styled(client, db):
    response = client.get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad request" in page and 'class="topbar"' in page


def test_portal_404_has_the_portal_header_and_way_back(client, contact_a, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    response = client.get("/portal/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "지원 포털" in page  # The portal's own brand, no staff navigation.
    assert 'id="site-nav"' not in page and "/work/" not in page
    assert '<a class="button" href="/portal/">내 티켓으로 돌아가기</a>' in page


def test_500_renders_without_a_request_context_or_database(django_db_blocker, settings):
    settings.LANGUAGE_CODE = "en"
    assert get_resolver().resolve_error_handler(500) is errors.server_error

    with django_db_blocker.block():
        staff = errors.server_error(RequestFactory().get("/work/"))
        portal = errors.server_error(RequestFactory().get("/portal/7/"))

    assert staff.status_code == portal.status_code == 500
    assert "Something went wrong" in staff.content.decode()
    assert 'class="topbar"' in staff.content.decode()
    assert 'href="/portal/"' in portal.content.decode()
    assert "Support portal" in portal.content.decode()


def test_500_through_the_stack_is_in_the_readers_language(bob, monkeypatch):
    as_korean(bob)
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("workmate.accounts.services.directory_people", broken)
    response = client.get(reverse("directory"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "문제가 발생했습니다" in page and '<html lang="ko">' in page


def test_csrf_failure_is_explained_in_the_readers_language(bob):
    as_korean(bob)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)

    response = client.post("/logout/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "양식이 만료되었습니다" in page and 'class="topbar"' in page


def test_a_signed_in_contact_gets_their_portal_header_and_language(client, contact_a):
    contact_a.language = "ko"
    contact_a.save(update_fields=["language"])
    client.post("/portal/login/", {"email": contact_a.email, "password": DEFAULT_PASSWORD})

    page = client.get("/portal/no-such-page/").content.decode()

    assert '<html lang="ko">' in page
    assert contact_a.display_name in page and 'action="/portal/logout/"' in page
