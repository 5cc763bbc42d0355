"""The desk API for support agents: list, read, open, change and answer tickets.

Every route is for agents only (`services.check_agent`: Workmate people in a team); anyone
else gets 403 before a ticket is read, so a ticket's timeline (with its internal notes)
never reaches a non-agent. Contacts are not Workmate users and have no API tokens: they
use the portal and e-mail, which show only `services.public_entries`.

Routes call the same services as the agent pages; errors are raised and turned into JSON
by the handlers in `workmate.api`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from workmate.accounts.models import User
from workmate.desk import agent, services, suspended
from workmate.desk.models import (
    Category,
    Contact,
    Customer,
    EntryKind,
    IdempotencyKey,
    InboundMessage,
    InboundStatus,
    Priority,
    Ticket,
    TicketEntry,
)
from workmate.desk.models import (
    Status as TicketStatus,
)
from workmate.lib.apitypes import Id, Moment, parse_id
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageParams, UserOut, paginate

router = Router(tags=["desk"])

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
IDEMPOTENCY_KEY_MAX = IdempotencyKey._meta.get_field("key").max_length
# The desk's choices as literal values, not enum components: the OpenAPI document names an
# enum component by its class, and "Priority" or "Status" would clash with other apps'.
PriorityValue = Literal[1, 2, 3, 4]
StatusValue = Literal[tuple(TicketStatus.values)]  # type: ignore[valid-type]
CategoryValue = Literal[tuple(Category.values)]  # type: ignore[valid-type]
KindValue = Literal[tuple(EntryKind.values)]  # type: ignore[valid-type]
AGENT_READ_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: ErrorOut}
InboundStatusValue = Literal[tuple(InboundStatus.values)]  # type: ignore[valid-type]


# --- Schemas ---------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    name: str


class ContactOut(Schema):
    id: int
    email: str
    full_name: str


class EscalationOut(Schema):
    """Who the agent brought in; the agent stays the assignee and keeps the customer."""

    level: Literal["LE", "SE"] = Field(
        ..., description="LE: the customer's architect; SE: the customer's account owner."
    )
    to: UserOut = Field(..., description="The person escalated to (now a follower).")
    by: UserOut | None = Field(..., description="The agent who escalated.")
    at: datetime.datetime
    note: str = Field(..., description="The hand-off note, as the agent typed it.")


class SlaOut(Schema):
    """The SLA target the badge is about: first response until the first reply, then
    resolution."""

    target: Literal["first_response", "resolution"]
    due: datetime.datetime | None
    state: Literal["ok", "at_risk", "breached", "paused", "met"]
    minutes_left: int | None = Field(
        ...,
        description="Business minutes to `due` (from the pause while paused); negative once "
        "past it; null once the ticket is solved or closed.",
    )


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    customer: CustomerOut | None = Field(..., description="Null while in triage.")
    requester: ContactOut | None
    from_email: str
    priority: PriorityValue
    category: CategoryValue
    status: StatusValue
    team_code: str | None
    assignee: UserOut | None
    tags: list[str]
    sla_state: Literal["ok", "at_risk", "breached", "paused", "met", "none"]
    first_response_due: datetime.datetime | None
    resolution_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    sla: SlaOut | None = Field(..., description="Null for a ticket without an SLA.")
    escalation: EscalationOut | None = Field(..., description="Null until escalated.")
    merged_into_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str = Field(..., description="Send back as `If-Match` with a PATCH.")

    @staticmethod
    def resolve_sla(ticket: Ticket) -> dict[str, Any] | None:
        clock = getattr(ticket, "clock", None)
        if clock is None:
            agent.attach_clocks([ticket])
            clock = ticket.clock  # type: ignore[attr-defined]
        if not clock.target or clock.state == "none":
            return None
        left = clock.left
        return {
            "target": clock.target,
            "due": clock.due,
            "state": clock.state,
            "minutes_left": None if left is None else int(left.total_seconds() // 60),
        }

    @staticmethod
    def resolve_escalation(ticket: Ticket) -> dict[str, Any] | None:
        if ticket.escalated_to_id is None or ticket.escalated_at is None:
            return None
        return {
            "level": ticket.escalation_level,
            "to": ticket.escalated_to,
            "by": ticket.escalated_by,
            "at": ticket.escalated_at,
            "note": ticket.escalation_note,
        }

    @staticmethod
    def resolve_team_code(ticket: Ticket) -> str | None:
        return ticket.team.code if ticket.team_id else None

    @staticmethod
    def resolve_sla_state(ticket: Ticket) -> str:
        return ticket.sla_state()

    @staticmethod
    def resolve_etag(ticket: Ticket) -> str:
        return ticket_etag(ticket)


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class EntryOut(Schema):
    id: int
    kind: KindValue = Field(..., description="`note` and `event` entries are internal.")
    author: UserOut | None = Field(..., description="The agent who wrote or changed it.")
    contact: ContactOut | None = Field(..., description="The customer's contact who wrote it.")
    body: str = Field(
        ...,
        description="As typed; a note the desk wrote itself (a hand-off, a suspended-mail "
        "decision) in the language of the request.",
    )
    field: str
    old_value: str
    new_value: str
    minutes: int
    billable: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_body(entry: TicketEntry) -> str:
        return entry.shown_body()


class TicketDetailOut(TicketOut):
    description: str
    entries: list[EntryOut] = Field(
        ..., description="The whole timeline, oldest first, internal notes included."
    )

    @staticmethod
    def resolve_entries(ticket: Ticket) -> list[TicketEntry]:
        return list(ticket.entries.select_related("author", "contact"))


class TicketFilters(PageParams):
    status: StatusValue | None = None
    priority: int | None = Field(None, ge=1, le=4, description="1 (P1) to 4 (P4).")
    customer: Id | None = Field(None, description="A customer's id.")
    assignee: str | None = Field(None, description='An agent\'s id, "me" or "none".')
    queue: Literal["at_risk", "breached", "escalated"] | None = Field(
        None,
        description="Running tickets past 75 % of a target, or past a target; or the "
        'running tickets escalated to you (the agent\'s queue "Escalated to me").',
    )
    updated_since: Moment | None = Field(
        None, description="Only tickets changed at or after this moment."
    )


class EscalateIn(Schema):
    to: Literal["le", "se"] = Field(
        ..., description="The customer's LE architect or SE owner, from the customer record."
    )
    note: str = Field("", max_length=5000, description="The hand-off note.")


class SuspendedMailOut(Schema):
    id: int
    from_email: str
    subject: str
    received_at: datetime.datetime
    status: InboundStatusValue
    reason: str = Field(..., description="Why it was held, in the language of the request.")
    note: str = Field(..., description="What mail in noted (technical).")
    ticket_id: int | None = Field(..., description="The ticket it made once decided.")

    @staticmethod
    def resolve_reason(held: InboundMessage) -> str:
        return suspended.hold_reason(held)


class SuspendedMailPage(Schema):
    items: list[SuspendedMailOut]
    next_cursor: str | None


class SuspendedMailDetailOut(SuspendedMailOut):
    body: str = Field(..., description="Its text as mail in reads it (empty if unreadable).")

    @staticmethod
    def resolve_body(held: InboundMessage) -> str:
        return suspended.body_text(held)


class TicketIn(Schema):
    customer_id: Id
    requester_id: Id | None = Field(None, description="The contact asking; or give the e-mail.")
    requester_email: str | None = Field(None, description="The contact's e-mail address.")
    subject: str = Field(..., max_length=300)
    description: str = ""
    priority: PriorityValue = Priority.P3.value
    category: CategoryValue = Category.INCIDENT.value


class TicketPatch(Schema):
    status: StatusValue | None = None
    priority: PriorityValue | None = None
    assignee_id: Id | None = Field(None, description="An agent's id; null unassigns.")
    tags: list[str] | None = Field(None, description="The ticket's complete new list of tags.")


class ReplyIn(Schema):
    body: str
    internal: bool = Field(False, description="An internal note: never shown to the customer.")
    # At most a day, as the reply form.
    minutes: int = Field(0, ge=0, le=24 * 60, description="Time spent, in minutes.")
    billable: bool = False
    status: StatusValue | None = Field(None, description="Also move the ticket to this status.")


# --- Helpers ---------------------------------------------------------------------------


def ticket_etag(ticket: Ticket) -> str:
    """The ticket's ETag: its last change to the microsecond (tickets carry no version)."""
    micros = (ticket.updated_at - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // (
        datetime.timedelta(microseconds=1)
    )
    return f'"{micros}"'


