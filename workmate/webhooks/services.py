"""Endpoints, deliveries and incoming webhooks: the one front door for pages, API and worker.

Delivery, in steps:
1. `fan_out(event)` runs inside the transaction that recorded the event (the
   `event_recorded` signal): one `Delivery` per enabled endpoint whose scope holds the
   event and that subscribes to its type, with the body already written. A rolled-back
   change leaves no delivery. After commit, each endpoint's worker task is woken.
2. `run_endpoint(id)` (in the worker) claims the endpoint with a lease, then sends its
   waiting deliveries oldest first, one at a time. A failed try schedules the next one
   by `SCHEDULE` (or the receiver's Retry-After on 429/503) and stops the endpoint's
   queue there: later deliveries wait behind it, so order holds. Each run gives the
   worker back after a few seconds, so one busy or stuck endpoint (10 s timeout) never
   holds up another's deliveries: each endpoint is its own task.
3. `sweep()` (on the clock, every minute) wakes every endpoint with a due delivery that
   no worker holds: what a lost wake-up or a dead worker left behind is sent anyway.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workmate.accounts.models import OrgRole, Team, User
from workmate.webhooks import chat, signing, transport
from workmate.webhooks.models import (
    CHAT_KINDS,
    DISABLE_AFTER,
    ROTATION_OVERLAP,
    SCHEDULE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EndpointKind,
    EndpointScope,
)

logger = logging.getLogger(__name__)

# A worker holds an endpoint this long per try (more than the 10 s timeout); a worker
# that dies lets go when it runs out.
LEASE = datetime.timedelta(seconds=60)
# A run gives its worker back after this long, re-queueing the endpoint behind the others.
RUN_SECONDS = 5.0
# Retry-After is honoured up to this long.
MAX_RETRY_AFTER = datetime.timedelta(hours=24)

OBJECT_URLS = {"task": "work:task", "ticket": "desk:ticket", "proposal": "voice:proposal"}


# --- Who may do what ------------------------------------------------------------------


def is_org_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.org_role == OrgRole.STAFF)


def can_manage_scope(user: User, scope: str, project=None, team: Team | None = None) -> bool:
    """Who may add an endpoint in a scope: org admins anywhere; a project's managers
    (owner, team leads) for it; a desk team's leads for it."""
    if not user.is_authenticated:
        return False
    if is_org_admin(user):
        return True
    if scope == EndpointScope.PROJECT and project is not None:
        from workmate.work.services import can_manage_project

        return can_manage_project(user, project)
    if scope == EndpointScope.TEAM and team is not None:
        return user.leads(team)
    return False


def endpoints_for(user: User):
    """The endpoints a person manages: their own, or all for org admins."""
    rows = Endpoint.objects.select_related("owner", "project", "team")
    return rows if is_org_admin(user) else rows.filter(owner=user)


