"""The session store reads the session row with one plain statement; the rest is Django's.

Two stores on the same key stand for two web processes: what one writes or deletes, the
other reads on its next request (nothing is kept between requests).
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_configured_engine():
    assert settings.SESSION_ENGINE == "workmate.accounts.sessions"


def test_a_saved_session_reads_back_in_another_process_in_one_query(django_assert_num_queries):
    first = SessionStore()
    first["answer"] = 42
    first["name"] = "민지 <b>"
    first.create()

    other = SessionStore(first.session_key)
    with django_assert_num_queries(1):
        assert other.load() == {"answer": 42, "name": "민지 <b>"}
    assert other.session_key == first.session_key


def test_an_expired_session_reads_as_empty_and_loses_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    other = SessionStore(store.session_key)
    assert other.load() == {}
    assert other.session_key is None


def test_an_unknown_key_reads_as_empty():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


def test_a_tampered_row_reads_as_empty():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(session_key=store.session_key).update(session_data="forged:data")

    assert SessionStore(store.session_key).load() == {}


def test_logging_out_ends_the_session_for_every_process(client, alice):
    client.force_login(alice)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()["_auth_user_id"] == str(alice.pk)

    client.post(reverse("logout"))

    assert SessionStore(key).load() == {}
    # The old cookie, sent again (from another tab or a copied cookie), is signed out.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(reverse("inbox:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_changed_session_is_seen_by_the_next_request(client, alice):
    client.force_login(alice)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    writer = SessionStore(key)
    writer["seen"] = "yes"
    writer.save()

    assert SessionStore(key).load()["seen"] == "yes"
