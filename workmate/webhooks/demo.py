"""Demo endpoints and an incoming webhook for `manage.py seed_demo`.

The endpoints point at example addresses, so they are created turned off (a demo must
not call strangers); their logs show one delivered and one dead delivery, and the
incoming webhook's URL can be tried with curl.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import User
from workmate.webhooks import services
from workmate.webhooks.models import (
    SCHEDULE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    IncomingHook,
)
from workmate.work.models import Project

PROJECT = "고객 문의 처리 개선"
OFF = "데모: 실제 수신 주소로 바꾼 뒤 켜세요."


def seed_webhooks_demo(people: dict[str, User]) -> int:
    """Create the demo rows that do not exist yet; return how many endpoints were made."""
    project = Project.objects.filter(name=PROJECT).select_related("owner").first()
    if project is None or Endpoint.objects.filter(project=project).exists():
        return 0
    owner = project.owner
    now = timezone.now()
    made = [
        Endpoint.objects.create(
            name="감사 로그 수집기",
            url="https://audit.example.com/workmate/webhooks",
            owner=owner,
            scope="project",
            project=project,
            event_types=["task.created", "task.completed", "task.assigned"],
            disabled_at=now,
            disabled_reason=OFF,
        ),
        Endpoint.objects.create(
            name="#cs-운영 (Slack)",
            kind="slack",
            url="https://hooks.slack.com/services/T000/B000/DEMO",
            owner=owner,
            scope="project",
            project=project,
            event_types=["task.completed"],
            language="ko",
            disabled_at=now,
            disabled_reason=OFF,
        ),
    ]
    audit = made[0]
    body = '{"type":"task.created","data":{"title":"야간 P1 에스컬레이션 규칙 초안"}}'
    done = Delivery.objects.create(
        endpoint=audit,
        key="demo:1",
        event_type="task.created",
        body=body,
        status=DeliveryStatus.DELIVERED,
        attempt_count=1,
        created_at=now - datetime.timedelta(days=2),
        finished_at=now - datetime.timedelta(days=2),
        last_status_code=200,
    )
    Attempt.objects.create(
        delivery=done, number=1, at=done.created_at, status_code=200, duration_ms=84
    )
    dead = Delivery.objects.create(
        endpoint=audit,
        key="demo:2",
        event_type="task.completed",
        body=body.replace("task.created", "task.completed"),
        status=DeliveryStatus.DEAD,
        attempt_count=len(SCHEDULE),
        step=len(SCHEDULE),
        created_at=now - datetime.timedelta(days=1, hours=8),
        finished_at=now - datetime.timedelta(hours=2),
        last_status_code=503,
    )
    at = dead.created_at
    for number, wait in enumerate(SCHEDULE, start=1):
        at += wait
        Attempt.objects.create(
            delivery=dead,
            number=number,
            at=at,
            status_code=503,
            response_excerpt="Service Unavailable",
            duration_ms=120,
        )
    if not IncomingHook.objects.filter(project=project).exists():
        services.do_create_incoming_hook(owner, name="모니터링 경보", project=project)
    return len(made)
