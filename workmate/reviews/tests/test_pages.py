"""The pages at work: writing with picked entries, asking and answering, calibration
(alphabetical, no counts), results on the share date; pinned query counts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.reviews import services
from workmate.reviews.models import FeedbackRequest, SelfReviewItem
from workmate.reviews.reminders import share_due_results
from workmate.reviews.tests.conftest import level, make_entry, participant_of, seoul
from workmate.testing.factories import add_member, make_user

WRITING = seoul(2026, 11, 4, 10)


@pytest.fixture
def writing():
    with time_machine.travel(WRITING, tick=False):
        yield


def test_open_cycle_page_opens_a_cycle(client, ladder, team, alice, boss):
    client.force_login(boss)
    with time_machine.travel(seoul(2026, 11, 2, 10), tick=False):
        response = client.post(
            reverse("reviews:open_cycle"),
            {
                "name": "2026 H2",
                "period_start": "2026-05-01",
                "period_end": "2026-10-31",
                "teams": [team.pk],
                "self_days": 5,
                "feedback_days": 5,
                "assessment_days": 5,
                "calibration_days": 3,
                "share_on": "2026-12-07",
            },
        )
    cycle = alice.review_participations.get().cycle
    assert response.status_code == 302
    assert cycle.self_due == seoul(2026, 11, 9, 18)


def test_open_cycle_page_shows_a_bad_share_date_beside_its_field(client, ladder, team, boss):
    client.force_login(boss)
    response = client.post(
        reverse("reviews:open_cycle"),
        {
            "name": "Bad",
            "period_start": "2026-05-01",
            "period_end": "2026-10-31",
            "teams": [team.pk],
            "self_days": 5,
            "feedback_days": 5,
            "assessment_days": 5,
            "calibration_days": 3,
            "share_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "Share the results on or after" in response.content.decode()


def test_self_review_page_offers_own_entries_only_and_refuses_others(
    client, cycle, bob, dana, writing
):
    mine = make_entry(bob, title="Fixed the backup job")
    theirs = make_entry(dana, title="Dana's incident call")
    old = make_entry(bob, title="Before the period", occurred_at=seoul(2025, 1, 1, 10))
    participant = participant_of(cycle, bob)
    url = reverse("reviews:write_self", args=[participant.pk, "delivery"])
    client.force_login(bob)
    page = client.get(url).content.decode()
    assert "Fixed the backup job" in page
    assert "Dana's incident call" not in page
    assert "Before the period" not in page
    response = client.post(url, {"body": "Kept backups green.", "entries": [theirs.pk]})
    assert response.status_code == 200
    assert not SelfReviewItem.objects.exists()
    response = client.post(url, {"body": "Kept backups green.", "entries": [mine.pk, old.pk]})
    assert response.status_code == 200  # old is outside the period: not offered
    response = client.post(url, {"body": "Kept backups green.", "entries": [mine.pk]})
    assert response.status_code == 302
    assert list(SelfReviewItem.objects.get().entries.all()) == [mine]


def test_ask_and_answer_through_pages(client, cycle, bob, erin, alice, writing):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    client.post(
        reverse("reviews:ask_feedback", args=[participant.pk]),
        {"colleague": erin.pk, "message": "How was the handover?"},
    )
    asked = FeedbackRequest.objects.get()
    client.force_login(erin)
    url = reverse("reviews:feedback", args=[asked.pk])
    assert "How was the handover?" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "answer_delivery": "Clear notes.",
            "answer_collaboration": "Kept me posted.",
            "lead_only_collaboration": "on",
        },
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.answered_at is not None
    client.force_login(alice)
    page = client.get(reverse("reviews:participant", args=[participant.pk])).content.decode()
    assert "Clear notes." in page and "Kept me posted." in page


def test_asking_yourself_through_the_page_says_why(client, cycle, bob, writing):
    participant = participant_of(cycle, bob)
    client.force_login(bob)
    response = client.post(
        reverse("reviews:ask_feedback", args=[participant.pk]),
        {"colleague": bob.pk, "message": "Me?"},
        follow=True,
    )
    assert "not yourself" in response.content.decode()
    assert not FeedbackRequest.objects.exists()


def _team_of(cycle, ladder, size: int, team, lead):
    """`size` more members of `team` in `cycle`, each with a self review, an assessment
    citing entries and a proposed level; returns them."""
    people = []
    for n in range(size):
        person = make_user(full_name=f"Member {n:02d}")
        add_member(team, person, TeamRole.MEMBER)
        participant = cycle.participants.create(person=person, team=team)
        entries = [make_entry(person, title=f"Work {n}-{k}") for k in range(3)]
        services.do_save_self_review(
            person, participant, competency="delivery", body=f"Story {n}", entry_ids=[entries[0].pk]
        )
        services.do_save_assessment(
            lead,
            participant,
            competency="delivery",
            body=f"Assessment {n}",
            entry_ids=[e.pk for e in entries],
        )
        services.do_propose_level(lead, participant, level(ladder, 2).pk)
        people.append(person)
    return people


def test_calibration_is_alphabetical_whatever_the_ledger_counts(client, cycle, ladder, team, alice):
    # Zoe has sixty entries, Aaron one: Aaron still comes first; no counts shown.
    zoe = make_user(full_name="Zoe Park")
    aaron = make_user(full_name="Aaron Lim")
    for person, count in ((zoe, 60), (aaron, 1)):
        add_member(team, person)
        participant = cycle.participants.create(person=person, team=team)
        entries = [make_entry(person, title=f"{person.full_name} work {k}") for k in range(count)]
        services.do_save_assessment(
            alice,
            participant,
            competency="delivery",
            body=f"About {person.full_name}",
            entry_ids=[e.pk for e in entries],
        )
        services.do_propose_level(alice, participant, level(ladder, 3).pk)
    client.force_login(alice)
    page = client.get(reverse("reviews:calibration", args=[cycle.pk, "TE"])).content.decode()
    names = re.findall(r'<h2><a href="/reviews/p/\d+/">([^<]+)</a></h2>', page)
    assert names == sorted(names)
    assert names.index("Aaron Lim") < names.index("Zoe Park")
    assert "<table" not in page
    assert "60" not in re.sub(r"<[^>]+>", " ", page).replace("work 60", "")
    assert "Proposed: Engineer 3" not in page or "L3 Engineer 3" in page


def test_calibration_query_count_is_flat(
    client, cycle, ladder, team, alice, django_assert_num_queries
):
    _team_of(cycle, ladder, 3, team, alice)
    client.force_login(alice)
    url = reverse("reviews:calibration", args=[cycle.pk, "TE"])
    with django_assert_num_queries(15):
        client.get(url)
    _team_of(cycle, ladder, 6, team, alice)
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200


def test_participant_page_query_count_is_flat(
    client, cycle, ladder, team, alice, bob, django_assert_num_queries
):
    participant = participant_of(cycle, bob)
    for code in ("delivery", "collaboration"):
        entries = [make_entry(bob, competency=code) for _ in range(4)]
        services.do_save_assessment(
            alice, participant, competency=code, body="Ok", entry_ids=[e.pk for e in entries]
        )
    client.force_login(alice)
    url = reverse("reviews:participant", args=[participant.pk])
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_calibrating_on_the_page_and_result_on_the_share_date(
    client, cycle, ladder, alice, bob, boss
):
    participant = participant_of(cycle, bob)
    services.do_save_assessment(alice, participant, competency="delivery", body="Ok", entry_ids=[])
    services.do_propose_level(alice, participant, level(ladder, 3).pk)
    client.force_login(boss)
    response = client.post(
        reverse("reviews:calibrate", args=[participant.pk]),
        {f"p{participant.pk}-level": level(ladder, 3).pk, f"p{participant.pk}-reason": "Agreed."},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.final_reason == "Agreed."
    client.post(reverse("reviews:close_cycle", args=[cycle.pk]))
    client.force_login(bob)
    url = reverse("reviews:participant", args=[participant.pk])
    with time_machine.travel(seoul(2026, 12, 6, 12), tick=False):
        page = client.get(url).content.decode()
        assert "Agreed." not in page
        assert "shared with you on" in page
    with time_machine.travel(seoul(2026, 12, 7, 10), tick=False):
        share_due_results()
        page = client.get(url).content.decode()
        assert "Final level: L3 Engineer 3" in page
        assert "Agreed." in page


def test_pages_speak_korean(client, cycle, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    client.force_login(bob)
    page = client.get(reverse("reviews:participant", args=[participant_of(cycle, bob).pk]))
    assert "자기 평가" in page.content.decode()
    assert datetime.date  # keep the import honest
