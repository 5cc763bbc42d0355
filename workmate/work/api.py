"""The work API: projects, sections, tasks, comments and requests.

Each route fetches through the same access helpers and calls the same service function
as the HTML views (`workmate.work.services`); errors are raised and turned into JSON by
the handlers in `workmate.api`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Model, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from workmate.accounts.models import Team, User
from workmate.lib.apitypes import Id, Moment, parse_id
from workmate.work import services
from workmate.work.forms import people_who_can_see
from workmate.work.models import (
    Comment,
    Priority,
    Project,
    RequestState,
    Section,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

router = Router(tags=["work"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# A move whose `before` task is no longer where the client saw it (as the board answers).
CONFLICT = 409


# --- Cursor pagination -----------------------------------------------------------------


def encode_cursor(values: Sequence[object]) -> str:
    # Full-precision datetimes: DjangoJSONEncoder cuts them to milliseconds, and a cursor
    # that rounds its sort key repeats or skips rows that differ in the microseconds.
    exact = [
        value.isoformat() if isinstance(value, datetime.datetime) else value for value in values
    ]
    raw = json.dumps(exact, cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, model: type[Model], keys: Sequence[str]) -> list[object]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError(cursor)
        return [
            model._meta.get_field(key).to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError) as error:
        raise ValidationError({"cursor": _("That cursor is not one this API gave out.")}) from error


def _after(key: str, value: object, descending: bool) -> Q:
    """Rows strictly after `value` in the key's order (ascending puts nulls first)."""
    if value is None:
        return Q(**{f"{key}__isnull": False})
    return Q(**{f"{key}__{'lt' if descending else 'gt'}": value})


def _same(key: str, value: object) -> Q:
    return Q(**{f"{key}__isnull": True}) if value is None else Q(**{key: value})


def paginate(
    queryset: QuerySet, *, cursor: str | None, limit: int, keys: Sequence[str] = ("id",)
) -> dict[str, Any]:
    """One page of `queryset` in `keys` order, after the row the cursor points at.

    Keys are field names, "-name" for descending; an ascending key may be nullable (nulls
    first), a descending one must not be. The last key is the unique id, so the order is
    total. Steps: order by the keys; keep only rows after the cursor's key values (equal
    on every earlier key, after on this one: keyset, no OFFSET, so rows inserted meanwhile
    neither repeat nor shift the page); fetch one row more than asked to know whether
    there is a next page; the cursor is the last row's key values.
    """
    names = [key.lstrip("-") for key in keys]
    descending = [key.startswith("-") for key in keys]
    fields = queryset.model._meta
    # NULLS FIRST only on a nullable key: PostgreSQL's b-tree indexes are ASC NULLS LAST, so
    # `ORDER BY updated_at ASC NULLS FIRST` (a column that is never null) could use no index
    # and sorted the whole table (the desk's ticket list: 898 ms at 200,000 tickets).
    queryset = queryset.order_by(
        *(
            F(name).desc()
            if desc
            else F(name).asc(nulls_first=True)
            if fields.get_field(name).null
            else F(name).asc()
            for name, desc in zip(names, descending, strict=True)
        )
    )
    if cursor:
        values = decode_cursor(cursor, queryset.model, names)
        after = Q()
        for index, name in enumerate(names):
            step = _after(name, values[index], descending[index])
            for earlier, value in zip(names[:index], values[:index], strict=True):
                step &= _same(earlier, value)
            after |= step
        queryset = queryset.filter(after)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([getattr(rows[-1], name) for name in names])
    return {"items": rows, "next_cursor": next_cursor}


