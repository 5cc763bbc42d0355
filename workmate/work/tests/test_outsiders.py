"""Every Work URL tried from outside: an outsider learns nothing about a private project.

The table below must name every URL of the work app; a new URL without an entry fails
`test_every_work_url_is_covered`, so nobody can add a page without deciding who sees it.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work import urls as work_urls
from workmate.work.models import (
    Attachment,
    CustomField,
    Dependency,
    FieldKind,
    ImportJob,
    ProjectMember,
    ProjectTemplate,
    Section,
    TimeLog,
    Visibility,
    WorkRequest,
)

pytestmark = pytest.mark.django_db

SECRET = "Acquisition of Hanbit Bank"

# URL name -> which object its pk (and extra kwargs) point at; None = no object in the URL.
TARGETS: dict[str, str | None] = {
    "home": None,
    "requests": None,
    "quick_add": None,
    "projects": None,
    "timesheet": None,
    "templates": None,
    # The @mention options; a private task given as `?task=` is 404 (test_mention_people).
    "mention_people": None,
    "acknowledge_request": "request",
    "answer_request": "request",
    "hand_back_request": "request",
    "project": "project",
    "add_task": "project",
    "add_section": "project",
    "bulk_update": "project",
    "project_fields": "project",
    "board": "project",
    "board_add_card": "project",
    "save_template": "project",
    "import_asana": "project",
    "import_job": "project+job",
    "import_map_assignees": "project+job",
    "import_restart": "project+job",
    "export_csv": "project",
    "export_json": "project",
    "edit_field": "field",
    "move_field": "field",
    "delete_field": "field",
    "task_row": "task",
    "edit_task_row": "task",
    "row_request_box": "task",
    "task_field_value": "task+field",
    "task": "task",
    "toggle_task": "task",
    "add_comment": "task",
    "edit_task": "task",
    "rename_task": "task",
    "add_subtask": "task",
    "ask": "task",
    "reply_by_field": None,
    "add_attachment": "task",
    "add_dependency": "task",
    "remove_dependency": "task+blocker",
    "follow_task": "task",
    "move_task": "task",
    "set_recurrence": "task",
    "remove_recurrence": "task",
    "log_time": "task",
    "apply_checklist": "task",
    "attachment": "attachment",
    "remove_attachment": "attachment",
    "edit_time_log": "time",
    "delete_time_log": "time",
    "use_template": "template",
    "template": "template",
    "template_version": "template",
    "project_status": "project",
    # Added by the project settings work, if present.
    "project_settings": "project",
    "add_project_member": "project",
    "project_member": "project+member",
    "remove_project_member": "project+member",
    "archive_project": "project",
    "unarchive_project": "project",
}


@pytest.fixture
def private(team, alice):
    """A private project of alice's with one of everything in it."""
    project = make_project(name=SECRET, team=team, owner=alice, visibility=Visibility.PRIVATE)
    member = make_user(full_name="Dana Member")
    ProjectMember.objects.create(project=project, user=member)
    ProjectMember.objects.create(project=project, user=alice)
    section = Section.objects.create(project=project, name="Due diligence")
    task = make_task(project=project, section=section, title=f"{SECRET}: kickoff")
    blocker = make_task(project=project, title=f"{SECRET}: NDA")
    Dependency.objects.create(task=task, blocked_by=blocker)
    request = WorkRequest.objects.create(
        task=task,
        requester=alice,
        assignee=member,
        reply_by=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    field = CustomField.objects.create(project=project, name="Deal size", kind=FieldKind.NUMBER)
    attachment = Attachment.objects.create(
        task=task,
        file=ContentFile(b"term sheet", name="terms.txt"),
        name="terms.txt",
        size=10,
        content_type="text/plain",
        uploaded_by=alice,
    )
    time_log = TimeLog.objects.create(
        task=task, user=alice, worked_on=datetime.date(2025, 1, 6), minutes=30
    )
    template = ProjectTemplate.objects.create(name=f"{SECRET} playbook", team=team, author=alice)
    job = ImportJob.objects.create(
        project=project, created_by=alice, file=ContentFile(b"Task ID\n", name="a.csv")
    )
    return {
        "project": project,
        "task": task,
        "blocker": blocker,
        "request": request,
        "field": field,
        "attachment": attachment,
        "time": time_log,
        "template": template,
        "job": job,
        "member": member,
    }


def url_for(name: str, objects: dict) -> str:
    target = TARGETS[name]
    if target is None:
        return reverse(f"work:{name}")
    main, _, extra = target.partition("+")
    kwargs = {"pk": objects[main].pk}
    if extra == "job":
        kwargs["job_pk"] = objects["job"].pk
    elif extra == "field":
        kwargs["field_pk"] = objects["field"].pk
    elif extra == "blocker":
        kwargs["blocker"] = objects["blocker"].pk
    elif extra == "member":
        kwargs["user_pk"] = objects["member"].pk
    return reverse(f"work:{name}", kwargs=kwargs)


WORK_URL_NAMES = [pattern.name for pattern in work_urls.urlpatterns]


def test_every_work_url_is_covered():
    missing = [name for name in WORK_URL_NAMES if name not in TARGETS]
    assert not missing, f"add these Work URLs to TARGETS in {__name__}: {missing}"


@pytest.mark.parametrize("name", WORK_URL_NAMES)
def test_outsider_learns_nothing(client, charlie, private, name):
    client.force_login(charlie)
    url = url_for(name, private)
    get, post = client.get(url), client.post(url, {"title": "x", "body": "x", "name": "x"})
    if TARGETS[name] is None:
        # Pages of one's own work: they load, and the private project is nowhere in them.
        assert get.status_code == 200
        assert SECRET not in get.content.decode()
        return
    assert {get.status_code, post.status_code} <= {404, 405}, (get.status_code, post.status_code)
    assert 404 in {get.status_code, post.status_code}
    for response in (get, post):
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("name", WORK_URL_NAMES)
def test_logged_out_visitors_are_sent_to_log_in(client, private, name):
    response = client.get(url_for(name, private))
    assert response.status_code in {302, 405}
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_outsider_writes_change_nothing(client, charlie, private):
    client.force_login(charlie)
    task = private["task"]
    client.post(reverse("work:toggle_task", kwargs={"pk": task.pk}))
    client.post(reverse("work:add_comment", kwargs={"pk": task.pk}), {"body": "hi"})
    client.post(reverse("work:edit_task", kwargs={"pk": task.pk}), {"title": "pwned"})
    task.refresh_from_db()
    assert task.title.startswith(SECRET) and not task.is_done
    assert not task.comments.exists()
