"""The success API from outside: reads, writes through the same services, and refusals."""

from __future__ import annotations

import pytest

from workmate.success.models import FeedbackItem, FeedbackState, Meeting, Theme
from workmate.testing.openapi import token_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/success"


def test_accounts_list_and_detail(sam, owned_a):
    api = token_client(sam)
    listing = api.get(f"{BASE}/accounts").json()
    assert listing["items"][0]["name"] == owned_a.name
    assert listing["items"][0]["health"]["level"] in {"healthy", "watch", "at_risk"}
    detail = api.get(f"{BASE}/accounts/{owned_a.pk}").json()
    assert detail["figures"]["open_tickets"] == 0


def test_outsider_gets_404_and_403(charlie, owned_a):
    api = token_client(charlie)
    assert api.get(f"{BASE}/accounts/{owned_a.pk}").status_code == 404
    assert api.get(f"{BASE}/accounts").status_code == 403
    response = api.post(
        f"{BASE}/feedback",
        {"customer_id": owned_a.pk, "words": "x", "source": "mail"},
        content_type="application/json",
    )
    assert response.status_code == 400 and not FeedbackItem.objects.exists()


def test_meeting_feedback_route_answer(sam, leo, owned_a, contact_a):
    api = token_client(sam)
    response = api.post(
        f"{BASE}/meetings",
        {
            "customer_id": owned_a.pk,
            "held_on": "2026-11-02",
            "kind": "check_in",
            "title": "Monthly",
            "contact_ids": [contact_a.pk],
            "action_items": [{"title": "Send the DR plan", "assignee_id": leo.pk}],
            "feedback": [{"words": "DR drills take too long", "contact_id": contact_a.pk}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["action_items"][0]["task_id"] and len(body["feedback_ids"]) == 1
    item_id = body["feedback_ids"][0]
    routed = api.post(
        f"{BASE}/feedback/{item_id}/route",
        {"kind": "no_action", "reason": "Covered by the DR review"},
        content_type="application/json",
    )
    assert routed.json()["state"] == FeedbackState.TO_ANSWER
    answered = api.post(
        f"{BASE}/feedback/{item_id}/answer",
        {"answer": "We shortened the drill to 2 hours."},
        content_type="application/json",
    )
    assert answered.json()["state"] == FeedbackState.ANSWERED
    again = api.post(
        f"{BASE}/feedback/{item_id}/route",
        {"kind": "no_action", "reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "closed" in again.json()["detail"]
    assert Meeting.objects.count() == 1


def test_le_reads_but_cannot_write(leo, owned_a):
    api = token_client(leo)
    assert api.get(f"{BASE}/accounts/{owned_a.pk}").status_code == 200
    response = api.post(
        f"{BASE}/meetings",
        {"customer_id": owned_a.pk, "held_on": "2026-11-02", "kind": "check_in", "title": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403 and not Meeting.objects.exists()


def test_theme_merge_into_itself_is_400(sam):
    api = token_client(sam)
    theme = api.post(f"{BASE}/themes", {"name": "DR"}, content_type="application/json").json()
    response = api.post(
        f"{BASE}/themes/{theme['id']}/merge",
        {"into_id": theme["id"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "itself" in response.content.decode()
    assert Theme.objects.get().merged_into is None


def test_bad_input_is_422(sam, owned_a):
    api = token_client(sam)
    response = api.post(
        f"{BASE}/feedback",
        {"customer_id": owned_a.pk, "words": "x", "source": "nonsense"},
        content_type="application/json",
    )
    assert response.status_code == 422 and not FeedbackItem.objects.exists()