class PageParams(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def parse_if_match(value: str | None) -> int | None:
    """The version in an If-Match header: `"3"`, `W/"3"` or a bare `3`; `*` means any."""
    if value is None or value.strip() in {"", "*"}:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ValidationError({"If-Match": _('If-Match takes the task\'s version, like "3".')})
    return int(text)


# --- Schemas ---------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    full_name: str
    email: str


class ProjectOut(Schema):
    id: int
    name: str
    description: str
    team_id: int
    team_code: str = Field(..., alias="team.code")
    owner: UserOut
    visibility: Visibility
    colour: str
    icon: str
    archived_at: datetime.datetime | None
    created_at: datetime.datetime


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


class ProjectIn(Schema):
    name: str = Field(..., max_length=200)
    team_id: Id
    visibility: Visibility = Visibility.TEAM
    colour: str = "#1f5eff"
    description: str = ""


class ProjectPatch(Schema):
    # Each may be left out; none may be null (a default of None is not validated, so an
    # explicit null is refused as "not text" with a 422, not written as NULL: a 500).
    name: str = Field(None, max_length=200)
    description: str = Field(None)
    visibility: Visibility = Field(None)
    colour: str = Field(None)
    icon: str = Field(None, max_length=8)


class SectionOut(Schema):
    id: int
    project_id: int
    name: str
    position: int


class SectionPage(Schema):
    items: list[SectionOut]
    next_cursor: str | None


class SectionIn(Schema):
    name: str = Field(..., max_length=200)


class TaskOut(Schema):
    id: int
    project_id: int
    section_id: int | None
    parent_id: int | None
    title: str
    description: str
    assignee: UserOut | None
    status: TaskStatus
    priority: Priority
    start_on: datetime.date | None
    due_on: datetime.date | None
    due_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    tags: list[str]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(task: Task) -> list[str]:
        # The list prefetched by `_tasks()`: `values_list` would cost a query per task.
        tags = getattr(task, "tag_list", None)
        if tags is None:
            tags = task.tags.all()
        return [tag.name for tag in tags]


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskFields(Schema):
    # As in ProjectPatch: `description`, `priority` and `status` may be left out, not null.
    description: str = Field(None)
    section_id: Id | None = None
    parent_id: Id | None = None
    assignee_id: Id | None = None
    start_on: datetime.date | None = None
    due_on: datetime.date | None = None
    due_at: Moment | None = None
    priority: Priority = Field(None)
    status: TaskStatus = Field(None)
    request_message: str | None = Field(
        None,
        description="What you ask of a new assignee other than you (Markdown). With it the "
        "task goes to them as a request with a reply-by; without it they are simply "
        "assigned and told so in their inbox, and no request is made. Sent without a new "
        "assignee it is refused with a field error.",
    )
    request_reply_by: datetime.datetime | None = Field(
        None,
        description="The reply-by of that request (needs `request_message`); by default the "
        "team's working hours in the assignee's calendar. A time outside their working hours "
        "is refused with their next working moment in the message.",
    )


class TaskIn(TaskFields):
    project_id: Id
    title: str = Field(..., max_length=300)
    tags: list[str] | None = Field(None, description="Tag names; missing tags are made.")


class TaskPatch(TaskFields):
    title: str | None = Field(None, max_length=300)
    tags: list[str] | None = Field(None, description="The task's complete new list of tag names.")


class TaskMoveIn(Schema):
    section_id: Id | None = Field(None, description="The section to move to; null for none.")
    before_id: Id | None = Field(
        None, description="The task it now sits before in that section; null for last."
    )


class TaskFilters(PageParams):
    project: Id | None = None
    section: Id | None = None
    assignee: str | None = Field(None, description='A person\'s id, or "me".')
    status: TaskStatus | None = None
    tag: str | None = Field(None, description="A tag name.")
    due_before: datetime.date | None = Field(None, description="Due on or before this date.")
    due_after: datetime.date | None = Field(None, description="Due on or after this date.")
    q: str | None = Field(None, description="Text in the title or description.")


class CommentOut(Schema):
    id: int
    task_id: int
    author: UserOut
    body: str
    mentions: list[int]
    created_at: datetime.datetime

    @staticmethod
    def resolve_mentions(comment: Comment) -> list[int]:
        return [person.pk for person in comment.mentions.all()]


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class CommentIn(Schema):
    body: str


class RequestOut(Schema):
    id: int
    task_id: int
    task_title: str = Field(..., alias="task.title")
    requester: UserOut
    assignee: UserOut
    message: str
    reply_by: datetime.datetime
    state: RequestState
    overdue: bool
    answer: str
    created_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_overdue(request: WorkRequest) -> bool:
        return request.is_overdue()


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class RequestFilters(PageParams):
    box: str = Field(
        "inbox",
        pattern="^(inbox|waiting)$",
        description="`inbox`: asked of me. `waiting`: I asked others.",
    )
    closed: bool = Field(False, description="Include answered and handed-back requests.")


class RequestIn(Schema):
    assignee_id: Id
    message: str = Field("", description="What you ask of them (Markdown); required.")
    reply_by: Moment | None = Field(
        None,
        description="Defaults to the team's working hours in the assignee's calendar. A time "
        "outside their working hours is refused (400) with their next working moment in the "
        "message.",
    )
    reassign: bool = Field(
        True,
        description="Make them the assignee (editors only). False asks for a reply, a review "
        "or an answer, and keeps the assignee; whoever may work on the task may do that.",
    )
    urgent_reason: str = Field(
        "", description="Why it cannot wait: tells them now, even outside working hours."
    )


class AcknowledgeIn(Schema):
    note: str = ""


class AnswerIn(Schema):
    answer: str


class HandBackIn(Schema):
    reason: str


class ErrorOut(Schema):
    """Every error the API gives, in the reader's language."""

    detail: str = Field(..., description="What went wrong.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Messages per field, when fields are to blame (400, 422)."
    )
    current_version: int | None = Field(None, description="The task's version now (409).")


READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


# --- Helpers ---------------------------------------------------------------------------


def _tasks() -> QuerySet[Task]:
    # Tags into a plain list (`to_attr`): a related manager and queryset per task, which
    # Django builds otherwise, cost ~2 ms on a page of 50.
    return Task.objects.select_related("assignee").prefetch_related(
        Prefetch("tags", to_attr="tag_list")
    )


def _task_out(user: User, pk: int, response: HttpResponse) -> Task:
    task = services.get_task_for_user(user, pk)
    # Read tags in one query, as the list does.
    task = _tasks().get(pk=task.pk)
    response["ETag"] = f'"{task.version}"'
    return task


def _task_changes(project: Project, data: dict[str, Any]) -> dict[str, object]:
    """Turn ids in a task payload into the objects the service takes."""
    changes: dict[str, object] = {}
    for name, value in data.items():
        if name == "section_id":
            changes["section"] = _section_in(project, value)
        elif name == "parent_id":
            parent = None
            if value is not None:
                parent = Task.objects.filter(project=project, pk=value).first()
                if parent is None:
                    raise ValidationError({"parent": _("No such task in this project.")})
            changes["parent"] = parent
        elif name == "assignee_id":
            changes["assignee"] = None if value is None else _person_for(project, value)
        else:
            changes[name] = value
    if changes.get("due_at") and "due_on" not in changes:
        # As the task form does: `due_on` holds the due time's local date, for filters.
        changes["due_on"] = timezone.localdate(changes["due_at"])  # type: ignore[arg-type]
    return changes


def _section_in(project: Project, pk: int | None) -> Section | None:
    if pk is None:
        return None
    section = Section.objects.filter(project=project, pk=pk).first()
    if section is None:
        raise ValidationError({"section": _("No such section in this project.")})
    return section


def _tag_names(names: list[str] | None) -> list[str] | None:
    """Tag names from a payload, trimmed and without repeats, as the task form reads them."""
    if names is None:
        return None
    return services.parse_tag_names(",".join(names))


def _person_for(project: Project, pk: int) -> User:
    person = people_who_can_see(project).filter(pk=pk).first()
    if person is None:
        raise ValidationError({"assignee": _("That person cannot see this project.")})
    return person


# --- Projects --------------------------------------------------------------------------


@router.get("/projects", response={200: ProjectPage, **READ_ERRORS}, summary="List projects")
def list_projects(
    request: HttpRequest, page: Query[PageParams], archived: bool = False
) -> dict[str, Any]:
    """Projects you can see, oldest first; `archived=true` lists the archived ones."""
    projects = Project.objects.visible_to(request.auth).select_related("team", "owner")
    projects = projects.filter(archived_at__isnull=not archived)
    return paginate(projects, cursor=page.cursor, limit=page.limit)


@router.get("/projects/{project_id}", response={200: ProjectOut, **READ_ERRORS})
def get_project(request: HttpRequest, project_id: Id) -> Project:
    return services.get_project_for_user(request.auth, project_id)


@router.post("/projects", response={201: ProjectOut, **WRITE_ERRORS})
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    team = Team.objects.filter(pk=payload.team_id).first()
    if team is None:
        raise ValidationError({"team": _("No such team.")})
    data = payload.dict(exclude={"team_id"})
    project = services.do_create_project(request.auth, team=team, **data)
    return Status(201, services.get_project_for_user(request.auth, project.pk))


@router.patch("/projects/{project_id}", response={200: ProjectOut, **WRITE_ERRORS})
def update_project(request: HttpRequest, project_id: Id, payload: ProjectPatch) -> Project:
    """Change the fields you send. Renaming and `visibility` are for the project's owner
    and the leads of its team (403 for other editors, and nothing is saved)."""
    project = services.get_project_for_user(request.auth, project_id)
    project = services.do_update_project(request.auth, project, payload.dict(exclude_unset=True))
    # The project as saved, even when a lead who is no member just made it private.
    return Project.objects.select_related("team", "owner").get(pk=project.pk)


@router.delete("/projects/{project_id}", response={204: None, **WRITE_ERRORS})
def archive_project(request: HttpRequest, project_id: Id) -> Status[None]:
    """Archives the project (its tasks and history stay readable); owner or team lead only."""
    project = services.get_project_for_user(request.auth, project_id)
    services.do_archive_project(request.auth, project)
    return Status(204, None)


# --- Sections --------------------------------------------------------------------------


@router.get("/projects/{project_id}/sections", response={200: SectionPage, **READ_ERRORS})
def list_sections(request: HttpRequest, project_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    project = services.get_project_for_user(request.auth, project_id)
    return paginate(
        project.sections.all(), cursor=page.cursor, limit=page.limit, keys=("position", "id")
    )


@router.post("/projects/{project_id}/sections", response={201: SectionOut, **WRITE_ERRORS})
def create_section(request: HttpRequest, project_id: Id, payload: SectionIn) -> Status[Section]:
    project = services.get_project_for_user(request.auth, project_id)
    return Status(201, services.do_create_section(request.auth, project, name=payload.name))


@router.patch("/sections/{section_id}", response={200: SectionOut, **WRITE_ERRORS})
def update_section(request: HttpRequest, section_id: Id, payload: SectionIn) -> Section:
    section = services.get_section_for_user(request.auth, section_id)
    return services.do_update_section(request.auth, section, name=payload.name)


@router.delete("/sections/{section_id}", response={204: None, **WRITE_ERRORS})
def delete_section(request: HttpRequest, section_id: Id) -> Status[None]:
    """Deletes the section; its tasks stay in the project without a section."""
    section = services.get_section_for_user(request.auth, section_id)
    services.do_delete_section(request.auth, section)
    return Status(204, None)


# --- Tasks -----------------------------------------------------------------------------


@router.get("/tasks", response={200: TaskPage, 400: ErrorOut, 401: ErrorOut})
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> dict[str, Any]:
    """Tasks you can see, oldest first, narrowed by the filters."""
    tasks = _tasks().filter(project__in=Project.objects.visible_to(request.auth))
    if filters.project is not None:
        tasks = tasks.filter(project_id=filters.project)
    if filters.section is not None:
        tasks = tasks.filter(section_id=filters.section)
    if filters.assignee == "me":
        tasks = tasks.filter(assignee=request.auth)
    elif filters.assignee is not None:
        assignee_id = parse_id(filters.assignee)
        if assignee_id is None:
            raise ValidationError({"assignee": _('Give a person\'s id or "me".')})
        tasks = tasks.filter(assignee_id=assignee_id)
    if filters.status is not None:
        tasks = tasks.filter(status=filters.status)
    if filters.tag:
        tasks = tasks.filter(tags__name=filters.tag)
    if filters.due_before is not None:
        tasks = tasks.filter(due_on__lte=filters.due_before)
    if filters.due_after is not None:
        tasks = tasks.filter(due_on__gte=filters.due_after)
    if filters.q:
        tasks = tasks.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    return paginate(tasks, cursor=filters.cursor, limit=filters.limit)


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS})
def get_task(request: HttpRequest, response: HttpResponse, task_id: Id) -> Task:
    """The task, with its version in the body and as the `ETag` header."""
    return _task_out(request.auth, task_id, response)


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS})
def create_task(request: HttpRequest, response: HttpResponse, payload: TaskIn) -> Status[Task]:
    """Add a task at the end of its list.

    An `assignee_id` other than you with a `request_message` sends them a request (reply-by
    from their working hours, or `request_reply_by`); without a message they are simply
    assigned, told so in their inbox, and no request is made.
    """
    project = services.get_project_for_user(request.auth, payload.project_id)
    data = payload.dict(
        exclude={"project_id", "title", "request_message", "request_reply_by", "tags"},
        exclude_unset=True,
    )
    task = services.do_create_task(
        request.auth,
        project,
        title=payload.title,
        request_message=payload.request_message or "",
        request_reply_by=payload.request_reply_by,
        tags=_tag_names(payload.tags),
        **_task_changes(project, data),
    )
    # Read back as `get_task` shows it, without asking again whether the person may see
    # the task they have just been allowed to add (a visibility query, ~20 % of a create).
    created = _tasks().get(pk=task.pk)
    response["ETag"] = f'"{created.version}"'
    return Status(201, created)