def _agent(request: HttpRequest) -> User:
    services.check_agent(request.auth)
    return request.auth


def _tickets() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "customer",
        "requester",
        "assignee",
        "team",
        "sla_policy",
        "escalated_to",
        "escalated_by",
    )


def _ticket_out(user: User, pk: int, response: HttpResponse) -> Ticket:
    ticket = services.get_ticket_for_agent(user, pk)
    response["ETag"] = ticket_etag(ticket)
    return ticket


def _requester(payload: TicketIn) -> Contact:
    if payload.requester_id is not None:
        contact = Contact.objects.filter(pk=payload.requester_id).first()
    elif payload.requester_email:
        contact = Contact.objects.filter(email__iexact=payload.requester_email.strip()).first()
    else:
        raise ValidationError({"requester": _("Give the requester's id or e-mail address.")})
    if contact is None:
        raise ValidationError({"requester": _("No such contact.")})
    return contact


def _request_hash(payload: Schema) -> str:
    """A digest of the request as parsed: the same fields and values give the same digest."""
    canonical = json.dumps(payload.dict(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {
                "Idempotency-Key": _("Give an Idempotency-Key of 1 to %(max)d characters.")
                % {"max": IDEMPOTENCY_KEY_MAX}
            }
        )
    return key


def _replay(user: User, key: str, digest: str) -> Ticket | None:
    """The ticket an earlier request with this key made, or None; another body is an error."""
    earlier = IdempotencyKey.objects.filter(owner=user, key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != digest:
        raise HttpError(
            422,
            _(
                "This Idempotency-Key was already used with a different request. "
                "Use a new key for a new ticket."
            ),
        )
    return earlier.ticket


def create_ticket_once(user: User, payload: TicketIn, key: str | None) -> tuple[Ticket, bool]:
    """Open a ticket, at most once per Idempotency-Key; returns it and whether it is new.

    Steps: with a key, return the ticket an earlier request with the key and the same body
    made (another body: 422); else open the ticket and store the key in the same
    transaction. Race: two requests with the same key may both find no key and both open
    a ticket; the unique (owner, key) constraint lets only one store its key, the other's
    transaction rolls back (no second ticket) and it answers with the winner's ticket.
    """
    digest = _request_hash(payload)
    if key is not None and (earlier := _replay(user, key, digest)) is not None:
        return earlier, False
    customer = Customer.objects.filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationError({"customer": _("No such customer.")})
    requester = _requester(payload)
    try:
        with transaction.atomic():
            ticket = services.do_create_ticket(
                subject=payload.subject,
                description=payload.description,
                customer=customer,
                requester=requester,
                priority=payload.priority,
                category=payload.category,
                actor=user,
            )
            if key is not None:
                IdempotencyKey.objects.create(
                    key=key, owner=user, request_hash=digest, ticket=ticket
                )
    except IntegrityError:
        if key is None or (earlier := _replay(user, key, digest)) is None:
            raise
        return earlier, False
    return ticket, True


def _clean_tags(tags: list[str]) -> list[str]:
    """Tags trimmed, without blanks or repeats (case-insensitive), in the order given."""
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                {"tags": _("Keep each tag under %(max)d characters.") % {"max": MAX_TAG_LENGTH}}
            )
        if tag.lower() not in {seen.lower() for seen in cleaned}:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(max)d tags.") % {"max": MAX_TAGS}})
    return cleaned


def parse_if_match(value: str | None) -> str | None:
    """The ETag in an If-Match header (weak or strong), or None for none or `*`."""
    if value is None or value.strip() in {"", "*"}:
        return None
    return '"' + value.strip().removeprefix("W/").strip('"') + '"'


@transaction.atomic
def update_ticket(user: User, ticket: Ticket, changes: dict[str, Any], expected: str | None):
    """Apply the changes a PATCH sends through the desk services, all or nothing.

    Steps: lock the ticket (two agents may change it at once) and refuse a stale If-Match
    (409); look up the assignee; set priority, assignee and tags, then the status last (a
    status may stamp solved/closed, which should see the other changes).
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected is not None and ticket_etag(locked) != expected:
        raise HttpError(409, _("The ticket changed since you read it; nothing was saved."))
    if "priority" in changes and changes["priority"] is not None:
        locked = services.do_set_priority(user, locked, changes["priority"])
    if "assignee_id" in changes:
        assignee = None
        if changes["assignee_id"] is not None:
            assignee = User.objects.filter(pk=changes["assignee_id"]).first()
            if assignee is None:
                raise ValidationError({"assignee": _("No such person.")})
        locked = services.do_assign(user, locked, assignee)
    if changes.get("tags") is not None:
        tags = _clean_tags(changes["tags"])
        if tags != locked.tags:
            old = ", ".join(locked.tags)
            locked.tags = tags
            locked.save(update_fields=["tags", "updated_at"])
            TicketEntry.objects.create(
                ticket=locked,
                kind=EntryKind.EVENT,
                author=user,
                field="tags",
                old_value=old[:300],
                new_value=", ".join(tags)[:300],
            )
    if changes.get("status") is not None:
        services.do_change_status(user, locked, changes["status"])


# --- Routes ----------------------------------------------------------------------------


LIST_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@router.get("/tickets", response={200: TicketPage, **LIST_ERRORS})
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """Every ticket (agents see all), by last change, oldest first, narrowed by the filters.

    The order lets a client keep in sync: remember the newest `updated_at` it saw and ask
    again with `updated_since`.
    """
    user = _agent(request)
    tickets = Ticket.objects.all()
    if filters.status is not None:
        tickets = tickets.filter(status=filters.status)
    if filters.priority is not None:
        tickets = tickets.filter(priority=filters.priority)
    if filters.customer is not None:
        tickets = tickets.filter(customer_id=filters.customer)
    if filters.assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        assignee_id = parse_id(filters.assignee)
        if assignee_id is None:
            raise ValidationError({"assignee": _('Give an agent\'s id, "me" or "none".')})
        tickets = tickets.filter(assignee_id=assignee_id)
    if filters.queue == "at_risk":
        tickets = tickets.filter(pk__in=Ticket.objects.at_risk().values("pk"))
    elif filters.queue == "breached":
        tickets = tickets.filter(pk__in=Ticket.objects.breached().values("pk"))
    elif filters.queue == "escalated":
        mine = agent.queue_tickets(user, "escalated").order_by().values("pk")
        tickets = tickets.filter(pk__in=mine)
    if filters.updated_since is not None:
        tickets = tickets.filter(updated_at__gte=filters.updated_since)
    page = paginate(tickets, cursor=filters.cursor, limit=filters.limit, keys=("updated_at", "id"))
    # The related objects by primary key, not joined (`agent.attach_related`).
    agent.attach_related(page["items"])
    # The SLA clocks of the page, reading the support calendar once rather than per row.
    agent.attach_clocks(page["items"])
    return page


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, **AGENT_READ_ERRORS})
def get_ticket(request: HttpRequest, response: HttpResponse, ticket_id: Id) -> Ticket:
    """The ticket with its whole timeline (internal notes included) and its `ETag`."""
    return _ticket_out(_agent(request), ticket_id, response)


@router.post("/tickets", response={200: TicketDetailOut, 201: TicketDetailOut, **WRITE_ERRORS})
def create_ticket(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Any unique string (a UUID): a retry with the same key and body "
        "answers with the ticket the first request made (200) instead of opening another; "
        "the same key with another body gets 422.",
    ),
) -> Status[Ticket]:
    """Opens a ticket for a customer's contact (by id or e-mail address)."""
    user = _agent(request)
    ticket, created = create_ticket_once(user, payload, _check_key(idempotency_key))
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _ticket_out(user, ticket.pk, response))


