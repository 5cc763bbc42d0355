"""The Asana upload page, the import job page that polls progress, and the export downloads."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import transfer
from workmate.work.models import (
    Dependency,
    ImportJob,
    ImportStatus,
    Section,
    Tag,
    Task,
    Visibility,
)

HTMX = {"HX-Request": "true"}
FIXTURES = Path(__file__).parent / "fixtures"
START = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture
def project(team, alice, bob):
    # Team-visible: Bob edits as a teammate; Charlie, outside the team, cannot see it.
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def org_project(team, alice):
    # Org-wide: Charlie can read it but not change it.
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


def upload(name: str = "asana_project.csv", content_type: str = "text/csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type=content_type)


def import_url(project) -> str:
    return reverse("work:import_asana", args=[project.pk])


def job_url(job) -> str:
    return reverse("work:import_job", args=[job.project_id, job.pk])


def make_job(project, user, status=ImportStatus.RUNNING, **fields) -> ImportJob:
    return ImportJob.objects.create(
        project=project,
        created_by=user,
        file=SimpleUploadedFile("x.csv", b"Task ID,Name\n"),
        status=status,
        **fields,
    )


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["work:import_asana", "work:export_csv", "work:export_json"])
def test_logged_out_goes_to_login(client, project, name):
    response = client.get(reverse(name, args=[project.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logged_out_job_page_goes_to_login(client, project, alice):
    response = client.get(job_url(make_job(project, alice)))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["work:import_asana", "work:export_csv", "work:export_json"])
def test_outsider_gets_404(client, project, charlie, name):
    client.force_login(charlie)

    assert client.get(reverse(name, args=[project.pk])).status_code == 404


def test_outsider_gets_404_for_jobs_and_uploads(client, project, alice, charlie):
    job = make_job(project, alice)
    client.force_login(charlie)

    assert client.get(job_url(job)).status_code == 404
    assert client.post(import_url(project), {"file": upload()}).status_code == 404
    assert not ImportJob.objects.exclude(pk=job.pk).exists()


def test_job_of_another_project_is_404(client, project, org_project, alice):
    job = make_job(org_project, alice)
    client.force_login(alice)

    url = reverse("work:import_job", args=[project.pk, job.pk])
    assert client.get(url).status_code == 404


def test_wrong_methods_get_405(client, project, alice):
    job = make_job(project, alice)
    client.force_login(alice)

    assert client.put(import_url(project)).status_code == 405
    assert client.post(job_url(job)).status_code == 405
    assert client.post(reverse("work:export_csv", args=[project.pk])).status_code == 405
    assert client.post(reverse("work:export_json", args=[project.pk])).status_code == 405


def test_read_only_viewer_cannot_import_but_can_export(client, org_project, charlie):
    make_task(project=org_project, title="Read me")
    client.force_login(charlie)

    assert client.get(import_url(org_project)).status_code == 403
    response = client.post(import_url(org_project), {"file": upload()})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert org_project.tasks.count() == 1
    export = client.get(reverse("work:export_csv", args=[org_project.pk]))
    assert export.status_code == 200
    assert "Read me" in b"".join(export.streaming_content).decode()


def test_project_page_links_to_import_and_export(client, project, org_project, alice, charlie):
    client.force_login(alice)
    page = client.get(reverse("work:project", args=[project.pk])).content.decode()
    assert f'href="{import_url(project)}"' in page
    assert f'href="{reverse("work:export_csv", args=[project.pk])}"' in page
    assert f'href="{reverse("work:export_json", args=[project.pk])}"' in page

    client.force_login(charlie)
    page = client.get(reverse("work:project", args=[org_project.pk])).content.decode()
    assert import_url(org_project) not in page
    assert reverse("work:export_csv", args=[org_project.pk]) in page


# --- Upload --------------------------------------------------------------------------------


def test_upload_page_shows_the_form_and_earlier_imports(client, project, alice):
    make_job(project, alice, ImportStatus.DONE, report={"created": 4, "updated": 1})
    client.force_login(alice)

    response = client.get(import_url(project))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert "4 created, 1 updated" in page
    assert "<html" in page


def test_upload_page_htmx_gets_the_job_list(client, project, alice):
    make_job(project, alice, ImportStatus.DONE, report={"created": 4, "updated": 1})
    client.force_login(alice)

    fragment = client.get(import_url(project), headers=HTMX).content.decode()

    assert "4 created, 1 updated" in fragment
    assert "<html" not in fragment
    assert "multipart" not in fragment


def test_upload_imports_in_the_worker_and_shows_the_report(
    client, project, alice, bob, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(import_url(project), {"file": upload()})

    job = ImportJob.objects.get()
    assert len(callbacks) == 1
    assert response.status_code == 302
    assert response.url == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_by == bob
    assert (job.total_rows, job.processed_rows, job.percent) == (17, 17, 100)
    assert job.report["created"] == 17
    assert job.finished_at is not None
    assert project.tasks.count() == 17
    assert project.tasks.get(title="Write SOW draft").subtasks.count() == 2

    page = client.get(job_url(job)).content.decode()
    assert "17 rows imported:" in page
    assert "17 created, 0 updated, 0 unchanged." in page
    assert "Dana Choi &lt;dana@partner.example&gt;" in page
    assert 'value="100"' in page
    assert 'hx-trigger="every 1s"' not in page


def test_uploading_again_updates_instead_of_duplicating(
    client, project, alice, bob, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(import_url(project), {"file": upload()})

    latest = ImportJob.objects.order_by("-pk").first()
    assert latest.report["created"] == 0
    assert latest.report["unchanged"] == 17
    assert project.tasks.count() == 17


def test_bad_file_fails_with_line_numbers_and_writes_nothing(
    client, project, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(import_url(project), {"file": upload("asana_bad.csv")})

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.report["errors"] == [
        {"line": 7, "reason": "Due Date 'next week' is not a date"},
        {"line": 9, "reason": "parent task 'Foo' not found"},
    ]
    assert project.tasks.count() == 0
    assert project.sections.count() == 0
    page = client.get(response.url).content.decode()
    assert "Nothing was imported" in page
    assert "line 7: Due Date &#x27;next week&#x27; is not a date" in page
    assert "line 9: parent task &#x27;Foo&#x27; not found" in page
    assert 'hx-trigger="every 1s"' not in page


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("tasks.xlsx", b"PK\x03\x04", "application/vnd.openxmlformats", "Choose the .csv file"),
        ("tasks.csv", b"\x00\x01\x02binary", "text/csv", "That file is not text"),
        ("tasks.csv", b"Task ID,Name\n", "image/png", "Choose the .csv file"),
    ],
)
def test_upload_that_is_not_a_csv_is_refused(
    client, project, alice, name, content, content_type, message
):
    client.force_login(alice)

    response = client.post(
        import_url(project), {"file": SimpleUploadedFile(name, content, content_type)}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_over_the_size_limit_is_refused(client, project, alice, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_UPLOAD_BYTES", 1024 * 1024)
    client.force_login(alice)
    big = SimpleUploadedFile("big.csv", b"Task ID,Name\n" + b"1,x\n" * 300_000, "text/csv")

    response = client.post(import_url(project), {"file": big})

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_without_a_file_is_refused(client, project, alice):
    client.force_login(alice)

    response = client.post(import_url(project), {})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- Job page and worker -------------------------------------------------------------------


def test_running_job_polls_every_second(client, project, alice):
    job = make_job(project, alice, total_rows=400, processed_rows=100)
    client.force_login(alice)

    fragment = client.get(job_url(job), headers=HTMX).content.decode()

    assert 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="{job_url(job)}"' in fragment
    assert '<progress max="100" value="25">' in fragment
    assert "<html" not in fragment


def test_finished_job_stops_polling(client, project, alice):
    job = make_job(
        project,
        alice,
        ImportStatus.DONE,
        total_rows=3,
        processed_rows=3,
        report={"created": 3, "updated": 0, "unchanged": 0, "rows": 3},
    )
    client.force_login(alice)

    fragment = client.get(job_url(job), headers=HTMX).content.decode()

    assert "hx-trigger" not in fragment
    assert "hx-get" not in fragment
    assert "3 created, 0 updated, 0 unchanged." in fragment


def test_job_full_page(client, project, alice):
    job = make_job(project, alice, ImportStatus.QUEUED)
    client.force_login(alice)

    page = client.get(job_url(job)).content.decode()

    assert "<html" in page
    assert "Uploaded by Alice Kim" in page
    assert 'hx-trigger="every 1s"' in page


def test_worker_reports_progress_while_reading(alice, project, monkeypatch):
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 5)
    job = make_job(project, alice, ImportStatus.QUEUED)
    job.file.save("asana.csv", io.BytesIO((FIXTURES / "asana_project.csv").read_bytes()))

    with CaptureQueriesContext(connection) as queries:
        transfer.run_import_job(job.pk)

    progress_updates = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('UPDATE "work_importjob" SET "processed_rows"')
    ]
    assert len(progress_updates) >= 4
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_running_a_job_twice_imports_once(alice, project):
    job = make_job(project, alice, ImportStatus.QUEUED)
    job.file.save("asana.csv", io.BytesIO((FIXTURES / "asana_project.csv").read_bytes()))

    assert transfer.run_import_job(job.pk).status == ImportStatus.DONE
    assert transfer.run_import_job(job.pk) is None

    job.refresh_from_db()
    assert job.report["created"] == 17
    assert project.tasks.count() == 17


def test_job_fails_when_the_uploader_lost_edit_rights(alice, bob, project):
    job = make_job(project, bob, ImportStatus.QUEUED)
    job.file.save("asana.csv", io.BytesIO((FIXTURES / "asana_project.csv").read_bytes()))
    bob.memberships.all().delete()

    transfer.run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "not change it" in job.report["errors"][0]["reason"]
    assert project.tasks.count() == 0


# --- Stalled jobs and starting again -------------------------------------------------------


def restart_url(job) -> str:
    return reverse("work:import_restart", args=[job.project_id, job.pk])


def later(minutes: float):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def job_at_start(project, user, status=ImportStatus.RUNNING, **fields) -> ImportJob:
    """A job with the real fixture file whose last progress was written at START."""
    with later(0):
        job = make_job(project, user, status, total_rows=400, processed_rows=100, **fields)
        job.file.save("asana.csv", io.BytesIO((FIXTURES / "asana_project.csv").read_bytes()))
    return job


def test_running_job_stalls_after_the_setting_without_progress(project, alice, settings):
    job = job_at_start(project, alice)
    failed = job_at_start(project, alice, ImportStatus.FAILED)
    done = job_at_start(project, alice, ImportStatus.DONE)

    with later(14.9):
        assert not job.is_stalled()
        assert not job.can_restart()
        assert failed.can_restart()
    with later(15.1):
        assert job.is_stalled()
        assert job.can_restart()
        assert not done.is_stalled() and not done.can_restart()
        settings.IMPORT_STALL_MINUTES = 30
        assert not job.is_stalled()


def test_job_page_shows_a_stalled_job_and_stops_polling(client, project, alice):
    job = job_at_start(project, alice)
    client.force_login(alice)

    with later(5):
        live = client.get(job_url(job), headers=HTMX).content.decode()
    with later(16):
        fragment = client.get(job_url(job), headers=HTMX).content.decode()
        listing = client.get(import_url(project), headers=HTMX).content.decode()

    assert 'hx-trigger="every 1s"' in live
    assert "Stalled" not in live and "restart-import-form" not in live
    assert "Stalled" in fragment
    assert "the worker running it has probably stopped" in fragment
    assert "hx-trigger" not in fragment
    assert '<progress max="100" value="25">' in fragment
    assert f'action="{restart_url(job)}"' in fragment
    assert "Stalled" in listing


def test_viewer_sees_stalled_but_cannot_restart(client, org_project, alice, charlie):
    job = job_at_start(org_project, alice)
    client.force_login(charlie)

    with later(16):
        page = client.get(job_url(job)).content.decode()
        response = client.post(restart_url(job))

    assert "Stalled" in page
    assert "restart-import-form" not in page
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


def test_restart_access(client, project, alice, charlie):
    job = job_at_start(project, alice)

    with later(16):
        logged_out = client.post(restart_url(job))
        client.force_login(charlie)
        outsider = client.post(restart_url(job))
        client.force_login(alice)
        wrong_method = client.get(restart_url(job))

    assert logged_out.status_code == 302
    assert logged_out.url.startswith(reverse("login"))
    assert outsider.status_code == 404
    assert wrong_method.status_code == 405
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


def test_editor_restarts_a_stalled_job(
    client, project, alice, bob, django_capture_on_commit_callbacks
):
    label = "Dana Choi <dana@partner.example>"
    job = job_at_start(project, alice, report={"assignee_map": {label: bob.pk}})
    client.force_login(bob)

    with later(16):
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(restart_url(job))
        job.refresh_from_db()
        assert response.status_code == 302
        assert response.url == job_url(job)
        assert (job.status, job.total_rows, job.processed_rows) == (ImportStatus.QUEUED, 0, 0)
        assert job.finished_at is None
        assert job.report == {"assignee_map": {label: bob.pk}}
        assert job.updated_at == START + datetime.timedelta(minutes=16)
        assert len(callbacks) == 1
        callbacks[0]()  # The worker picks it up.

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.report["created"] == 17
    assert project.tasks.get(title="Landing zone design").assignee == bob


def test_editor_restarts_a_failed_job(client, project, alice, django_capture_on_commit_callbacks):
    job = job_at_start(
        project,
        alice,
        ImportStatus.FAILED,
        report={"errors": [{"line": 0, "reason": "The import stopped unexpectedly"}]},
        finished_at=START,
    )
    client.force_login(alice)
    page = client.get(job_url(job)).content.decode()
    assert f'action="{restart_url(job)}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(restart_url(job))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.report["errors"] == []
    assert project.tasks.count() == 17


@pytest.mark.parametrize("status", [ImportStatus.RUNNING, ImportStatus.QUEUED, ImportStatus.DONE])
def test_restart_refuses_a_job_that_is_live_or_done(
    client, project, alice, status, django_capture_on_commit_callbacks
):
    job = job_at_start(project, alice, status)
    client.force_login(alice)

    with later(5), django_capture_on_commit_callbacks() as callbacks:
        response = client.post(restart_url(job))

    assert response.status_code == 400
    assert "Only a failed or stalled import can be started again." in response.content.decode()
    assert not callbacks
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (status, 100)


def test_worker_skips_a_running_job_that_still_moves(alice, project):
    job = job_at_start(project, alice)

    with later(5):
        assert transfer.run_import_job(job.pk) is None

    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (ImportStatus.RUNNING, 100)
    assert project.tasks.count() == 0


@pytest.mark.parametrize("status", [ImportStatus.DONE, ImportStatus.FAILED])
def test_worker_skips_finished_jobs(alice, project, status):
    job = job_at_start(project, alice, status)

    with later(60):
        assert transfer.run_import_job(job.pk) is None

    job.refresh_from_db()
    assert job.status == status
    assert project.tasks.count() == 0


def test_worker_takes_over_a_stalled_job_once(alice, project):
    job = job_at_start(project, alice)

    with later(16):
        assert transfer.run_import_job(job.pk).status == ImportStatus.DONE
        assert transfer.run_import_job(job.pk) is None

    job.refresh_from_db()
    assert job.updated_at == START + datetime.timedelta(minutes=16)
    assert job.report["created"] == 17
    assert project.tasks.count() == 17


def test_every_progress_write_moves_updated_at(alice, project, monkeypatch):
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 5)
    job = job_at_start(project, alice, ImportStatus.QUEUED)

    with later(30), CaptureQueriesContext(connection) as queries:
        transfer.run_import_job(job.pk)

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "work_importjob"')]
    assert len(updates) >= 5
    assert all('"updated_at"' in sql for sql in updates)
    job.refresh_from_db()
    assert job.updated_at == START + datetime.timedelta(minutes=30)


# --- Export --------------------------------------------------------------------------------


def fill(project, count: int) -> None:
    section = Section.objects.create(project=project, name="Doing", position=1)
    tag = Tag.objects.get_or_create(name="ops")[0]
    previous = None
    for number in range(count):
        task = make_task(project=project, section=section, title=f"Task {number}")
        task.tags.add(tag)
        if previous is not None:
            make_task(project=project, parent=task, title=f"Sub {number}")
            Dependency.objects.create(task=task, blocked_by=previous)
        previous = task


@pytest.mark.parametrize("name", ["work:export_csv", "work:export_json"])
def test_export_query_count_does_not_grow(client, team, alice, name):
    counts = []
    for size in (10, 60):
        project = make_project(team=team, owner=alice)
        fill(project, size)
        client.force_login(alice)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=[project.pk]))
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert f"Task {size - 1}" in body.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_export_csv_download(client, project, alice, bob):
    make_task(project=project, title="회의록 정리", assignee=bob)
    client.force_login(bob)

    response = client.get(reverse("work:export_csv", args=[project.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="migration-{project.pk}.csv"'
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeffTask ID,Created At,Completed At")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0]["Name"] == "회의록 정리"
    assert rows[0]["Assignee Email"] == "bob@example.com"
    assert rows[0]["Projects"] == "Migration"


def test_export_csv_neutralises_formulas_and_imports_them_back(client, team, project, alice):
    titles = ['=HYPERLINK("http://evil.example","open")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]
    for title in titles:
        make_task(project=project, title=title, description="-1 day")
    client.force_login(alice)

    response = client.get(reverse("work:export_csv", args=[project.pk]))

    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert sorted(row["Name"] for row in rows) == sorted(f"'{title}" for title in titles)
    assert {row["Notes"] for row in rows} == {"'-1 day"}
    # Importing the file gives the titles back as they were.
    copy = make_project(name="Copy", team=team, owner=alice)
    report = transfer.do_import_asana(alice, copy, io.BytesIO(body.encode()))
    assert report.ok, report.errors
    assert sorted(copy.tasks.values_list("title", flat=True)) == sorted(titles)
    assert set(copy.tasks.values_list("description", flat=True)) == {"-1 day"}


def test_export_json_download(client, project, alice):
    parent = make_task(project=project, title="Parent")
    make_task(project=project, title="Child", parent=parent)
    client.force_login(alice)

    response = client.get(reverse("work:export_json", args=[project.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="migration-{project.pk}.json"'
    data = json.loads(response.content)
    assert data["project"]["name"] == "Migration"
    assert [t["title"] for t in data["tasks"]] == ["Parent"]
    assert [t["title"] for t in data["tasks"][0]["subtasks"]] == ["Child"]


def test_export_filename_keeps_korean_names(client, team, alice):
    project = make_project(name="클라우드 이전", team=team, owner=alice)
    client.force_login(alice)

    response = client.get(reverse("work:export_csv", args=[project.pk]))

    assert re.search(r"filename\*=utf-8''%ED%81%B4", response["Content-Disposition"])
    assert Task.objects.count() == 0


# --- Giving unknown assignees a person -----------------------------------------------------


def finished_import(client, project, user, django_capture_on_commit_callbacks) -> ImportJob:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(import_url(project), {"file": upload()})
    return ImportJob.objects.get()


def map_url(job) -> str:
    return reverse("work:import_map_assignees", args=[job.project_id, job.pk])


def test_job_page_offers_a_person_for_each_unknown_name(
    client, project, alice, bob, django_capture_on_commit_callbacks
):
    job = finished_import(client, project, alice, django_capture_on_commit_callbacks)

    page = client.get(job_url(job)).content.decode()

    assert f'action="{map_url(job)}"' in page
    assert '<label for="id_person_0">Dana Choi &lt;dana@partner.example&gt;</label>' in page
    assert "Leave unassigned" in page
    assert f'<option value="{bob.pk}">Bob Lee</option>' in page


def test_mapping_imports_again_with_the_chosen_people(
    client, project, alice, bob, django_capture_on_commit_callbacks
):
    job = finished_import(client, project, alice, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(map_url(job), {"person_0": bob.pk})

    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302
    assert response.url == job_url(again)
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE
    assert again.report["unknown_assignees"] == []
    assert again.report["assignee_map"] == {"Dana Choi <dana@partner.example>": bob.pk}
    assert again.report["updated"] == 1
    assert project.tasks.count() == 17
    assert project.tasks.get(title="Landing zone design").assignee == bob
    page = client.get(job_url(again)).content.decode()
    assert "1 unknown name was given a person for this import." in page
    assert "map-assignees-form" not in page


def test_mapping_to_someone_who_cannot_see_the_project_is_refused(
    client, project, alice, charlie, django_capture_on_commit_callbacks
):
    job = finished_import(client, project, alice, django_capture_on_commit_callbacks)

    response = client.post(map_url(job), {"person_0": charlie.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_mapping_access(client, project, org_project, alice, charlie, bob):
    job = make_job(project, alice, ImportStatus.DONE, report={"unknown_assignees": ["Dana"]})
    org_job = make_job(
        org_project, alice, ImportStatus.DONE, report={"unknown_assignees": ["Dana"]}
    )
    client.force_login(charlie)

    assert client.post(map_url(job), {"person_0": bob.pk}).status_code == 404
    assert client.post(map_url(org_job), {"person_0": bob.pk}).status_code == 403
    page = client.get(job_url(org_job)).content.decode()
    assert "map-assignees-form" not in page
    assert "<li>Dana</li>" in page
    client.force_login(alice)
    assert client.get(map_url(job)).status_code == 405
    assert ImportJob.objects.count() == 2


def test_mapping_waits_for_a_running_import(client, project, alice, bob):
    job = make_job(project, alice, ImportStatus.RUNNING, report={"unknown_assignees": ["Dana"]})
    client.force_login(alice)

    response = client.post(map_url(job), {"person_0": bob.pk})

    assert response.status_code == 400
    assert "Wait until this import has finished" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_job_whose_file_is_gone_fails(alice, project):
    job = make_job(project, alice, ImportStatus.QUEUED)
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="imports/missing.csv")

    transfer.run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.report["errors"] == [
        {"line": 0, "reason": "The uploaded file is gone; upload it again."}
    ]
