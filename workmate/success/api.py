"""The success API (/api/v1/success/…): accounts (read), meetings, feedback and themes.

Each route reads through `access` (404 for a customer the caller may not read, 403 for a
change by a read-only reader) and changes through the same service as the pages. Customer
contacts have no API (they use the portal); the `internal_note` of a feedback item is
returned only here, to colleagues who may read that customer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from workmate.accounts.models import User
from workmate.desk.models import Contact, Customer
from workmate.lib.apitypes import Id
from workmate.success import access, accounts, services
from workmate.success.models import (
    FeedbackArea,
    FeedbackItem,
    FeedbackSource,
    FeedbackState,
    Health,
    Importance,
    Meeting,
    MeetingKind,
    RouteKind,
    Theme,
)
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, PageParams, UserOut, paginate

router = Router(tags=["success"])

LIST_KEYS = ("-created_at", "-id")


# --- Schemas ---------------------------------------------------------------------------


class HealthReasonOut(Schema):
    rule: str
    level: Health
    value: int
    text: str


class AccountHealthOut(Schema):
    level: Health
    computed: Health
    override: Health | None
    override_reason: str
    reasons: list[HealthReasonOut]


class AccountOut(Schema):
    customer_id: int
    name: str
    industry: str
    tier: str
    se_owner: UserOut | None
    contract_start: datetime.date | None
    contract_end: datetime.date | None
    renewal_on: datetime.date | None
    health: AccountHealthOut


class AccountList(Schema):
    items: list[AccountOut]


class AccountFiguresOut(Schema):
    open_tickets: int
    sla_breaches_90_days: int
    sla_breaches_previous_90_days: int
    csat_percent_90_days: int | None
    csat_percent_previous_90_days: int | None
    last_meeting_on: datetime.date | None
    open_feedback: int


class AccountDetailOut(AccountOut):
    figures: AccountFiguresOut


class ActionItemOut(Schema):
    title: str
    assignee: UserOut
    task_id: int | None


class MeetingOut(Schema):
    id: int
    customer_id: int
    held_on: datetime.date
    kind: MeetingKind
    title: str
    notes: str
    contact_ids: list[int]
    colleague_ids: list[int]
    action_items: list[ActionItemOut]
    feedback_ids: list[int]
    created_by: UserOut
    created_at: datetime.datetime

    @staticmethod
    def resolve_contact_ids(meeting: Meeting) -> list[int]:
        return [c.pk for c in meeting.contacts.all()]

    @staticmethod
    def resolve_colleague_ids(meeting: Meeting) -> list[int]:
        return [u.pk for u in meeting.colleagues.all()]

    @staticmethod
    def resolve_action_items(meeting: Meeting) -> list:
        return list(meeting.action_items.all())

    @staticmethod
    def resolve_feedback_ids(meeting: Meeting) -> list[int]:
        return [item.pk for item in meeting.feedback.all()]


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class ActionItemIn(Schema):
    title: str = Field(..., max_length=200)
    assignee_id: Id
    reply_by: datetime.datetime | None = None


class FeedbackWordsIn(Schema):
    words: str = Field(..., max_length=10000)
    area: FeedbackArea = FeedbackArea.SERVICE
    importance: Importance = Importance.MEDIUM
    contact_id: Id | None = None
    theme_id: Id | None = None
    internal_note: str = Field("", max_length=10000)


class MeetingIn(Schema):
    customer_id: Id
    held_on: datetime.date
    kind: MeetingKind
    title: str = Field(..., max_length=200)
    notes: str = ""
    contact_ids: list[Id] = []
    colleague_ids: list[Id] = []
    action_items: list[ActionItemIn] = Field([], max_length=50)
    feedback: list[FeedbackWordsIn] = Field([], max_length=50)


class FeedbackRouteOut(Schema):
    kind: RouteKind
    proposal_id: int | None
    poc_id: int | None
    task_id: int | None
    reason: str
    outcome: str
    routed_at: datetime.datetime
    decided_at: datetime.datetime | None


class FeedbackOut(Schema):
    id: int
    customer_id: int
    contact_id: int | None
    words: str
    source: FeedbackSource
    area: FeedbackArea
    importance: Importance
    is_idea: bool
    theme_id: int | None
    meeting_id: int | None
    ticket_id: int | None
    internal_note: str
    state: FeedbackState
    route: FeedbackRouteOut | None
    answer: str
    answered_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_route(item: FeedbackItem):
        return getattr(item, "route", None)


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    next_cursor: str | None


class FeedbackIn(FeedbackWordsIn):
    customer_id: Id
    source: FeedbackSource = Field(..., description="Not meeting: POST /success/meetings.")


class FeedbackFilters(PageParams):
    customer: Id | None = None
    state: FeedbackState | None = None
    theme: Id | None = None


class FeedbackRouteIn(Schema):
    kind: RouteKind
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=10000)
    assignee_id: Id | None = Field(None, description="For le and sd: whom the task asks.")
    reason: str = Field("", max_length=10000, description="For no_action.")


class FeedbackAnswerIn(Schema):
    answer: str = Field(..., max_length=10000)


class ThemeOut(Schema):
    id: int
    name: str
    description: str
    merged_into_id: int | None
    item_count: int

    @staticmethod
    def resolve_item_count(theme: Theme) -> int:
        return getattr(theme, "n", None) or theme.items.count()


class ThemeIn(Schema):
    name: str = Field(..., max_length=200)
    description: str = ""


class ThemeMergeIn(Schema):
    into_id: Id


# --- Helpers ---------------------------------------------------------------------------


def _account(row: accounts.AccountRow) -> dict[str, Any]:
    profile, health = row.profile, row.health
    return {
        "customer_id": row.customer.pk,
        "name": row.customer.name,
        "industry": row.customer.industry,
        "tier": row.customer.tier,
        "se_owner": row.customer.se_owner,
        "contract_start": profile.contract_start if profile else None,
        "contract_end": profile.contract_end if profile else None,
        "renewal_on": profile.renewal_on if profile else None,
        "health": {
            "level": health.level,
            "computed": health.computed,
            "override": health.override or None,
            "override_reason": health.override_reason,
            "reasons": [
                {"rule": r.rule.name, "level": r.level, "value": r.value, "text": r.text}
                for r in health.reasons
            ],
        },
    }


def _meetings(user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(customer__in=access.customers_for(user))
        .select_related("created_by")
        .prefetch_related("contacts", "colleagues", "action_items__assignee", "feedback")
    )


def _feedback(user: User) -> QuerySet[FeedbackItem]:
    return access.feedback_for(user).select_related("route")


def _found(queryset: QuerySet, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


def _customer(user: User, pk: int) -> Customer:
    return _found(access.customers_for(user), pk, "customer_id", _("No such customer."))


def _person(pk: int | None, field: str) -> User | None:
    return _found(User.objects.filter(is_active=True), pk, field, _("No such person."))


def _words(customer: Customer, data: FeedbackWordsIn, field: str) -> services.FeedbackInput:
    contact = _found(
        Contact.objects.filter(memberships__customer=customer),
        data.contact_id,
        field,
        _("That contact is not one of this customer's."),
    )
    theme = _found(Theme.objects.all(), data.theme_id, field, _("No such theme."))
    return services.FeedbackInput(
        words=data.words,
        area=data.area,
        importance=data.importance,
        contact=contact,
        theme=theme,
        internal_note=data.internal_note,
    )


# --- Routes ----------------------------------------------------------------------------


@router.get("/accounts", response={200: AccountList, **READ_ERRORS}, summary="List accounts")
def list_accounts(request: HttpRequest, mine: bool = False) -> dict[str, Any]:
    """Every account the caller may read, worst health first, then the nearest renewal
    (not paged: one row per customer)."""
    access.check_can_use(request.auth)
    return {"items": [_account(row) for row in accounts.account_rows(request.auth, mine=mine)]}


@router.get(
    "/accounts/{customer_id}", response={200: AccountDetailOut, **READ_ERRORS}, summary="Get one"
)
def get_account(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    """One account with its health (every input shown) and the desk's figures."""
    customer = access.get_customer_for_user(request.auth, customer_id)
    page = accounts.account_page(customer)
    profile = page["profile"]
    row = accounts.AccountRow(customer, profile, page["health"])
    figures = page["figures"]
    return {
        **_account(row),
        "figures": {
            "open_tickets": figures["open_tickets"],
            "sla_breaches_90_days": figures["breaches"].now,
            "sla_breaches_previous_90_days": figures["breaches"].before,
            "csat_percent_90_days": figures["csat"].now,
            "csat_percent_previous_90_days": figures["csat"].before,
            "last_meeting_on": page["last_meeting"].held_on if page["last_meeting"] else None,
            "open_feedback": len(page["open_feedback"]),
        },
    }