@router.patch(
    "/tickets/{ticket_id}", response={200: TicketDetailOut, 409: ErrorOut, **WRITE_ERRORS}
)
def patch_ticket(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: Id,
    payload: TicketPatch,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description="The `ETag` you read; when the ticket changed since, you get 409.",
    ),
) -> Ticket:
    """Change only the fields you send. With `If-Match`, a stale ETag is refused (409)."""
    user = _agent(request)
    ticket = services.get_ticket_for_agent(user, ticket_id)
    update_ticket(user, ticket, payload.dict(exclude_unset=True), parse_if_match(if_match))
    return _ticket_out(user, ticket_id, response)


@router.post("/tickets/{ticket_id}/replies", response={201: EntryOut, **WRITE_ERRORS})
def reply(request: HttpRequest, ticket_id: Id, payload: ReplyIn) -> Status[TicketEntry]:
    """A public reply to the customer, or an internal note (`internal`), with time spent."""
    user = _agent(request)
    ticket = services.get_ticket_for_agent(user, ticket_id)
    entry = services.do_reply(
        user,
        ticket,
        payload.body,
        internal=payload.internal,
        minutes=payload.minutes,
        billable=payload.billable,
        status=payload.status,
    )
    return Status(201, TicketEntry.objects.select_related("author", "contact").get(pk=entry.pk))


