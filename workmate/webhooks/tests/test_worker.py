"""The real `db_worker` process: a wake-up lost when a worker died is made good by the
sweeper, and two workers running at once never send one delivery twice.

Like accounts/tests/test_worker.py, the workers run as their own processes against the
test database (committed rows: `transaction=True`), sending to the loopback receiver.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from workmate.accounts.tests.test_worker import DATABASE_BACKEND, _test_database_url
from workmate.automation.events import record_event
from workmate.testing.factories import make_project, make_task, make_user
from workmate.webhooks import services
from workmate.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from workmate.webhooks.tasks import deliver_endpoint, sweep_deliveries

TIMEOUT = 90  # seconds; a worker normally finishes in a few.


def _start_worker() -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TASKS_BACKEND": DATABASE_BACKEND,
        "WEBHOOKS_ALLOWED_HOSTS": "127.0.0.1",
        "WORKMATE_TESTING": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(*workers: subprocess.Popen[str]) -> None:
    outputs = []
    try:
        for worker in workers:
            output, _ = worker.communicate(timeout=TIMEOUT)
            outputs.append(output)
            assert worker.returncode == 0, output
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}


def _setup(receiver, *names: str):
    owner = make_user(is_superuser=True)
    project = make_project(owner=owner)
    endpoints = [
        services.do_create_endpoint(
            owner,
            name=name,
            url=receiver.url(name),
            scope="project",
            project=project,
            event_types=["task.created"],
        )
        for name in names
    ]
    for endpoint in endpoints:
        receiver.expect(endpoint.name, endpoint.secret)
    return owner, project, endpoints


def _change(project, owner, title: str) -> None:
    with transaction.atomic():
        task = make_task(project=project, title=title)
        record_event("task.created", obj=task, actor=owner, project=project, payload={})


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_died_before_sending_is_made_good_by_the_sweeper(db_tasks, receiver):
    owner, project, [endpoint] = _setup(receiver, "crash")
    _change(project, owner, "Rotate the keys")
    [delivery] = Delivery.objects.all()
    # The change committed and woke the endpoint's task; the worker that took the job
    # died holding the endpoint's lease, and its job is gone.
    [wake_up] = DBTaskResult.objects.all()
    assert wake_up.task_path == deliver_endpoint.module_path
    wake_up.delete()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1), lease_token="dead-worker"
    )
    # The clock's minute comes round.
    sweep_deliveries.enqueue()

    _finish(_start_worker())

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    [got] = receiver.got("crash")
    assert got.message_id == delivery.message_id
    assert got.verified_with == [endpoint.secret]


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery_twice(db_tasks, receiver):
    owner, project, endpoints = _setup(receiver, "twice-a", "twice-b")
    for n in range(12):
        _change(project, owner, f"Task {n}")
    # Extra wake-ups, so both workers go for the same endpoints at once.
    for endpoint in endpoints:
        for _extra in range(3):
            deliver_endpoint.enqueue(endpoint.pk)

    _finish(_start_worker(), _start_worker())

    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 24
    assert Attempt.objects.count() == 24
    for endpoint in endpoints:
        sent = Counter(got.message_id for got in receiver.got(endpoint.name))
        assert len(sent) == 12
        assert set(sent.values()) == {1}, sent