@router.get("/meetings", response={200: MeetingPage, **READ_ERRORS}, summary="List meetings")
def list_meetings(
    request: HttpRequest, filters: Query[PageParams], customer: Id | None = None
) -> dict[str, Any]:
    access.check_can_use(request.auth)
    listing = _meetings(request.auth)
    if customer is not None:
        listing = listing.filter(customer_id=customer)
    return paginate(listing, cursor=filters.cursor, limit=filters.limit, keys=LIST_KEYS)


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **READ_ERRORS})
def get_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    access.get_meeting_for_user(request.auth, meeting_id)
    return _meetings(request.auth).get(pk=meeting_id)


@router.post("/meetings", response={201: MeetingOut, **WRITE_ERRORS}, summary="Record a meeting")
def create_meeting(request: HttpRequest, data: MeetingIn) -> Status:
    """A meeting with its action items (each a task asked with a reply-by) and feedback."""
    customer = _customer(request.auth, data.customer_id)
    contacts = list(Contact.objects.filter(pk__in=data.contact_ids))
    if len(contacts) != len(set(data.contact_ids)):
        raise ValidationError({"contact_ids": _("No such contact.")})
    colleagues = list(User.objects.filter(pk__in=data.colleague_ids, is_active=True))
    if len(colleagues) != len(set(data.colleague_ids)):
        raise ValidationError({"colleague_ids": _("No such person.")})
    actions = [
        services.ActionInput(a.title, _person(a.assignee_id, "action_items"), a.reply_by)
        for a in data.action_items
    ]
    meeting = services.do_record_meeting(
        request.auth,
        customer,
        held_on=data.held_on,
        kind=data.kind,
        title=data.title,
        notes=data.notes,
        contacts=contacts,
        colleagues=colleagues,
        actions=actions,
        feedback=[_words(customer, f, "feedback") for f in data.feedback],
    )
    return Status(201, _meetings(request.auth).get(pk=meeting.pk))


