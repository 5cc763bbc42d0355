"""The webhooks API: endpoints (add, read, change, rotate, test, turn on/off, delete),
their deliveries with attempts (list, read, replay), and the incoming webhook that makes
a task. Each route calls the same service as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from workmate.lib.apitypes import Id
from workmate.webhooks import services
from workmate.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind, EndpointScope
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageParams, paginate

router = Router(tags=["webhooks"])


class WebhookEndpointOut(Schema):
    id: int
    name: str
    kind: EndpointKind
    url: str
    scope: EndpointScope
    project_id: int | None
    team_id: int | None
    event_types: list[str]
    language: str
    owner_id: int
    enabled: bool
    disabled_reason: str
    failing_since: datetime.datetime | None
    secret_hint: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_enabled(endpoint: Endpoint) -> bool:
        return endpoint.is_enabled

    @staticmethod
    def resolve_secret_hint(endpoint: Endpoint) -> str:
        return endpoint.secret_hint()


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(description="Shown once: keep it to verify signatures.")


class WebhookEndpointIn(Schema):
    name: str = Field(..., max_length=100)
    url: str = Field(..., max_length=1000)
    kind: EndpointKind = EndpointKind.WEBHOOK
    scope: EndpointScope = EndpointScope.ORG
    project_id: int | None = None
    team_id: int | None = None
    event_types: list[str] = Field(default_factory=list, max_length=100)
    language: str = Field("", max_length=8)


class WebhookEndpointPatch(Schema):
    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=1000)
    event_types: list[str] | None = Field(None, max_length=100)
    language: str | None = Field(None, max_length=8)
    enabled: bool | None = None


class WebhookEndpointPage(Schema):
    items: list[WebhookEndpointOut]
    next_cursor: str | None


class WebhookSecretOut(Schema):
    secret: str
    previous_secret_valid_until: datetime.datetime | None


class WebhookAttemptOut(Schema):
    number: int
    at: datetime.datetime
    status_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int
    request_headers: dict[str, str]


class WebhookDeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: int | None
    message_id: str
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime.datetime | None
    last_status_code: int | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_next_attempt_at(delivery: Delivery) -> datetime.datetime | None:
        return delivery.next_attempt_at if delivery.status == DeliveryStatus.WAITING else None


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    body: str
    attempts: list[WebhookAttemptOut]

    @staticmethod
    def resolve_attempts(delivery: Delivery) -> list[Any]:
        return list(delivery.attempts.all())


class WebhookDeliveryPage(Schema):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None


class WebhookDeliveryFilters(PageParams):
    status: DeliveryStatus | None = None
    failed: bool = Field(False, description="Only failed ones (dead, or waiting after a try).")


class WebhookReplayOut(Schema):
    queued: int


class IncomingTaskIn(Schema):
    id: str = Field(..., min_length=1, max_length=200, description="Your id: sent twice, one task.")
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    tags: list[str] = Field(default_factory=list, max_length=20)


class IncomingTaskOut(Schema):
    task_id: int
    url: str
    created: bool


def _scope_target(request: HttpRequest, payload: WebhookEndpointIn) -> dict[str, Any]:
    from workmate.accounts.models import Team
    from workmate.work.services import get_project_for_user

    project = team = None
    if payload.scope == EndpointScope.PROJECT and payload.project_id is not None:
        project = get_project_for_user(request.auth, payload.project_id)
    if payload.scope == EndpointScope.TEAM and payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
    return {"project": project, "team": team}


@router.get("/endpoints", response={200: WebhookEndpointPage, **READ_ERRORS})
def list_endpoints(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Endpoints you own (every endpoint, for organisation admins)."""
    return paginate(services.endpoints_for(request.auth), cursor=page.cursor, limit=page.limit)


@router.post("/endpoints", response={201: WebhookEndpointCreatedOut, **WRITE_ERRORS})
def create_endpoint(request: HttpRequest, payload: WebhookEndpointIn) -> Status[Endpoint]:
    endpoint = services.do_create_endpoint(
        request.auth,
        name=payload.name,
        url=payload.url,
        kind=payload.kind,
        scope=payload.scope,
        event_types=payload.event_types,
        language=payload.language,
        **_scope_target(request, payload),
    )
    return Status(201, endpoint)