@router.post("/tickets/{ticket_id}/escalation", response={200: TicketDetailOut, **WRITE_ERRORS})
def escalate(
    request: HttpRequest, response: HttpResponse, ticket_id: Id, payload: EscalateIn
) -> Ticket:
    """Bring in the customer's LE architect or SE owner, as the ticket page does.

    You stay the assignee (you take the ticket if nobody had it); the person joins as a
    follower, finds it under `queue=escalated`, and is notified. A ticket in triage, or a
    customer without that person on its record, is refused (422).
    """
    user = _agent(request)
    ticket = services.get_ticket_for_agent(user, ticket_id)
    agent.do_escalate(user, ticket, payload.to, payload.note)
    return _ticket_out(user, ticket_id, response)


# --- Suspended mail ----------------------------------------------------------------------


@router.get("/suspended-mail", response={200: SuspendedMailPage, **LIST_ERRORS})
def list_suspended_mail(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    """Mail that mail in held back (it looked automatic or could not be read), newest first."""
    _agent(request)
    return paginate(
        suspended.suspended_mail(),
        cursor=filters.cursor,
        limit=filters.limit,
        keys=("-received_at", "-id"),
    )


@router.get(
    "/suspended-mail/{mail_id}", response={200: SuspendedMailDetailOut, **AGENT_READ_ERRORS}
)
def get_suspended_mail(request: HttpRequest, mail_id: Id) -> InboundMessage:
    """One held mail (or one already decided), with its text."""
    return suspended.get_suspended_for_agent(_agent(request), mail_id)


def _decide(request: HttpRequest, mail_id: Id, decide) -> InboundMessage:
    user = _agent(request)
    held = suspended.get_suspended_for_agent(user, mail_id)
    try:
        decide(user, held)
    except ValidationError as error:
        # Decided already (by someone else, or by this client before): nothing changed.
        raise HttpError(409, error.messages[0]) from error
    return InboundMessage.objects.get(pk=held.pk)


DECIDE_ERRORS: dict[int, type[Schema]] = {409: ErrorOut, **WRITE_ERRORS}


@router.post("/suspended-mail/{mail_id}/ticket", response={200: SuspendedMailOut, **DECIDE_ERRORS})
def make_ticket_of_mail(request: HttpRequest, mail_id: Id) -> InboundMessage:
    """Let the mail in as mail in would have (a ticket for the sender's customer, a reply on
    the ticket it answers, or triage); `ticket_id` says where it went. 409 once decided."""
    return _decide(request, mail_id, suspended.do_make_ticket)


@router.post("/suspended-mail/{mail_id}/release", response={200: SuspendedMailOut, **DECIDE_ERRORS})
def release_mail(request: HttpRequest, mail_id: Id) -> InboundMessage:
    """Put the mail in triage, where an agent gives it its customer. 409 once decided."""
    return _decide(request, mail_id, suspended.do_release_to_triage)


@router.post("/suspended-mail/{mail_id}/dismiss", response={200: SuspendedMailOut, **DECIDE_ERRORS})
def dismiss_mail(request: HttpRequest, mail_id: Id) -> InboundMessage:
    """Take the mail off the list; nothing is made of it. 409 once decided."""
    return _decide(request, mail_id, suspended.do_dismiss)
