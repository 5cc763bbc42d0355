"""In the browser, in Korean on a phone: an import whose worker died says so and starts again."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from workmate.ops import jobs
from workmate.ops.models import WorkerHeartbeat
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.work.models import ImportJob, ImportStatus
from workmate.work.tasks import run_asana_import

pytestmark = pytest.mark.browser


def test_an_import_that_lost_its_worker_three_times_says_so_and_starts_again(
    page: Page, live_server, settings, alice, team
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    alice.language = "ko"
    alice.save(update_fields=["language"])
    project = make_project(name="이관", team=team, owner=alice)
    job = ImportJob.objects.create(
        project=project,
        created_by=alice,
        file=SimpleUploadedFile("a.csv", b"Task ID,Name\n1,One\n"),
        status=ImportStatus.RUNNING,
    )
    result = run_asana_import.enqueue(job.pk)
    for attempt in range(jobs.MAX_ATTEMPTS):
        result.db_result.refresh_from_db()
        result.db_result.claim(f"gone{attempt}")
        WorkerHeartbeat.objects.create(worker_id=f"gone{attempt}", host="elsewhere", pid=1)
        WorkerHeartbeat.objects.filter(pk=f"gone{attempt}").update(last_seen="2020-01-01T00:00Z")
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
        jobs.recover_lost_jobs()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/import/{job.pk}/")

    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("가져온 항목이 없습니다:")
    expect(progress).to_contain_text("가져오기를 실행하던 작업자가 끝내기 전에 멈췄습니다.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(settings.MEDIA_ROOT.parent / "lost-import.png"), full_page=True)

    page.get_by_role("button", name="가져오기 다시 시작").click()
    expect(page.locator("#import-progress")).not_to_contain_text("작업자가 끝내기 전에 멈췄습니다")
    job.refresh_from_db()
    assert job.status in {ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE}
