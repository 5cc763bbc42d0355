"""Personal API tokens: made and revoked on the profile page (POST /me/tokens/ and
/me/tokens/<pk>/revoke/), stored hashed, and used as `Authorization: Bearer` on the API."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from workmate.accounts.api import do_create_api_token, do_revoke_api_token, user_for_token
from workmate.accounts.models import ApiToken
from workmate.testing.factories import make_user

CREATE_URL = reverse("create_api_token")
HTMX = {"HX-Request": "true"}
T0 = datetime.datetime(2025, 11, 19, 1, 0, tzinfo=datetime.UTC)

UNAUTHORIZED = {"detail": "Send a personal API token as “Authorization: Bearer wm_…”."}


def revoke_url(token: ApiToken) -> str:
    return reverse("revoke_api_token", args=[token.pk])


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


# --- Services and authentication -------------------------------------------------------


def test_token_is_stored_only_as_its_digest(alice):
    token, secret = do_create_api_token(alice, " CI script ")
    assert secret.startswith("wm_")
    assert len(secret) > 40
    token.refresh_from_db()
    assert token.name == "CI script"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert secret not in stored
    _other, other_secret = do_create_api_token(alice, "Second")
    assert other_secret != secret


def test_bearer_token_authenticates_as_its_owner(alice):
    _token, secret = do_create_api_token(alice, "CI")
    response = bearer(secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": alice.pk,
        "email": "alice@example.com",
        "full_name": "Alice Kim",
        "language": "en",
    }


@pytest.mark.parametrize(
    "header",
    ["", "Bearer ", "Bearer wm_not-a-real-token", "Token wm_x", "Basic YWxpY2U6cGFzcw=="],
)
def test_missing_or_wrong_token_is_401_json(alice, header):
    do_create_api_token(alice, "CI")
    english = {"Accept-Language": "en"}
    client = Client(headers={**english, "Authorization": header} if header else english)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_revoked_token_is_401(alice):
    token, secret = do_create_api_token(alice, "CI")
    do_revoke_api_token(alice, token)
    assert bearer(secret).get("/api/v1/me").status_code == 401
    assert user_for_token(secret) is None


def test_inactive_persons_token_is_401(alice):
    _token, secret = do_create_api_token(alice, "CI")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert bearer(secret).get("/api/v1/tasks").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(alice):
    token, secret = do_create_api_token(alice, "CI")
    client = bearer(secret)
    with time_machine.travel(T0, tick=False):
        client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + datetime.timedelta(seconds=59), tick=False):
        client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == T0
    later = T0 + datetime.timedelta(minutes=1, seconds=5)
    with time_machine.travel(later, tick=False):
        client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == later


def test_session_works_for_reads_and_writes_need_csrf(alice, team):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/v1/me").json()["id"] == alice.pk
    response = browser.post(
        "/api/v1/projects", {"name": "X", "team_id": team.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not alice.owned_projects.exists()


@pytest.mark.parametrize(("language", "browser_language"), [("ko", "en"), ("en", "ko")])
def test_a_token_speaks_its_owners_language(team, settings, language, browser_language):
    person = make_user(language=language)
    _token, secret = do_create_api_token(person, "CI")
    client = bearer(secret)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = browser_language
    # The request activates the person's language in this thread; put the old one back after.
    with translation.override(translation.get_language()):
        response = client.post(
            "/api/v1/projects", {"name": "X", "team_id": team.pk}, content_type="application/json"
        )
    assert response.status_code == 403
    english = "Only members of a team can start a project for it."
    assert (response.json()["detail"] == english) == (language == "en")


# --- Profile page ----------------------------------------------------------------------


def test_logged_out_goes_to_login(client, db):
    for url in (CREATE_URL, "/me/tokens/1/revoke/"):
        response = client.post(url, {"name": "CI"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


def test_get_is_refused(client, alice):
    client.force_login(alice)
    assert client.get(CREATE_URL).status_code == 405
    token, _secret = do_create_api_token(alice, "CI")
    assert client.get(revoke_url(token)).status_code == 405


def test_profile_lists_my_active_tokens_only(client, alice, bob):
    mine, _ = do_create_api_token(alice, "Backup report")
    revoked, _ = do_create_api_token(alice, "Old laptop")
    do_revoke_api_token(alice, revoked)
    do_create_api_token(bob, "Bob's script")
    ApiToken.objects.filter(pk=mine.pk).update(last_used_at=timezone.now())
    client.force_login(alice)
    page = client.get(reverse("profile")).content.decode()
    panel = page.split('id="api-tokens"')[1].split("</section>")[0]
    assert "Backup report" in panel
    assert f"{mine.prefix}…" in panel
    assert "Old laptop" not in panel
    assert "Bob&#x27;s script" not in panel
    assert "Never" not in panel
    assert revoke_url(mine) in panel


def test_create_shows_the_secret_once(client, alice):
    client.force_login(alice)
    response = client.post(CREATE_URL, {"name": "Backup report"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=alice)
    page = response.content.decode()
    secret = page.split('id="new-token-secret">')[1].split("<")[0]
    assert secret.startswith(token.prefix)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert "<html" in page  # Without htmx the whole profile page comes back.
    assert bearer(secret).get("/api/v1/me").json()["id"] == alice.pk
    again = client.get(reverse("profile")).content.decode()
    assert secret not in again
    assert "Backup report" in again


def test_create_htmx_gets_only_the_panel(client, alice):
    client.force_login(alice)
    response = client.post(CREATE_URL, {"name": "CI"}, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card" id="api-tokens">')
    assert "<html" not in page
    assert 'id="new-token-secret"' in page


def test_create_needs_a_name(client, alice):
    client.force_login(alice)
    response = client.post(CREATE_URL, {"name": ""}, headers=HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke(client, alice):
    token, secret = do_create_api_token(alice, "CI")
    client.force_login(alice)
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get("/api/v1/me").status_code == 401
    assert "Token “CI” revoked." in client.get(reverse("profile")).content.decode()


def test_revoke_htmx_gets_the_panel_without_the_token(client, alice):
    token, _secret = do_create_api_token(alice, "CI")
    client.force_login(alice)
    response = client.post(revoke_url(token), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "You have no API tokens." in response.content.decode()


def test_cannot_revoke_someone_elses_token(client, alice, bob):
    token, secret = do_create_api_token(bob, "Bob's")
    client.force_login(alice)
    assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(secret).get("/api/v1/me").status_code == 200