def get_endpoint_for_user(user: User, pk: int) -> Endpoint:
    endpoint = endpoints_for(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404(_("No such endpoint."))
    return endpoint


def get_delivery_for_user(user: User, pk: int) -> Delivery:
    delivery = (
        Delivery.objects.select_related("endpoint")
        .filter(pk=pk, endpoint__in=endpoints_for(user))
        .first()
    )
    if delivery is None:
        raise Http404(_("No such delivery."))
    return delivery


# --- Managing endpoints ---------------------------------------------------------------


def _check_fields(actor: User, endpoint: Endpoint) -> None:
    errors: dict[str, str] = {}
    try:
        transport.check_url(endpoint.url)
    except transport.Refused as refusal:
        errors["url"] = str(refusal)
    from workmate.automation.events import EVENT_TYPES

    unknown = [t for t in endpoint.event_types if t not in EVENT_TYPES]
    if unknown:
        errors["event_types"] = _("Unknown event: %(types)s.") % {"types": ", ".join(unknown)}
    if endpoint.kind == EndpointKind.WEBHOOK and not endpoint.event_types:
        errors["event_types"] = _("Choose at least one event to send.")
    if endpoint.scope == EndpointScope.PROJECT and endpoint.project is None:
        errors["project"] = _("Choose the project.")
    if endpoint.scope == EndpointScope.TEAM and endpoint.team is None:
        errors["team"] = _("Choose the desk team.")
    if errors:
        raise ValidationError(errors)
    if not can_manage_scope(actor, endpoint.scope, endpoint.project, endpoint.team):
        raise PermissionDenied(_("You may not add endpoints there."))


@transaction.atomic
def do_create_endpoint(
    actor: User,
    *,
    name: str,
    url: str,
    kind: str = EndpointKind.WEBHOOK,
    scope: str = EndpointScope.ORG,
    project=None,
    team: Team | None = None,
    event_types: Iterable[str] = (),
    language: str = "",
) -> Endpoint:
    """Add an endpoint owned by `actor`; its secret (`endpoint.secret`) is shown once."""
    endpoint = Endpoint(
        name=name.strip(),
        url=url.strip(),
        kind=kind,
        owner=actor,
        scope=scope,
        project=project if scope == EndpointScope.PROJECT else None,
        team=team if scope == EndpointScope.TEAM else None,
        event_types=sorted(set(event_types)),
        language=language or actor.language or settings.LANGUAGE_CODE,
    )
    if not endpoint.name:
        raise ValidationError({"name": _("Give the endpoint a name.")})
    _check_fields(actor, endpoint)
    endpoint.full_clean(exclude=["owner", "project", "team", "secret"])
    endpoint.save()
    return endpoint


@transaction.atomic
def do_update_endpoint(actor: User, endpoint: Endpoint, changes: dict[str, Any]) -> Endpoint:
    for name in ("name", "url", "event_types", "language"):
        if name in changes:
            value = changes[name]
            if name == "event_types":
                value = sorted(set(value))
            elif isinstance(value, str):
                value = value.strip()
            setattr(endpoint, name, value)
    if not endpoint.name:
        raise ValidationError({"name": _("Give the endpoint a name.")})
    _check_fields(endpoint.owner if actor == endpoint.owner else actor, endpoint)
    endpoint.full_clean(exclude=["owner", "project", "team", "secret"])
    endpoint.save(update_fields=["name", "url", "event_types", "language"])
    return endpoint


@transaction.atomic
def do_rotate_secret(actor: User, endpoint: Endpoint) -> str:
    """A new secret; the old one still signs (beside it) for ROTATION_OVERLAP."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint.secret


@transaction.atomic
def do_set_enabled(actor: User, endpoint: Endpoint, enabled: bool) -> Endpoint:
    """Turn an endpoint off, or on again: what waited while it was off goes out."""
    if enabled:
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
        endpoint.next_attempt_at = None
    else:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = _("Turned off by %(name)s.") % {"name": actor.full_name}
    endpoint.save(
        update_fields=["disabled_at", "disabled_reason", "failing_since", "next_attempt_at"]
    )
    if enabled:
        wake_after_commit([endpoint.pk])
    return endpoint


@transaction.atomic
def do_delete_endpoint(actor: User, endpoint: Endpoint) -> None:
    endpoint.delete()


@transaction.atomic
def do_replay(actor: User, deliveries: Iterable[Delivery]) -> int:
    """Send these deliveries again (a new round of the schedule, the same webhook-id)."""
    ids = [d.pk for d in deliveries]
    changed = Delivery.objects.filter(pk__in=ids).exclude(
        status=DeliveryStatus.WAITING, attempt_count=0
    )
    endpoints = set(changed.values_list("endpoint_id", flat=True))
    count = changed.update(
        status=DeliveryStatus.WAITING, step=0, next_attempt_at=timezone.now(), finished_at=None
    )
    Endpoint.objects.filter(pk__in=endpoints).update(next_attempt_at=None)
    wake_after_commit(endpoints)
    return count


def do_replay_failed(actor: User, endpoint: Endpoint) -> int:
    return do_replay(actor, endpoint.deliveries.failed())


@transaction.atomic
def do_test_send(actor: User, endpoint: Endpoint) -> Delivery:
    """Queue a test message ("webhook.test", or a chat message) to the endpoint."""
    key = "test:" + secrets.token_hex(8)
    if endpoint.is_chat:
        with translation.override(endpoint.language):
            message = chat.ChatMessage(
                title=_("Test message from Workmate"),
                text=_("“%(name)s” is connected.") % {"name": endpoint.name},
                url=reverse("webhooks:endpoint", args=[endpoint.pk]),
            )
            body, _headers = chat.render(endpoint.kind, message)
    else:
        body = _json(
            {
                "type": "webhook.test",
                "timestamp": _iso(timezone.now()),
                "data": {"endpoint": endpoint.name, "sent_by": actor.full_name},
            }
        )
    delivery = Delivery.objects.create(
        endpoint=endpoint, key=key, event_type="webhook.test", body=body
    )
    wake_after_commit([endpoint.pk])
    return delivery


# --- Making deliveries ----------------------------------------------------------------


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def object_link(object_type: str, object_id: int) -> str:
    name = OBJECT_URLS.get(object_type)
    if not name:
        return ""
    try:
        return settings.SITE_URL + reverse(name, args=[object_id])
    except NoReverseMatch:
        return ""


def event_body(event) -> str:
    """The Standard Webhooks message for an event: type, timestamp and data."""
    return _json(
        {
            "type": event.type,
            "timestamp": _iso(event.occurred_at),
            "data": {
                "event_id": event.pk,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "url": object_link(event.object_type, event.object_id),
                "project_id": event.project_id,
                "team_id": event.team_id,
                "actor": (
                    {"id": event.actor_id, "name": event.actor.full_name}
                    if event.actor_id
                    else None
                ),
                "by_rule": event.cause_run_id is not None,
                **{"payload": event.payload},
            },
        }
    )


def event_chat_message(event) -> chat.ChatMessage:
    """A one-line summary of an event in the active language, linking to its object."""
    from workmate.automation.events import EVENT_TYPES

    label = str(EVENT_TYPES[event.type].label) if event.type in EVENT_TYPES else event.type
    payload = event.payload or {}
    what = str(
        payload.get("title")
        or payload.get("subject")
        or payload.get("name")
        or f"{event.object_type} #{event.object_id}"
    )
    text = _("by %(name)s") % {"name": event.actor.full_name} if event.actor_id else ""
    return chat.ChatMessage(
        title=f"{label}: {what}",
        text=text,
        url=object_link(event.object_type, event.object_id),
    )


def chat_body(endpoint: Endpoint, message: chat.ChatMessage) -> str:
    return chat.render(endpoint.kind, message)[0]


def fan_out(event) -> list[Delivery]:
    """One delivery per endpoint that wants the event, in the event's transaction."""
    endpoints = [e for e in Endpoint.objects.for_event(event) if e.wants(event.type)]
    if not endpoints:
        return []
    deliveries = []
    webhook_body = None
    for endpoint in endpoints:
        if endpoint.is_chat:
            with translation.override(endpoint.language):
                body = chat_body(endpoint, event_chat_message(event))
        else:
            webhook_body = webhook_body or event_body(event)
            body = webhook_body
        deliveries.append(
            Delivery(
                endpoint=endpoint,
                event=event,
                key=f"event:{event.pk}",
                event_type=event.type,
                body=body,
                created_at=event.occurred_at,
                next_attempt_at=event.occurred_at,
            )
        )
    created = Delivery.objects.bulk_create(deliveries)
    wake_after_commit([e.pk for e in endpoints])
    return created


def queue_message(
    endpoint: Endpoint, *, key: str, event_type: str, body: str, event=None
) -> Delivery | None:
    """Queue one message (a rule's webhook or chat post); the same key twice queues once."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                endpoint=endpoint, event=event, key=key[:80], event_type=event_type, body=body
            )
    except IntegrityError:
        return None
    wake_after_commit([endpoint.pk])
    return delivery


# --- Sending (the worker) -------------------------------------------------------------


def wake(endpoint_id: int, at: datetime.datetime | None = None) -> None:
    """Queue the endpoint's worker task (now, or at `at` where the backend can defer)."""
    from django_tasks import default_task_backend

    from workmate.webhooks.tasks import deliver_endpoint

    task = deliver_endpoint
    if at is not None:
        if not default_task_backend.supports_defer:
            return  # The sweeper comes by every minute.
        task = task.using(run_after=at)
    task.enqueue(endpoint_id)


def wake_after_commit(endpoint_ids: Iterable[int]) -> None:
    """After commit, queue each endpoint's job unless one is queued already.

    `wake_queued` keeps a busy endpoint from piling up one job per change: the flag is
    set with the job and cleared when a run claims the endpoint (or gives way), and the
    run reads the queue after clearing it, so a delivery committed meanwhile is either
    seen by that run or queues a new job.
    """
    ids = sorted(set(endpoint_ids))
    if ids:
        transaction.on_commit(lambda: _wake_unqueued(ids))


def _wake_unqueued(ids: list[int]) -> None:
    for pk in Endpoint.objects.filter(pk__in=ids, wake_queued=False).values_list("pk", flat=True):
        if Endpoint.objects.filter(pk=pk, wake_queued=False).update(wake_queued=True):
            wake(pk)


def _free(now: datetime.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim(endpoint_id: int, token: str, now: datetime.datetime | None = None) -> bool:
    """Take the endpoint's lease if no live worker holds it.

    The race: two workers woken for the same endpoint. On SQLite the conditional update
    is the claim (one writer at a time); on PostgreSQL the row is locked with SKIP LOCKED
    first, so a worker finding another mid-claim moves on instead of waiting.
    """
    now = now or timezone.now()
    rows = Endpoint.objects.filter(_free(now), pk=endpoint_id, disabled_at__isnull=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            locked = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
            if not locked:
                return False
        return bool(rows.update(lease_until=now + LEASE, lease_token=token, wake_queued=False))


def _renew(endpoint_id: int, token: str) -> bool:
    return bool(
        Endpoint.objects.filter(pk=endpoint_id, lease_token=token).update(
            lease_until=timezone.now() + LEASE
        )
    )


def release(endpoint_id: int, token: str) -> None:
    Endpoint.objects.filter(pk=endpoint_id, lease_token=token).update(
        lease_until=None, lease_token=""
    )


def run_endpoint(endpoint_id: int, *, seconds: float = RUN_SECONDS) -> int:
    """Send the endpoint's due deliveries in order; returns how many tries were made."""
    token = secrets.token_hex(8)
    if not claim(endpoint_id, token):
        # Another worker holds it (or it is off). Let later changes queue a job again,
        # and wake it now if the holder let go before a delivery committed.
        Endpoint.objects.filter(pk=endpoint_id).update(wake_queued=False)
        if Endpoint.objects.due(timezone.now()).filter(pk=endpoint_id).exists():
            wake(endpoint_id)
        return 0
    tries = 0
    started = time.monotonic()
    again = False
    try:
        while True:
            endpoint = Endpoint.objects.select_related("owner").get(pk=endpoint_id)
            if not endpoint.is_enabled:
                break
            head = endpoint.deliveries.waiting().order_by("id").first()
            now = timezone.now()
            if head is None or head.next_attempt_at > now:
                later = head.next_attempt_at if head else None
                Endpoint.objects.filter(pk=endpoint_id, lease_token=token).update(
                    next_attempt_at=later
                )
                if later is not None:
                    wake(endpoint_id, at=later)
                break
            if time.monotonic() - started > seconds:
                again = True
                break
            if not _renew(endpoint_id, token):
                return tries  # Our lease ran out and another worker holds it now.
            attempt(endpoint, head)
            tries += 1
    finally:
        release(endpoint_id, token)
    # Deliveries committed while we held the lease had their wake-up turned away.
    if again or Endpoint.objects.due(timezone.now()).filter(pk=endpoint_id).exists():
        wake(endpoint_id)
    return tries


def _headers(endpoint: Endpoint, delivery: Delivery, now: datetime.datetime) -> dict[str, str]:
    if endpoint.kind in CHAT_KINDS:
        return dict(chat.BUILDERS[endpoint.kind][1])
    return {
        "Content-Type": "application/json",
        **signing.headers(delivery.message_id, delivery.body, endpoint.signing_secrets(now), now),
    }


def retry_after(value: str | None, now: datetime.datetime) -> datetime.timedelta | None:
    """Retry-After as seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = datetime.timedelta(seconds=int(value))
    else:
        try:
            wait = email.utils.parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return max(datetime.timedelta(0), min(wait, MAX_RETRY_AFTER))


def attempt(endpoint: Endpoint, delivery: Delivery) -> Attempt:
    """Make one try of `delivery` and record it; schedules the next or finishes it."""
    now = timezone.now()
    headers = _headers(endpoint, delivery, now)
    response = transport.post(endpoint.url, delivery.body.encode(), headers)
    done = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        record = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count + 1,
            at=now,
            request_headers=headers,
            status_code=response.status,
            response_excerpt=response.body,
            error=response.error,
            duration_ms=response.duration_ms,
        )
        delivery.attempt_count += 1
        delivery.last_status_code = response.status
        fields = ["attempt_count", "last_status_code", "status", "step", "next_attempt_at"]
        if response.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.finished_at = done
            fields.append("finished_at")
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            _failed(endpoint, delivery, response, done)
            fields.append("finished_at")
        delivery.save(update_fields=fields)
    return record


def _failed(
    endpoint: Endpoint, delivery: Delivery, response: transport.Response, now: datetime.datetime
) -> None:
    delivery.step += 1
    failing_since = endpoint.failing_since or now
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    if response.status == 410:
        # Gone: the receiver says so. The delivery waits for the endpoint to come back.
        delivery.next_attempt_at = now
        disable(endpoint, _("The receiver answered 410 Gone."))
        return
    if delivery.step >= len(SCHEDULE):
        delivery.status = DeliveryStatus.DEAD
        delivery.finished_at = now
    else:
        wait = SCHEDULE[delivery.step]
        if response.status in (429, 503):
            asked = retry_after(response.retry_after, now)
            if asked is not None:
                wait = max(wait, asked)
        delivery.next_attempt_at = now + wait
    if now - failing_since >= DISABLE_AFTER:
        disable(
            endpoint,
            _("Every try failed for %(days)d days.") % {"days": DISABLE_AFTER.days},
        )


def disable(endpoint: Endpoint, reason: str) -> None:
    """Turn a failing endpoint off and tell its owner (inbox, and mail by their rules)."""
    from workmate.inbox.services import notify

    changed = Endpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    if not changed:
        return
    name = endpoint.name

    def title() -> str:
        return _("Webhook endpoint “%(name)s” was turned off") % {"name": name}

    notify(
        [endpoint.owner],
        "automation",
        title=title,
        url=reverse("webhooks:endpoint", args=[endpoint.pk]),
        group_key=f"webhook:{endpoint.pk}",
        excerpt=reason,
        dedupe_key=f"webhook-off:{endpoint.pk}:{int(timezone.now().timestamp())}",
    )


def sweep(now: datetime.datetime | None = None) -> int:
    """Wake every endpoint with a due delivery that no worker holds; returns how many."""
    ids = list(Endpoint.objects.due(now or timezone.now()).values_list("pk", flat=True))
    for pk in ids:
        wake(pk)
    return len(ids)


# --- Who may add, and incoming webhooks ----------------------------------------------


def may_add_any(user: User) -> bool:
    """Whether the person may add an endpoint anywhere (a page shows the button)."""
    from workmate.webhooks.forms import led_teams, managed_projects

    return is_org_admin(user) or managed_projects(user).exists() or led_teams(user).exists()


def incoming_hooks_for(user: User):
    from workmate.webhooks.forms import managed_projects
    from workmate.webhooks.models import IncomingHook

    rows = IncomingHook.objects.all()
    if is_org_admin(user):
        return rows
    return rows.filter(Q(owner=user) | Q(project__in=managed_projects(user)))


@transaction.atomic
def do_create_incoming_hook(actor: User, *, name: str, project):
    from workmate.webhooks.models import IncomingHook
    from workmate.work.services import can_manage_project

    if not (is_org_admin(actor) or can_manage_project(actor, project)):
        raise PermissionDenied(_("Only the project's owner and team leads add incoming webhooks."))
    if not name.strip():
        raise ValidationError({"name": _("Give the incoming webhook a name.")})
    return IncomingHook.objects.create(name=name.strip(), project=project, owner=actor)


def do_receive(token: str, *, external_id: str, title: str, description: str = "", tags=()):
    """Make a task from an incoming webhook's body, once per external id.

    Returns (task, created). The same id again returns the first task (a sender's
    retry); the unique (hook, id) constraint settles two requests racing with one id.
    """
    from workmate.webhooks.models import IncomingHook, IncomingItem
    from workmate.work.services import do_create_task

    hook = (
        IncomingHook.objects.select_related("project", "owner")
        .filter(token=token, enabled=True)
        .first()
    )
    if hook is None:
        raise Http404(_("No such incoming webhook."))
    external_id = external_id.strip()
    if not external_id:
        raise ValidationError({"id": _("Give the item an id, so a retry makes no second task.")})
    earlier = IncomingItem.objects.filter(hook=hook, external_id=external_id).first()
    if earlier is not None:
        return earlier.task, False
    try:
        with transaction.atomic():
            item = IncomingItem.objects.create(hook=hook, external_id=external_id)
            task = do_create_task(
                hook.owner,
                hook.project,
                title=title,
                description=description,
                tags=list(tags) or None,
            )
            item.task = task
            item.save(update_fields=["task"])
    except IntegrityError:
        earlier = IncomingItem.objects.get(hook=hook, external_id=external_id)
        return earlier.task, False
    return task, True
