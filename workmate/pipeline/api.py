"""The pipeline API: PoCs as JSON — list, read, start, change, move, decide and drop.

Each route fetches through the same access helper and calls the same service function as
the pages (`workmate.pipeline.services`); errors are raised and turned into JSON by the
handlers in `workmate.api`. Linked objects (a project, tasks, a runbook page, templates)
are named by id and looked up as the caller may see them: an id the caller cannot see is
refused like one that does not exist.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from workmate.accounts.models import Team, User
from workmate.lib.apitypes import Id
from workmate.pipeline import access, services
from workmate.pipeline.models import Decision, PoC, PoCEvent, Source, Stage
from workmate.pipeline.services import CriterionIn
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, PageParams, UserOut, paginate

router = Router(tags=["pipeline"])

# Newest change first; the id makes the order total.
LIST_KEYS = ("-stage_changed_at", "-id")
KRW = Field(None, ge=0, le=10**15, description="Won, whole numbers.")


# --- Schemas ---------------------------------------------------------------------------


class CriterionOut(Schema):
    description: str
    target: str
    result: str
    met: bool | None


class CriterionIn_(Schema):
    description: str = Field(..., max_length=300)
    target: str = Field(..., max_length=200)
    result: str = Field("", max_length=200)
    met: bool | None = None


class HypothesisOut(Schema):
    believe: str
    will: str
    measured_by: str


class DecisionOut(Schema):
    context: str
    options: list[str]
    decision: Decision
    outcome: str
    consequences: str
    revisit_on: datetime.date
    decided_by: UserOut
    decided_at: datetime.datetime

    @staticmethod
    def resolve_options(record) -> list[str]:
        return record.option_list()


class ContractOut(Schema):
    vendor: str
    service: str
    contracted_on: datetime.date
    account_manager: str


class EventOut(Schema):
    kind: str
    from_stage: Stage | None
    to_stage: Stage | None
    note: str
    actor: UserOut | None
    at: datetime.datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_from_stage(event: PoCEvent) -> str | None:
        return event.from_stage or None

    @staticmethod
    def resolve_to_stage(event: PoCEvent) -> str | None:
        return event.to_stage or None


class PoCOut(Schema):
    id: int
    title: str
    idea: str
    source: Source
    proposal_id: int | None
    contract: ContractOut | None
    suggested_by: UserOut | None
    hypothesis: HypothesisOut
    criteria: list[CriterionOut]
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    budget_krw: int | None
    actual_cost_krw: int | None
    owner: UserOut
    team_id: int
    team_code: str = Field(..., alias="team.code")
    project_id: int | None
    task_ids: list[int]
    stage: Stage
    dropped_reason: str
    stage_changed_at: datetime.datetime
    decision: DecisionOut | None
    runbook_page_id: int | None = Field(..., alias="runbook_id")
    project_template_id: int | None
    page_template_id: int | None
    adopted_by: list[str]
    created_at: datetime.datetime

    @staticmethod
    def resolve_hypothesis(poc: PoC) -> dict[str, str]:
        return {"believe": poc.believe, "will": poc.will, "measured_by": poc.measured_by}

    @staticmethod
    def resolve_criteria(poc: PoC) -> list:
        return list(poc.criteria.all())

    @staticmethod
    def resolve_task_ids(poc: PoC) -> list[int]:
        return [task.pk for task in poc.tasks.all()]

    @staticmethod
    def resolve_adopted_by(poc: PoC) -> list[str]:
        return [team.code for team in poc.adopted_by.all()]

    @staticmethod
    def resolve_decision(poc: PoC):
        return getattr(poc, "decision", None)


class PoCDetail(PoCOut):
    timeline: list[EventOut]

    @staticmethod
    def resolve_timeline(poc: PoC) -> list:
        return list(poc.events.select_related("actor"))


class PoCPage(Schema):
    items: list[PoCOut]
    next_cursor: str | None


class PoCIn(Schema):
    title: str = Field(..., max_length=200)
    idea: str
    team_id: Id
    owner_id: Id | None = Field(None, description="Default: you.")
    source: Source = Source.COLLEAGUE
    proposal_id: Id | None = Field(None, description="The Voice proposal it comes from.")
    suggested_by_id: Id | None = Field(None, description="The colleague whose idea it is.")


class PoCPatch(Schema):
    # Each may be left out; text fields may not be null.
    title: str = Field(None, max_length=200)
    idea: str = Field(None)
    believe: str = Field(None, description="Hypothesis: we believe …")
    will: str = Field(None, description="… will …")
    measured_by: str = Field(None, description="… measured by …")
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    budget_krw: int | None = KRW
    actual_cost_krw: int | None = KRW
    owner_id: Id = Field(None)
    team_id: Id = Field(None)
    project_id: Id | None = None
    task_ids: list[Id] | None = Field(None, description="The complete list of linked tasks.")
    criteria: list[CriterionIn_] | None = Field(
        None, description="The complete list of 3 to 5 success criteria."
    )


class AdvanceIn(Schema):
    to_stage: Stage = Field(..., description="The next stage (decided: POST .../decision).")
    runbook_page_id: Id | None = Field(None, description="For documented: a verified page.")
    project_template_id: Id | None = Field(None, description="For templated.")
    page_template_id: Id | None = Field(None, description="For templated.")
    adopted_team_ids: list[Id] | None = Field(None, description="For rolled out.")


class DecisionIn(Schema):
    context: str
    options: list[str] = Field(..., description="The options considered (two or more).")
    decision: Decision
    outcome: str = Field(..., description="The chosen option and why.")
    consequences: str
    revisit_on: datetime.date


class DropIn(Schema):
    reason: str = Field(..., max_length=2000)


class PoCFilters(PageParams):
    stage: Stage | None = None
    source: Source | None = None
    team: str | None = Field(None, description="A team's code.")
    owner: str | None = Field(None, description='A person\'s id, or "me".')
    q: str | None = Field(None, max_length=100, description="Text in the title or the idea.")


# --- Helpers ---------------------------------------------------------------------------


def _pocs(user: User) -> QuerySet[PoC]:
    return (
        access.pocs_for(user)
        .select_related("owner", "team", "contract", "suggested_by", "decision__decided_by")
        .prefetch_related("criteria", "tasks", "adopted_by")
    )


def _one(user: User, poc_id: int) -> PoC:
    access.get_poc_for_user(user, poc_id)  # 404 for outsiders, as the pages
    return _pocs(user).get(pk=poc_id)


def _visible(queryset: QuerySet, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


def _team(pk: int | None, field: str = "team_id") -> Team | None:
    return _visible(Team.objects.all(), pk, field, _("No such team."))


def _person(pk: int | None, field: str) -> User | None:
    return _visible(User.objects.filter(is_active=True), pk, field, _("No such person."))


# --- Routes ----------------------------------------------------------------------------


@router.get("/pocs", response={200: PoCPage, **READ_ERRORS}, summary="List PoCs")
def list_pocs(request: HttpRequest, filters: Query[PoCFilters]) -> dict[str, Any]:
    """The PoCs of the pipeline (everyone in the division reads them), newest change first."""
    listing = _pocs(request.auth)
    if filters.stage:
        listing = listing.filter(stage=filters.stage)
    if filters.source:
        listing = listing.filter(source=filters.source)
    if filters.team:
        listing = listing.filter(team__code__iexact=filters.team)
    if filters.owner:
        if filters.owner == "me":
            listing = listing.filter(owner=request.auth)
        elif filters.owner.isdigit() and len(filters.owner) < 19:
            listing = listing.filter(owner_id=int(filters.owner))
        else:
            raise ValidationError({"owner": _('Give a person\'s id or "me".')})
    if filters.q:
        listing = listing.filter(Q(title__icontains=filters.q) | Q(idea__icontains=filters.q))
    return paginate(listing, cursor=filters.cursor, limit=filters.limit, keys=LIST_KEYS)


@router.get("/pocs/{poc_id}", response={200: PoCDetail, **READ_ERRORS}, summary="Get a PoC")
def get_poc(request: HttpRequest, poc_id: Id) -> PoC:
    """One PoC with its criteria, decision record, links and timeline."""
    return _one(request.auth, poc_id)


@router.post("/pocs", response={201: PoCDetail, **WRITE_ERRORS}, summary="Start a PoC")
def create_poc(request: HttpRequest, data: PoCIn) -> Status:
    """Start a PoC as an idea (the pipeline team, team leads and executives)."""
    proposal = None
    if data.proposal_id is not None:
        from workmate.voice.services import get_proposal_for_user

        try:
            proposal = get_proposal_for_user(request.auth, data.proposal_id)
        except Exception as error:  # Http404: refused like a bad field, not a missing PoC
            raise ValidationError({"proposal_id": _("No such proposal.")}) from error
    team = _team(data.team_id)
    poc = services.do_create_poc(
        request.auth,
        title=data.title,
        idea=data.idea,
        team=team,
        owner=_person(data.owner_id, "owner_id"),
        source=data.source,
        suggested_by=_person(data.suggested_by_id, "suggested_by_id"),
        proposal=proposal,
    )
    return Status(201, _one(request.auth, poc.pk))


@router.patch("/pocs/{poc_id}", response={200: PoCDetail, **WRITE_ERRORS}, summary="Change a PoC")
def update_poc(request: HttpRequest, poc_id: Id, data: PoCPatch) -> PoC:
    """Change fields, the success criteria (3 to 5, each with a target) or linked work."""
    user = request.auth
    poc = access.get_poc_for_user(user, poc_id)
    sent = data.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    for name in ("title", "idea", "believe", "will", "measured_by", "starts_on", "ends_on"):
        if name in sent:
            fields[name] = sent[name]
    for name in ("budget_krw", "actual_cost_krw"):
        if name in sent:
            fields[name] = sent[name]
    if "owner_id" in sent:
        fields["owner"] = _person(sent["owner_id"], "owner_id")
    if "team_id" in sent:
        fields["team"] = _team(sent["team_id"])
    if "project_id" in sent:
        from workmate.work.models import Project

        fields["project"] = _visible(
            Project.objects.visible_to(user),
            sent["project_id"],
            "project_id",
            _("No such project."),
        )
    tasks = None
    if data.task_ids is not None:
        from workmate.work.models import Task

        wanted = set(data.task_ids)
        tasks = list(Task.objects.visible_to(user).filter(pk__in=wanted))
        if len(tasks) != len(wanted):
            raise ValidationError({"task_ids": _("No such task.")})
    criteria = None
    if data.criteria is not None:
        criteria = [CriterionIn(**item.model_dump()) for item in data.criteria]
    services.do_update_poc(user, poc, criteria=criteria, tasks=tasks, **fields)
    return _one(user, poc.pk)


@router.post(
    "/pocs/{poc_id}/advance", response={200: PoCDetail, **WRITE_ERRORS}, summary="Move a PoC on"
)
def advance_poc(request: HttpRequest, poc_id: Id, data: AdvanceIn) -> PoC:
    """Move a PoC to its next stage, linking what that stage needs; a gate not met is a 400
    naming each missing thing."""
    from workmate.library.models import Page, PageTemplate
    from workmate.work.models import ProjectTemplate
    from workmate.work.templating import templates_for

    user = request.auth
    poc = access.get_poc_for_user(user, poc_id)
    runbook = _visible(
        Page.objects.visible_to(user), data.runbook_page_id, "runbook_page_id", _("No such page.")
    )
    project_template = _visible(
        ProjectTemplate.objects.filter(pk__in=templates_for(user).values("pk")),
        data.project_template_id,
        "project_template_id",
        _("No such template."),
    )
    page_template = _visible(
        PageTemplate.objects.visible_to(user),
        data.page_template_id,
        "page_template_id",
        _("No such template."),
    )
    teams = None
    if data.adopted_team_ids is not None:
        wanted = set(data.adopted_team_ids)
        teams = list(Team.objects.filter(pk__in=wanted))
        if len(teams) != len(wanted):
            raise ValidationError({"adopted_team_ids": _("No such team.")})
    services.do_advance(
        user,
        poc,
        data.to_stage,
        runbook=runbook,
        project_template=project_template,
        page_template=page_template,
        adopted_by=teams,
    )
    return _one(user, poc.pk)


@router.post(
    "/pocs/{poc_id}/decision", response={200: PoCDetail, **WRITE_ERRORS}, summary="Decide a PoC"
)
def decide_poc(request: HttpRequest, poc_id: Id, data: DecisionIn) -> PoC:
    """Write the decision record (MADR: context, options, go/no-go, consequences, revisit
    date); the running PoC becomes decided."""
    poc = access.get_poc_for_user(request.auth, poc_id)
    services.do_decide(
        request.auth,
        poc,
        context=data.context,
        options="\n".join(option.replace("\n", " ") for option in data.options),
        decision=data.decision,
        outcome=data.outcome,
        consequences=data.consequences,
        revisit_on=data.revisit_on,
    )
    return _one(request.auth, poc.pk)


@router.post("/pocs/{poc_id}/drop", response={200: PoCDetail, **WRITE_ERRORS}, summary="Drop a PoC")
def drop_poc(request: HttpRequest, poc_id: Id, data: DropIn) -> PoC:
    poc = access.get_poc_for_user(request.auth, poc_id)
    services.do_drop(request.auth, poc, reason=data.reason)
    return _one(request.auth, poc.pk)
