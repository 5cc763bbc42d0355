"""End to end: a request mailed by the real worker, then the clock's digest, over real SMTP.

Like accounts/tests/test_worker.py, this runs `manage.py db_worker --batch` as its own
process against the test database (committed rows, `transaction=True`). The worker's
clock is the real one, so the person here works around the clock in UTC with no public
holidays: whenever the suite runs, they are at work and their digest is due.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workmate.accounts.tests.test_worker import DATABASE_BACKEND, _run_worker
from workmate.inbox import clock
from workmate.inbox.models import Digest, InboxSettings, Notification
from workmate.testing.factories import add_member, make_project, make_user
from workmate.testing.smtp import SMTPSink, use_sink
from workmate.work import services as work

ALWAYS_AT_WORK = {
    "time_zone": "UTC",
    "work_days": [0, 1, 2, 3, 4, 5, 6],
    "work_start": datetime.time(0, 0),
    "work_end": datetime.time(23, 59, 59),
    "holiday_country": "",
}


@pytest.mark.django_db(transaction=True)
def test_worker_mails_a_request_then_the_clock_sends_the_digest(
    settings, monkeypatch, smtp_sink: SMTPSink, team, alice
):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}
    monkeypatch.setenv("SITE_URL", "http://workmate.test")  # read by the worker process
    dana = make_user(email="dana@example.com", full_name="Dana Choi", profile=ALWAYS_AT_WORK)
    add_member(team, dana)
    InboxSettings.objects.create(user=dana, digest_time=datetime.time(0, 0))
    project = make_project(name="Migration", team=team, owner=alice)
    task = work.do_create_task(alice, project, title="Rotate the keys")

    work.do_send_request(alice, task, dana, message="Today, please.")

    [queued] = DBTaskResult.objects.filter(task_path__endswith="send_notification_email")
    assert smtp_sink.mails == []
    output = _run_worker(smtp_sink.url)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL, queued.traceback or output
    [request_mail] = smtp_sink.mails
    assert request_mail.recipients == ["dana@example.com"]
    assert request_mail.message["Subject"] == "Alice Kim sent you a request: Rotate the keys"
    assert Notification.objects.get(recipient=dana).emailed_at is not None

    call_command("clock", "--once", stdout=io.StringIO())
    output = _run_worker(smtp_sink.url)

    digest_task = DBTaskResult.objects.get(task_path="workmate.inbox.tasks.send_digests")
    assert digest_task.status == TaskResultStatus.SUCCESSFUL, digest_task.traceback or output
    assert digest_task.return_value >= 1
    [digest_mail] = [m for m in smtp_sink.mails[1:] if m.recipients == ["dana@example.com"]]
    assert digest_mail.message["Subject"].startswith("Your Workmate digest for ")
    body = digest_mail.message.get_body(("plain",)).get_content()
    assert "Needs your reply" in body
    assert f"http://workmate.test/work/tasks/{task.pk}/" in body
    html = digest_mail.message.get_body(("html",)).get_content()
    assert 'href="http://workmate.test/inbox/preferences/"' in html
    digest = Digest.objects.get(user=dana)
    assert digest.sent_at is not None and digest.item_count == 1

    # Later runs the same day send nothing more.
    before = len(smtp_sink.mails)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    use_sink(settings, smtp_sink)
    assert clock.tick(digest.sent_at + datetime.timedelta(minutes=1)) != []
    assert len(smtp_sink.mails) == before
