"""Recording a meeting: attendees, action items as requests with reply-bys, feedback heard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.success.models import ActionItem, FeedbackItem, FeedbackSource, Meeting
from workmate.testing.factories import make_contact
from workmate.work.models import ProjectMember, ProjectRole, WorkRequest

pytestmark = pytest.mark.django_db


def _post(client, customer, **extra):
    data = {
        "held_on": "2026-12-01",
        "kind": "quarterly",
        "title": "Q4 review",
        "notes": "**Backups** were discussed.",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "",
        "actions-0-assignee": "",
        "actions-1-title": "",
        "actions-1-assignee": "",
        "feedback-TOTAL_FORMS": "2",
        "feedback-INITIAL_FORMS": "0",
        "feedback-0-words": "",
        "feedback-0-area": "service",
        "feedback-0-importance": "medium",
        "feedback-1-words": "",
        "feedback-1-area": "service",
        "feedback-1-importance": "medium",
    }
    data.update(extra)
    return client.post(reverse("success:new_meeting", args=[customer.pk]), data)


def test_meeting_with_action_item_and_feedback(client, sam, leo, owned_a, contact_a):
    client.force_login(sam)
    response = _post(
        client,
        owned_a,
        contacts=[contact_a.pk],
        colleagues=[leo.pk],
        **{
            "actions-0-title": "Send the backup runbook",
            "actions-0-assignee": leo.pk,
            "feedback-0-words": "백업 복구가 너무 느려요",
            "feedback-0-contact": contact_a.pk,
            "feedback-0-area": "performance",
            "feedback-0-importance": "high",
            "feedback-0-internal_note": "They lost a day last month",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.contacts.all()) == [contact_a]
    assert list(meeting.colleagues.all()) == [leo]
    action = ActionItem.objects.get()
    assert action.task.assignee == leo and action.task.title == "Send the backup runbook"
    request = WorkRequest.objects.get(task=action.task)
    assert request.assignee == leo and request.requester == sam and request.reply_by
    # LE is outside SE: let in as a viewer of the customer's project, to see the task.
    assert ProjectMember.objects.filter(
        project=action.task.project, user=leo, role=ProjectRole.VIEWER
    ).exists()
    item = FeedbackItem.objects.get()
    assert (item.source, item.meeting, item.contact) == (FeedbackSource.MEETING, meeting, contact_a)
    assert item.internal_note == "They lost a day last month"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<strong>Backups</strong>" in page and "Send the backup runbook" in page


def test_second_meeting_reuses_the_project(client, sam, sena, owned_a):
    client.force_login(sam)
    for title in ("One", "Two"):
        _post(client, owned_a, **{"actions-0-title": title, "actions-0-assignee": sena.pk})
    projects = {a.task.project_id for a in ActionItem.objects.all()}
    assert len(projects) == 1


def test_bad_feedback_writes_nothing(client, sam, owned_a, customer_b, sena):
    stranger = make_contact(customer_b)
    client.force_login(sam)
    response = _post(
        client,
        owned_a,
        contacts=[stranger.pk],
        **{"actions-0-title": "Do it", "actions-0-assignee": sena.pk},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()


def test_action_without_assignee_is_refused(client, sam, owned_a):
    client.force_login(sam)
    response = _post(client, owned_a, **{"actions-0-title": "Do it"})
    assert response.status_code == 200
    assert "Say whom you ask." in response.content.decode()
    assert not Meeting.objects.exists()


def test_reply_by_outside_working_hours_is_refused(client, sam, sena, owned_a):
    client.force_login(sam)
    response = _post(
        client,
        owned_a,
        **{
            "actions-0-title": "Call back",
            "actions-0-assignee": sena.pk,
            "actions-0-reply_by": "2031-01-05T03:00",  # a Sunday night
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists() and not WorkRequest.objects.exists()


def test_le_cannot_record(client, leo, owned_a):
    client.force_login(leo)
    assert client.get(reverse("success:new_meeting", args=[owned_a.pk])).status_code == 403
    assert _post(client, owned_a).status_code == 403


def test_outsider_cannot_see_a_meeting(client, sam, charlie, owned_a):
    client.force_login(sam)
    _post(client, owned_a)
    client.force_login(charlie)
    assert client.get(Meeting.objects.get().get_absolute_url()).status_code == 404


def test_form_renders_in_korean(client, sam, owned_a):
    sam.language = "ko"
    sam.save()
    client.force_login(sam)
    response = client.get(reverse("success:new_meeting", args=[owned_a.pk]))
    assert response.status_code == 200
