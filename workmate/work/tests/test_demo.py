from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.work.models import Project, Task, TaskStatus, WorkRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_work_for_every_team_once():
    call_command("seed_demo", stdout=StringIO())
    projects = set(Project.objects.values_list("team__code", flat=True))
    assert projects == {"TE", "LE", "SE", "SD", "NBD"}
    tasks = Task.objects.count()
    assert tasks >= 15
    # Assigning to someone else is a request with a reply-by, as in real use.
    assert WorkRequest.objects.filter(reply_by__isnull=False).exists()
    # Each says what it asks: the requests list never shows "message —".
    assert not WorkRequest.objects.filter(message="").exists()
    assert Task.objects.filter(status=TaskStatus.DONE, completed_at__isnull=False).exists()

    call_command("seed_demo", stdout=StringIO())
    assert Task.objects.count() == tasks
