from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_project, make_task, make_user
from workmate.work import services
from workmate.work.models import (
    Activity,
    Dependency,
    RequestState,
    Tag,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def test_request_sent_friday_evening_is_due_monday(project, alice, bob):
    with time_machine.travel(seoul(2025, 11, 14, 18, 50), tick=False):
        task = services.do_create_task(
            alice,
            project,
            title="Check backups",
            assignee=bob,
            request_message="Are the backups running?",
        )
    request = WorkRequest.objects.get(task=task)
    assert request.requester == alice and request.assignee == bob
    assert request.reply_by == seoul(2025, 11, 17, 17, 0)


def test_reply_by_skips_chuseok(project, alice, bob):
    with time_machine.travel(seoul(2025, 10, 2, 17, 0), tick=False):
        task = services.do_create_task(
            alice, project, title="Quote", assignee=bob, request_message="Price it, please."
        )
    assert WorkRequest.objects.get(task=task).reply_by == seoul(2025, 10, 10, 16, 0)


def test_reply_by_uses_the_team_setting_and_the_assignees_calendar(project, alice, team):
    team.reply_by_hours = 2
    team.save()
    berlin = make_user(
        profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}, full_name="Jonas"
    )
    add_member(team, berlin)
    # 10:00 in Seoul is 02:00 in Berlin: the two hours start at Jonas's 09:00.
    with time_machine.travel(seoul(2025, 11, 18, 10, 0), tick=False):
        task = services.do_create_task(
            alice, project, title="Review", assignee=berlin, request_message="Review this."
        )
    reply_by = WorkRequest.objects.get(task=task).reply_by
    assert reply_by == datetime.datetime(2025, 11, 18, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_assigning_to_yourself_sends_no_request(project, alice):
    services.do_create_task(alice, project, title="Mine", assignee=alice)
    assert not WorkRequest.objects.exists()


def test_outsider_cannot_create_tasks(project, charlie):
    with pytest.raises(PermissionDenied):
        services.do_create_task(charlie, project, title="Sneaky")
    assert not Task.objects.exists()


def test_due_before_start_is_rejected_and_nothing_saved(project, alice):
    with pytest.raises(ValidationError) as error:
        services.do_create_task(
            alice,
            project,
            title="Backwards",
            start_on=datetime.date(2025, 5, 2),
            due_on=datetime.date(2025, 5, 1),
        )
    assert "due_on" in error.value.message_dict
    assert not Task.objects.exists() and not Activity.objects.exists()


def test_create_task_with_tags_reuses_existing_ones_and_makes_the_rest(project, alice):
    urgent = Tag.objects.create(name="Urgent")

    task = services.do_create_task(alice, project, title="Tagged", tags=["urgent", "backup"])

    assert sorted(task.tags.values_list("name", flat=True)) == ["Urgent", "backup"]
    assert task.tags.get(name="Urgent") == urgent
    assert Tag.objects.count() == 2
    assert task.version == 1


def test_create_task_with_a_bad_field_makes_no_tags(project, alice):
    with pytest.raises(ValidationError):
        services.do_create_task(
            alice,
            project,
            title="Backwards",
            tags=["new"],
            start_on=datetime.date(2025, 5, 2),
            due_on=datetime.date(2025, 5, 1),
        )
    assert not Tag.objects.exists() and not Task.objects.exists()


def test_update_records_each_change_and_bumps_the_version(project, alice):
    task = services.do_create_task(alice, project, title="Draft")
    updated = services.do_update_task(
        alice, task, {"title": "Final", "status": TaskStatus.DONE}, expected_version=1
    )
    assert updated.version == 2 and updated.completed_at is not None
    lines = list(Activity.objects.filter(task=task).values_list("verb", "field", "new_value"))
    assert ("changed", "title", "Final") in lines
    assert ("completed", "status", "done") in lines  # The code; named per reader.


def test_stale_version_is_refused_and_nothing_overwritten(project, alice, bob):
    task = services.do_create_task(alice, project, title="Shared")
    services.do_update_task(bob, task, {"title": "Bob's"}, expected_version=1)
    with pytest.raises(services.VersionConflict) as conflict:
        services.do_update_task(alice, task, {"title": "Alice's"}, expected_version=1)
    assert conflict.value.current.version == 2
    task.refresh_from_db()
    assert task.title == "Bob's"


def test_reopening_clears_completed_at(project, alice):
    task = services.do_create_task(alice, project, title="Flip")
    task = services.do_complete_task(alice, task)
    task = services.do_update_task(alice, task, {"status": TaskStatus.OPEN})
    assert task.completed_at is None
    assert Activity.objects.filter(task=task, verb="reopened").exists()


def test_dependency_cycle_is_prevented(project, alice):
    a, b, c = (make_task(project=project, title=name) for name in "abc")
    services.do_add_dependency(alice, b, a)
    services.do_add_dependency(alice, c, b)
    with pytest.raises(ValidationError):
        services.do_add_dependency(alice, a, c)
    with pytest.raises(ValidationError):
        services.do_add_dependency(alice, a, a)
    assert Dependency.objects.count() == 2
    assert services.is_blocked(c)
    services.do_complete_task(alice, b)
    assert not services.is_blocked(c)


def test_request_answered_in_writing(project, alice, bob):
    task = services.do_create_task(
        alice, project, title="Sizing", assignee=bob, request_message="How big?"
    )
    request = WorkRequest.objects.get(task=task)
    services.do_acknowledge_request(bob, request)
    request = services.do_answer_request(bob, request, "Two m5.large are enough.")
    assert request.state == RequestState.ANSWERED and request.closed_at
    assert task.comments.get().body == "Two m5.large are enough."
    with pytest.raises(ValidationError):
        services.do_answer_request(bob, request, "again")


def test_only_the_assignee_replies(project, alice, bob):
    task = services.do_create_task(
        alice, project, title="Sizing", assignee=bob, request_message="How big?"
    )
    request = WorkRequest.objects.get(task=task)
    with pytest.raises(PermissionDenied):
        services.do_answer_request(alice, request, "I answer my own question")


def test_hand_back_needs_a_reason_and_returns_the_task(project, alice, bob):
    task = services.do_create_task(
        alice, project, title="Sizing", assignee=bob, request_message="How big?"
    )
    request = WorkRequest.objects.get(task=task)
    with pytest.raises(ValidationError):
        services.do_hand_back_request(bob, request, "  ")
    services.do_hand_back_request(bob, request, "LE owns sizing questions.")
    task.refresh_from_db()
    request.refresh_from_db()
    assert task.assignee == alice and request.state == RequestState.HANDED_BACK


def test_mentions_resolve_and_unknown_names_are_rejected(project, alice, bob):
    task = make_task(project=project)
    result = services.do_add_comment(alice, task, "@bob can you check this?")
    assert result.mentioned == [bob]
    assert bob in task.followers.all()
    with pytest.raises(ValidationError):
        services.do_add_comment(alice, task, "@nobody here?")
    assert task.comments.count() == 1


def test_private_project_is_invisible_to_teammates_who_are_not_members(team, alice, bob):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    task = make_task(project=private)
    with pytest.raises(Http404):
        services.get_task_for_user(bob, task.pk)
    assert services.get_task_for_user(alice, task.pk) == task


def test_team_lead_can_edit_and_outsider_only_reads_org_projects(team, alice, charlie):
    org = make_project(team=team, owner=make_user(), visibility=Visibility.ORG)
    assert services.can_edit_project(alice, org)
    assert services.can_view_project(charlie, org)
    assert not services.can_edit_project(charlie, org)
    assert TeamRole.LEAD == "lead"