@router.get("/feedback", response={200: FeedbackPage, **READ_ERRORS}, summary="List feedback")
def list_feedback(request: HttpRequest, filters: Query[FeedbackFilters]) -> dict[str, Any]:
    access.check_can_use(request.auth)
    listing = _feedback(request.auth)
    if filters.customer is not None:
        listing = listing.filter(customer_id=filters.customer)
    if filters.state:
        listing = listing.filter(state=filters.state)
    if filters.theme is not None:
        listing = listing.filter(theme_id=filters.theme)
    return paginate(listing, cursor=filters.cursor, limit=filters.limit, keys=LIST_KEYS)


@router.get("/feedback/{item_id}", response={200: FeedbackOut, **READ_ERRORS})
def get_feedback(request: HttpRequest, item_id: Id) -> FeedbackItem:
    return access.get_feedback_for_user(request.auth, item_id)


@router.post("/feedback", response={201: FeedbackOut, **WRITE_ERRORS}, summary="Record feedback")
def create_feedback(request: HttpRequest, data: FeedbackIn) -> Status:
    customer = _customer(request.auth, data.customer_id)
    item = services.do_capture_feedback(
        request.auth, customer, _words(customer, data, "contact_id"), data.source
    )
    return Status(201, item)


@router.post("/feedback/{item_id}/route", response={200: FeedbackOut, **WRITE_ERRORS})
def route_feedback(request: HttpRequest, item_id: Id, data: FeedbackRouteIn) -> FeedbackItem:
    """Route to a proposal, an NBD PoC, an LE or SD task, or no action (with the reason)."""
    item = access.get_feedback_for_user(request.auth, item_id)
    services.do_route(
        request.auth,
        [item],
        services.RouteInput(
            kind=data.kind,
            title=data.title,
            description=data.description,
            assignee=_person(data.assignee_id, "assignee_id"),
            reason=data.reason,
        ),
    )
    return access.get_feedback_for_user(request.auth, item_id)


@router.post("/feedback/{item_id}/answer", response={200: FeedbackOut, **WRITE_ERRORS})
def answer_feedback(request: HttpRequest, item_id: Id, data: FeedbackAnswerIn) -> FeedbackItem:
    """Write the answer the customer reads in the portal (and is mailed)."""
    item = access.get_feedback_for_user(request.auth, item_id)
    services.do_answer(request.auth, item, data.answer)
    return access.get_feedback_for_user(request.auth, item_id)


@router.get("/themes", response={200: list[ThemeOut], **READ_ERRORS}, summary="List themes")
def list_themes(request: HttpRequest) -> list[Theme]:
    from django.db.models import Count

    access.check_can_use(request.auth)
    return list(Theme.objects.live().annotate(n=Count("items")))


@router.post("/themes", response={201: ThemeOut, **WRITE_ERRORS}, summary="Create a theme")
def create_theme(request: HttpRequest, data: ThemeIn) -> Status:
    return Status(201, services.do_create_theme(request.auth, **data.dict()))


@router.post("/themes/{theme_id}/merge", response={200: ThemeOut, **WRITE_ERRORS})
def merge_theme(request: HttpRequest, theme_id: Id, data: ThemeMergeIn) -> Theme:
    """Move every item into another theme (not into itself)."""
    theme = access.get_theme_for_user(request.auth, theme_id)
    into = _found(Theme.objects.all(), data.into_id, "into_id", _("No such theme."))
    return services.do_merge_theme(request.auth, theme, into)