@router.patch("/tasks/{task_id}", response={200: TaskOut, 409: ErrorOut, **WRITE_ERRORS})
def update_task(
    request: HttpRequest,
    response: HttpResponse,
    task_id: Id,
    payload: TaskPatch,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description='The version you read (`ETag`), like "3"; a stale one gets 409.',
    ),
) -> Task:
    """Change only the fields you send. With `If-Match`, a stale version is refused (409).

    A new `assignee_id` other than you is asked when `request_message` says what is asked
    (a request with a reply-by), and plainly assigned without it (told so in their inbox,
    no request made), as the web's bulk assign does.
    """
    task = services.get_task_for_user(request.auth, task_id)
    expected = parse_if_match(if_match)
    data = payload.dict(exclude={"request_message", "request_reply_by", "tags"}, exclude_unset=True)
    services.do_update_task(
        request.auth,
        task,
        _task_changes(task.project, data),
        expected_version=expected,
        request_message=payload.request_message or "",
        request_reply_by=payload.request_reply_by,
        tags=_tag_names(payload.tags),
    )
    return _task_out(request.auth, task_id, response)


@router.post("/tasks/{task_id}/move", response={200: TaskOut, 409: ErrorOut, **WRITE_ERRORS})
def move_task(
    request: HttpRequest,
    response: HttpResponse,
    task_id: Id,
    payload: TaskMoveIn,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description='The version you read (`ETag`), like "3"; a stale one gets 409.',
    ),
) -> Task:
    """Move the task to a section, before another task there (or last), as the board does.

    A `before_id` that is no longer in that section gets 409: your picture is out of date.
    """
    task = services.get_task_for_user(request.auth, task_id)
    services.check_can_edit(request.auth, task.project)
    expected = parse_if_match(if_match)
    section = _section_in(task.project, payload.section_id)
    try:
        before = None
        if payload.before_id is not None:
            before = Task.objects.filter(project=task.project, pk=payload.before_id).first()
            if before is None:
                raise ValidationError(
                    {"before": _("That task has moved meanwhile. Look at the board again.")}
                )
        services.do_move_task(
            request.auth,
            task,
            section=section,
            before=before,
            expected_version=expected,
        )
    except ValidationError as error:
        if "before" not in getattr(error, "error_dict", {}):
            raise
        raise HttpError(CONFLICT, " ".join(error.messages)) from error
    return _task_out(request.auth, task_id, response)