@router.get("/endpoints/{endpoint_id}", response={200: WebhookEndpointOut, **READ_ERRORS})
def get_endpoint(request: HttpRequest, endpoint_id: Id) -> Endpoint:
    return services.get_endpoint_for_user(request.auth, endpoint_id)


@router.patch("/endpoints/{endpoint_id}", response={200: WebhookEndpointOut, **WRITE_ERRORS})
def update_endpoint(
    request: HttpRequest, endpoint_id: Id, payload: WebhookEndpointPatch
) -> Endpoint:
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    changes = payload.dict(exclude_unset=True)
    enabled = changes.pop("enabled", None)
    if changes:
        endpoint = services.do_update_endpoint(request.auth, endpoint, changes)
    if enabled is not None:
        endpoint = services.do_set_enabled(request.auth, endpoint, enabled)
    return endpoint


@router.delete("/endpoints/{endpoint_id}", response={204: None, **WRITE_ERRORS})
def delete_endpoint(request: HttpRequest, endpoint_id: Id) -> Status[None]:
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    services.do_delete_endpoint(request.auth, endpoint)
    return Status(204, None)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret", response={200: WebhookSecretOut, **WRITE_ERRORS}
)
def rotate_secret(request: HttpRequest, endpoint_id: Id) -> dict[str, Any]:
    """A new secret, shown once; the old one keeps signing beside it for 24 hours."""
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    secret = services.do_rotate_secret(request.auth, endpoint)
    endpoint.refresh_from_db()
    return {"secret": secret, "previous_secret_valid_until": endpoint.previous_secret_until}


@router.post("/endpoints/{endpoint_id}/test", response={202: WebhookDeliveryOut, **WRITE_ERRORS})
def test_endpoint(request: HttpRequest, endpoint_id: Id) -> Status[Delivery]:
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    return Status(202, services.do_test_send(request.auth, endpoint))


@router.post(
    "/endpoints/{endpoint_id}/replay-failed", response={200: WebhookReplayOut, **WRITE_ERRORS}
)
def replay_failed(request: HttpRequest, endpoint_id: Id) -> dict[str, int]:
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    return {"queued": services.do_replay_failed(request.auth, endpoint)}


@router.get(
    "/endpoints/{endpoint_id}/deliveries", response={200: WebhookDeliveryPage, **READ_ERRORS}
)
def list_deliveries(
    request: HttpRequest, endpoint_id: Id, filters: Query[WebhookDeliveryFilters]
) -> dict[str, Any]:
    """The endpoint's delivery log, newest first."""
    endpoint = services.get_endpoint_for_user(request.auth, endpoint_id)
    rows = endpoint.deliveries.all()
    if filters.failed:
        rows = rows.failed()
    if filters.status:
        rows = rows.filter(status=filters.status)
    return paginate(rows, cursor=filters.cursor, limit=filters.limit, keys=("-id",))


@router.get("/deliveries/{delivery_id}", response={200: WebhookDeliveryDetailOut, **READ_ERRORS})
def get_delivery(request: HttpRequest, delivery_id: Id) -> Delivery:
    return services.get_delivery_for_user(request.auth, delivery_id)


@router.post("/deliveries/{delivery_id}/replay", response={200: WebhookReplayOut, **WRITE_ERRORS})
def replay_delivery(request: HttpRequest, delivery_id: Id) -> dict[str, int]:
    delivery = services.get_delivery_for_user(request.auth, delivery_id)
    return {"queued": services.do_replay(request.auth, [delivery])}


@router.post(
    "/incoming/{token}",
    auth=None,
    url_name="webhooks_incoming",
    response={
        200: IncomingTaskOut,
        201: IncomingTaskOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Make a task from an incoming webhook",
)
def incoming(request: HttpRequest, token: str, payload: IncomingTaskIn) -> Status[dict[str, Any]]:
    """Make a task in the hook's project from the body; the same `id` again returns the
    first task (200) instead of making another (201). The URL is the secret."""
    task, created = services.do_receive(
        token,
        external_id=payload.id,
        title=payload.title,
        description=payload.description,
        tags=payload.tags,
    )
    body = {"task_id": task.pk, "url": services.object_link("task", task.pk), "created": created}
    return Status(201 if created else 200, body)
