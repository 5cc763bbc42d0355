"""The participants' API: cycles, self review with cited entries, feedback asked and
answered, results once shared."""

from __future__ import annotations

import pytest
import time_machine

from workmate.reviews import services
from workmate.reviews.models import FeedbackRequest, SelfReviewItem
from workmate.reviews.reminders import share_due_results
from workmate.reviews.tests.conftest import level, make_entry, participant_of, seoul

API = "/api/v1/reviews"


@pytest.fixture
def writing():
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        yield


def test_my_cycles(client, cycle, bob):
    client.force_login(bob)
    rows = client.get(f"{API}/participations").json()
    assert [row["cycle"]["name"] for row in rows] == ["2026 H2"]
    assert rows[0]["team"] == "TE"


def test_write_a_competency_citing_own_entries(client, cycle, bob, writing):
    participant = participant_of(cycle, bob)
    entries = [make_entry(bob).pk for _ in range(3)]
    client.force_login(bob)
    response = client.put(
        f"{API}/participations/{participant.pk}/self-review/delivery",
        {"body": "Shipped three things.", "entries": entries},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["entries"] == sorted(entries)
    detail = client.get(f"{API}/participations/{participant.pk}").json()
    assert detail["self_review"][0]["body"] == "Shipped three things."
    assert detail["result"] is None


def test_citing_anothers_entry_is_a_400_and_nothing_is_saved(client, cycle, bob, dana, writing):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    response = client.put(
        f"{API}/participations/{participant.pk}/self-review/delivery",
        {"body": "Mine?", "entries": [make_entry(bob).pk, make_entry(dana).pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "entries" in response.json()["errors"]
    assert not SelfReviewItem.objects.exists()


def test_unknown_competency_is_a_400(client, cycle, bob, writing):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    response = client.put(
        f"{API}/participations/{participant.pk}/self-review/charisma",
        {"body": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_ask_yourself_or_an_outsider_is_a_400(client, cycle, bob, charlie, writing):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    for colleague in (bob, charlie):
        response = client.post(
            f"{API}/participations/{participant.pk}/feedback-requests",
            {"colleague_id": colleague.pk, "message": "Hi"},
            content_type="application/json",
        )
        assert response.status_code == 400
    assert not FeedbackRequest.objects.exists()


def test_ask_answer_and_read_after_sharing(client, cycle, ladder, alice, bob, erin, boss):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        asked = client.post(
            f"{API}/participations/{participant.pk}/feedback-requests",
            {"colleague_id": erin.pk, "message": "How was the handover?"},
            content_type="application/json",
        )
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    client.force_login(erin)
    mine = client.get(f"{API}/feedback-requests").json()
    assert [row["id"] for row in mine] == [request_id]
    response = client.post(
        f"{API}/feedback-requests/{request_id}/answers",
        {
            "answers": [
                {"competency": "delivery", "body": "Clear notes."},
                {"competency": "collaboration", "body": "Quiet in meetings.", "lead_only": True},
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["answered_at"] is not None
    again = client.post(
        f"{API}/feedback-requests/{request_id}/answers",
        {"answers": [{"competency": "delivery", "body": "More"}]},
        content_type="application/json",
    )
    assert again.status_code == 400

    services.do_save_assessment(alice, participant, competency="delivery", body="Ok", entry_ids=[])
    services.do_propose_level(alice, participant, level(ladder, 3).pk)
    services.do_calibrate(boss, participant, level_id=level(ladder, 3).pk, reason="Agreed.")
    services.do_close_cycle(boss, cycle)
    client.force_login(bob)
    with time_machine.travel(seoul(2026, 12, 7, 10), tick=False):
        share_due_results()
        result = client.get(f"{API}/participations/{participant.pk}").json()["result"]
    assert result["final_level"] == "L3 Engineer 3"
    assert result["reason"] == "Agreed."
    assert [a["body"] for a in result["feedback"]] == ["Clear notes."]
    assert all(a["colleague"] is None for a in result["feedback"])


def test_every_reviews_route_answers_as_its_schema_says(client, cycle, bob, erin, scale):
    from workmate.testing.openapi import assert_matches_schema, fetch_schema

    document = fetch_schema(client)
    participant = participant_of(cycle, bob)
    entry = make_entry(bob)
    client.force_login(bob)
    base = f"{API}/participations/{participant.pk}"
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        calls = [
            ("get", f"{API}/participations", None),
            ("get", base, None),
            ("put", f"{base}/self-review/delivery", {"body": "Did it", "entries": [entry.pk]}),
            ("post", f"{base}/feedback-requests", {"colleague_id": erin.pk, "message": "Hi"}),
            ("get", f"{API}/pay/bands", None),
            ("get", f"{API}/pay/me", None),
        ]
        for method, path, data in calls:
            kwargs = {"content_type": "application/json"} if data is not None else {}
            response = getattr(client, method)(path, data, **kwargs)
            assert response.status_code in {200, 201}, (path, response.content)
            assert_matches_schema(document, method, path, response)
    client.force_login(erin)
    asked = FeedbackRequest.objects.get()
    for method, path, data in [
        ("get", f"{API}/feedback-requests", None),
        ("get", f"{API}/feedback-requests/{asked.pk}", None),
        (
            "post",
            f"{API}/feedback-requests/{asked.pk}/answers",
            {"answers": [{"competency": "delivery", "body": "Good"}]},
        ),
    ]:
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(path, data, **kwargs)
        assert response.status_code == 200, (path, response.content)
        assert_matches_schema(document, method, path, response)


def test_submit_is_routed_and_refused_until_two_colleagues_are_asked(client, cycle, bob, writing):
    # "submit" once fell into the PUT-only {competency} route and was answered 405.
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    client.put(
        f"{API}/participations/{participant.pk}/self-review/delivery",
        {"body": "Shipped three things.", "entries": []},
        content_type="application/json",
    )
    response = client.post(f"{API}/participations/{participant.pk}/self-review/submit")
    assert response.status_code == 400
    assert "colleagues" in response.json()["detail"]
    participant.refresh_from_db()
    assert participant.self_submitted_at is None