@router.delete("/tasks/{task_id}", response={204: None, 409: ErrorOut, **WRITE_ERRORS})
def delete_task(
    request: HttpRequest,
    task_id: Id,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Status[None]:
    """Deletes the task with its subtasks, comments and requests."""
    task = services.get_task_for_user(request.auth, task_id)
    services.do_delete_task(request.auth, task, expected_version=parse_if_match(if_match))
    return Status(204, None)


# --- Comments --------------------------------------------------------------------------


@router.get("/tasks/{task_id}/comments", response={200: CommentPage, **READ_ERRORS})
def list_comments(request: HttpRequest, task_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    task = services.get_task_for_user(request.auth, task_id)
    comments = task.comments.select_related("author").prefetch_related("mentions")
    return paginate(comments, cursor=page.cursor, limit=page.limit)


@router.post("/tasks/{task_id}/comments", response={201: CommentOut, **WRITE_ERRORS})
def create_comment(request: HttpRequest, task_id: Id, payload: CommentIn) -> Status[Comment]:
    """Adds a comment. Mentions (`@윤하은`, `@Alice Kim`, `@alice`, `@**Name|id**`) make
    the people followers and tell them; 400 when one names nobody, several people, or
    someone who cannot see the task (who is then told nothing)."""
    task = services.get_task_for_user(request.auth, task_id)
    result = services.do_add_comment(request.auth, task, payload.body)
    return Status(201, result.comment)


# --- Requests --------------------------------------------------------------------------


def _requests() -> QuerySet[WorkRequest]:
    return WorkRequest.objects.select_related("task", "requester", "assignee")


@router.get("/requests", response={200: RequestPage, 400: ErrorOut, 401: ErrorOut})
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> dict[str, Any]:
    """Requests asked of you (`inbox`) or by you (`waiting`), soonest reply-by first."""
    requests = _requests()
    if filters.box == "inbox":
        requests = requests.filter(assignee=request.auth)
    else:
        requests = requests.filter(requester=request.auth)
    if not filters.closed:
        requests = requests.open()
    return paginate(requests, cursor=filters.cursor, limit=filters.limit, keys=("reply_by", "id"))


@router.get("/requests/{request_id}", response={200: RequestOut, **READ_ERRORS})
def get_request(request: HttpRequest, request_id: Id) -> WorkRequest:
    return services.get_request_for_user(request.auth, request_id)


@router.post("/tasks/{task_id}/requests", response={201: RequestOut, **WRITE_ERRORS})
def send_request(request: HttpRequest, task_id: Id, payload: RequestIn) -> Status[WorkRequest]:
    """Asks someone in writing about the task: to take it on (they become its assignee), or
    with `reassign: false` for a reply while the assignee stays."""
    task = services.get_task_for_user(request.auth, task_id)
    assignee = _person_for(task.project, payload.assignee_id)
    work_request = services.do_send_request(
        request.auth,
        task,
        assignee,
        message=payload.message,
        reply_by=payload.reply_by,
        reassign=payload.reassign,
        urgent_reason=payload.urgent_reason.strip(),
    )
    return Status(201, _requests().get(pk=work_request.pk))


@router.post("/requests/{request_id}/acknowledge", response={200: RequestOut, **WRITE_ERRORS})
def acknowledge_request(
    request: HttpRequest, request_id: Id, payload: AcknowledgeIn
) -> WorkRequest:
    work_request = services.get_request_for_user(request.auth, request_id)
    services.do_acknowledge_request(request.auth, work_request, payload.note)
    return _requests().get(pk=request_id)


@router.post("/requests/{request_id}/answer", response={200: RequestOut, **WRITE_ERRORS})
def answer_request(request: HttpRequest, request_id: Id, payload: AnswerIn) -> WorkRequest:
    work_request = services.get_request_for_user(request.auth, request_id)
    services.do_answer_request(request.auth, work_request, payload.answer)
    return _requests().get(pk=request_id)


@router.post("/requests/{request_id}/hand-back", response={200: RequestOut, **WRITE_ERRORS})
def hand_back_request(request: HttpRequest, request_id: Id, payload: HandBackIn) -> WorkRequest:
    """Declines the request in writing; the task goes back to whoever asked."""
    work_request = services.get_request_for_user(request.auth, request_id)
    services.do_hand_back_request(request.auth, work_request, payload.reason)
    return _requests().get(pk=request_id)
