"""Moving a project in and out: Asana CSV import, CSV and JSON export.

The command, the web upload (through the worker) and any later API route call the same
functions here. An import is all-or-nothing per file: every row is parsed and checked
first, and only a file without errors is written, in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workmate.accounts.models import User
from workmate.lib import csvexport
from workmate.work import fields, services
from workmate.work.models import (
    Activity,
    CustomField,
    CustomFieldValue,
    Dependency,
    FieldKind,
    ImportJob,
    ImportStatus,
    Project,
    Section,
    Tag,
    Task,
    TaskStatus,
    stall_cutoff,
)

logger = logging.getLogger(__name__)

# Asana's project export, in Asana's order; our CSV export writes exactly these.
COLUMNS = (
    "Task ID",
    "Created At",
    "Completed At",
    "Last Modified",
    "Name",
    "Section/Column",
    "Assignee",
    "Assignee Email",
    "Start Date",
    "Due Date",
    "Tags",
    "Notes",
    "Projects",
    "Parent task",
    "Blocked By (Dependencies)",
    "Blocking (Dependencies)",
)
REQUIRED_COLUMNS = ("Task ID", "Name")
# The header is looked for in this many rows: a sheet saved through Google Sheets can have
# blank rows (",,,,") or a title above it.
HEADER_SEARCH_ROWS = 20
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "application/octet-stream",
    # What Windows browsers send for .csv when Excel is installed.
    "application/vnd.ms-excel",
}
# The web job writes its progress row once per this many parsed rows.
PROGRESS_EVERY = 200
TITLE_MAX = Task._meta.get_field("title").max_length or 300
EXTERNAL_ID_MAX = Task._meta.get_field("external_id").max_length or 64

# A progress callback gets the share done (0.0-1.0) and the stage: "parse", "check",
# "write" (inside the import transaction) or "done".
Progress = Callable[[float, str], None]


def _key(name: str) -> str:
    return " ".join(name.strip().lower().split())


# --- Parsing ---------------------------------------------------------------------------


@dataclass
class Row:
    """One Asana record, parsed; `line` is the physical line it starts on (header = 1)."""

    line: int
    external_id: str
    name: str
    section: str = ""
    assignee_name: str = ""
    assignee_email: str = ""
    start_on: datetime.date | None = None
    due_on: datetime.date | None = None
    due_at: datetime.datetime | None = None
    created_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    parent_name: str = ""
    blocked_by: str = ""
    blocking: str = ""
    # The export's own columns (its custom fields): header key -> the cell as written.
    custom: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unknown_assignees: list[str] = field(default_factory=list)
    # Lines above the header row, and blank rows below it, that were passed over.
    skipped_above: list[int] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)
    # The file's custom-field columns: {"name", "kind", "created", "values", "added"} for
    # each imported as a field, {"name", "reason" ("empty" or "kind"), "kind"} for the rest.
    fields: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int, reason: str) -> None:
        self.errors.append({"line": line, "reason": reason})

    def error_lines(self) -> list[str]:
        return [_("line %(line)s: %(reason)s") % error for error in self.errors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "errors": self.errors,
            "unknown_assignees": self.unknown_assignees,
            "skipped_above": self.skipped_above,
            "blank_lines": self.blank_lines,
            "fields": self.fields,
            "left_out": self.left_out,
        }


def _parse_datetime(value: str) -> datetime.datetime | None:
    """An Asana date or date-time ("2024-03-15", "2024-03-15 10:30", ISO 8601) as aware."""
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            parsed = datetime.datetime.combine(day, datetime.time())
        else:
            parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _cell(record: dict[str, str], column: str) -> str:
    # Our own export quotes text that looks like a formula; read it back as it was.
    return csvexport.restore((record.get(_key(column)) or "").strip())


def _parse_record(
    line: int, record: dict[str, str], report: ImportReport, custom: Iterable[str] = ()
) -> Row:
    """Parse one record; a bad value is reported and left empty, so that later rows
    naming this one as their parent are not reported as well. `custom` are the keys of
    the file's custom-field columns, kept as written for `check_rows`."""
    external_id = _cell(record, "Task ID")
    name = _cell(record, "Name")
    if not external_id:
        report.error(line, _("the Task ID is empty"))
    elif len(external_id) > EXTERNAL_ID_MAX:
        report.error(
            line, _("the Task ID is longer than %(max)s characters") % {"max": EXTERNAL_ID_MAX}
        )
    if not name:
        report.error(line, _("the Name is empty"))
    elif len(name) > TITLE_MAX:
        report.error(line, _("the Name is longer than %(max)s characters") % {"max": TITLE_MAX})
    row = Row(
        line=line,
        external_id=external_id,
        name=name,
        section=_cell(record, "Section/Column"),
        assignee_name=_cell(record, "Assignee"),
        assignee_email=_cell(record, "Assignee Email"),
        notes=csvexport.restore((record.get(_key("Notes")) or "").strip()),
        parent_name=_cell(record, "Parent task"),
        blocked_by=_cell(record, "Blocked By (Dependencies)"),
        blocking=_cell(record, "Blocking (Dependencies)"),
        tags=sorted({t.strip() for t in _cell(record, "Tags").split(",") if t.strip()}),
        custom={key: _cell(record, key) for key in custom},
    )
    for column, attr in (("Start Date", "start_on"), ("Due Date", "due_on")):
        value = _cell(record, column)
        if not value:
            continue
        parsed_date = _parse_date(value)
        if parsed_date is None and column == "Due Date":
            # A due date with a time of day: keep the time, and its local date on due_on.
            due_at = _parse_datetime(value)
            if due_at is not None:
                row.due_at = due_at
                parsed_date = timezone.localdate(due_at)
        if parsed_date is None:
            report.error(
                line,
                _("%(column)s '%(value)s' is not a date") % {"column": column, "value": value},
            )
        setattr(row, attr, parsed_date)
    for column, attr in (("Created At", "created_at"), ("Completed At", "completed_at")):
        value = _cell(record, column)
        if not value:
            continue
        parsed = _parse_datetime(value)
        if parsed is None:
            report.error(
                line,
                _("%(column)s '%(value)s' is not a date") % {"column": column, "value": value},
            )
        setattr(row, attr, parsed)
    if row.start_on and row.due_on and row.start_on > row.due_on:
        report.error(line, _("the Start Date is after the Due Date"))
    return row


def _find_header(reader: Any, report: ImportReport) -> list[str] | None:
    """Read up to the header row: the first with the required columns. Rows above it are
    recorded as skipped; without one, the first row that is not blank is reported."""
    passed: list[tuple[int, list[str]]] = []
    line = 1
    for values in reader:
        start, line = line, reader.line_num + 1
        keys = {_key(name) for name in values}
        if all(_key(column) in keys for column in REQUIRED_COLUMNS):
            report.skipped_above = [number for number, _values in passed]
            return values
        passed.append((start, values))
        if len(passed) >= HEADER_SEARCH_ROWS:
            break
    written = [(number, values) for number, values in passed if any(v.strip() for v in values)]
    if not written:
        report.error(1, _("the file is empty"))
        return None
    number, values = written[0]
    keys = {_key(name) for name in values}
    missing = [column for column in REQUIRED_COLUMNS if _key(column) not in keys]
    report.error(
        number,
        _("the header has no %(columns)s column; is this an Asana CSV export?")
        % {"columns": ", ".join(missing)},
    )
    return None


def parse_asana_csv(
    stream: IO[bytes], report: ImportReport, progress: Progress | None = None
) -> tuple[list[Row], dict[str, str]]:
    """Read an Asana CSV export into rows, recording bad rows in `report`; returns the rows
    and the file's custom-field columns (header key -> name as written).

    Steps: decode as UTF-8 (a byte-order mark is dropped; CRLF or LF); find the header
    row, passing over blank or title rows above it (Google Sheets adds them) and noting
    them; match columns by name, ignoring case and order; a named column that is not one
    of Asana's own is a custom field; parse each record, remembering the physical line it
    starts on (quoted Notes may span lines) and noting blank rows.
    """
    text = codecs.getreader("utf-8-sig")(stream, errors="strict").read()
    total_lines = max(1, text.count("\n"))
    # newline="" semantics: the csv module handles CRLF and newlines inside quotes.
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _find_header(reader, report)
    if header is None:
        return [], {}
    keys = [_key(name) for name in header]
    standard = {_key(column) for column in COLUMNS}
    custom: dict[str, str] = {}
    for name, key in zip(header, keys, strict=True):
        if key and key not in standard and key not in custom:
            custom[key] = name.strip()
    rows: list[Row] = []
    line = reader.line_num + 1
    for values in reader:
        start, line = line, reader.line_num + 1
        if not any(value.strip() for value in values):
            report.blank_lines.append(start)
            continue
        record = dict(zip(keys, values, strict=False))
        rows.append(_parse_record(start, record, report, custom))
        report.rows += 1
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(0.4 * min(1.0, reader.line_num / total_lines), "parse")
    return rows, custom


# --- Checking --------------------------------------------------------------------------


@dataclass
class Column:
    """A custom-field column of the file, resolved to the project's field of that name (or
    a new one) and its values, ready to write."""

    field: CustomField  # Unsaved when `created`.
    created: bool
    added: list[str]  # Options a select field gains.
    values: dict[str, dict[str, object]]  # external id -> the value's columns


@dataclass
class Plan:
    """What a valid file resolves to, ready to write."""

    rows: list[Row]
    parent_of: dict[str, str]  # external id -> parent's external id
    dependencies: set[tuple[str, str]]  # (task, blocked by), external ids
    assignees: dict[str, User | None]  # external id -> person
    columns: list[Column] = field(default_factory=list)


def _label(row: Row) -> str:
    """How an unknown assignee is listed, and the key a mapping gives a person for."""
    if row.assignee_email and row.assignee_name:
        return f"{row.assignee_name} <{row.assignee_email}>"
    return row.assignee_name or row.assignee_email


def _match_assignees(
    rows: list[Row], report: ImportReport, mapping: dict[str, User]
) -> dict[str, User | None]:
    """Find each row's assignee: by the mapping chosen for an unknown name, else by e-mail
    (any case), else by full name; the rest are listed as unknown."""
    mapped = {_key(key): person for key, person in mapping.items()}
    emails = {row.assignee_email.lower() for row in rows if row.assignee_email}
    names = {_key(row.assignee_name) for row in rows if row.assignee_name}
    people = User.objects.filter(is_active=True)
    by_email = {
        u.email.lower(): u
        for u in people.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    by_name: dict[str, list[User]] = defaultdict(list)
    if names:
        for person in people.only("pk", "full_name", "email"):
            if _key(person.full_name) in names:
                by_name[_key(person.full_name)].append(person)
    result: dict[str, User | None] = {}
    unknown: set[str] = set()
    for row in rows:
        keys = [_key(k) for k in (_label(row), row.assignee_name, row.assignee_email) if k]
        person = next((mapped[k] for k in keys if k in mapped), None)
        if person is None and row.assignee_email:
            person = by_email.get(row.assignee_email.lower())
        if person is None and row.assignee_name:
            matches = by_name.get(_key(row.assignee_name), [])
            person = matches[0] if len(matches) == 1 else None
        if person is None and keys:
            unknown.add(_label(row))
        result[row.external_id] = person
    report.unknown_assignees = sorted(unknown)
    return result


def _resolve_refs(
    cell: str, by_id: dict[str, Row], by_name: dict[str, list[Row]], known: set[str]
) -> tuple[list[str], list[str]]:
    """Turn a dependency cell into external ids; Asana writes Task IDs, older exports names."""
    if not cell:
        return [], []
    whole = by_name.get(_key(cell), [])
    if len(whole) == 1 and cell not in by_id:
        return [whole[0].external_id], []
    found: list[str] = []
    unknown: list[str] = []
    for token in (t.strip() for t in cell.split(",")):
        if not token:
            continue
        if token in by_id or token in known:
            found.append(token)
            continue
        named = by_name.get(_key(token), [])
        if len(named) == 1:
            found.append(named[0].external_id)
        else:
            unknown.append(token)
    return found, unknown


def _find_cycle(edges: dict[str, set[str]]) -> str | None:
    """A node on a cycle of `edges`, or None. Iterative depth-first search."""
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return child
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(edges.get(child, ()))))
    return None


def _check_columns(
    project: Project, rows: Iterable[Row], custom: dict[str, str], report: ImportReport
) -> list[Column]:
    """Resolve the file's custom-field columns to the project's fields.

    Steps: a column without values is left out (and said so); a column named like one of
    the project's fields (any case) goes into it when its values fit that field's kind,
    a select field gaining the options it lacks, and is left out (said so) when they do
    not; any other column becomes a new field of the kind its values read as. Each cell
    is then parsed for its field; a bad one (text over the limit) is a row error.
    """
    rows = list(rows)
    existing = {_key(f.name): f for f in CustomField.objects.filter(project=project)}
    columns: list[Column] = []
    for key, name in custom.items():
        cells = [(row, row.custom.get(key, "")) for row in rows]
        cells = [(row, value) for row, value in cells if value]
        if not cells:
            report.left_out.append({"name": name, "reason": "empty"})
            continue
        values = [value for _row, value in cells]
        current = existing.get(key)
        if current is not None:
            added = fields.fit_column(current, values)
            if added is None:
                report.left_out.append({"name": name, "reason": "kind", "kind": current.kind})
                continue
            target = CustomField(
                pk=current.pk,
                project=project,
                name=current.name,
                kind=current.kind,
                options=[*current.options, *added],
            )
            column = Column(target, created=False, added=added, values={})
        else:
            kind = fields.guess_kind(values)
            options = list(dict.fromkeys(values)) if kind == FieldKind.SINGLE_SELECT else []
            target = CustomField(project=project, name=name[:100], kind=kind, options=options)
            column = Column(target, created=True, added=options, values={})
        for row, value in cells:
            try:
                parsed = fields.parse_value(target, fields.import_items(target, value))
            except ValidationError as error:
                report.error(
                    row.line,
                    _("%(column)s: %(reason)s")
                    % {"column": name, "reason": " ".join(error.messages)},
                )
                continue
            if parsed is not None and row.external_id:
                column.values[row.external_id] = parsed
        columns.append(column)
    return columns


def check_rows(
    project: Project,
    rows: list[Row],
    report: ImportReport,
    assignee_map: dict[str, User] | None = None,
    custom: dict[str, str] | None = None,
) -> Plan:
    """Resolve parents, dependencies, people and custom-field columns; every problem
    becomes a row error."""
    by_id: dict[str, Row] = {}
    by_name: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if not row.external_id:
            continue  # Already reported.
        if row.external_id in by_id:
            report.error(
                row.line,
                _("Task ID %(id)s is also on line %(line)s")
                % {"id": row.external_id, "line": by_id[row.external_id].line},
            )
            continue
        by_id[row.external_id] = row
        by_name[_key(row.name)].append(row)
    # Tasks imported earlier may be named by ID in a dependency of a partial file.
    known = set(project.tasks.exclude(external_id="").values_list("external_id", flat=True))
    parent_of: dict[str, str] = {}
    for row in by_id.values():
        if not row.parent_name:
            continue
        candidates = by_name.get(_key(row.parent_name), [])
        if not candidates:
            report.error(
                row.line, _("parent task '%(name)s' not found") % {"name": row.parent_name}
            )
        elif len(candidates) > 1:
            report.error(
                row.line,
                _("parent task '%(name)s' is ambiguous: lines %(lines)s have that name")
                % {
                    "name": row.parent_name,
                    "lines": ", ".join(str(c.line) for c in candidates),
                },
            )
        elif candidates[0].external_id == row.external_id:
            report.error(row.line, _("a task cannot be its own parent"))
        else:
            parent_of[row.external_id] = candidates[0].external_id
    looping = _find_cycle({child: {parent} for child, parent in parent_of.items()})
    if looping:
        report.error(by_id[looping].line, _("the parent tasks go round in a circle"))
    dependencies: set[tuple[str, str]] = set()
    for row in by_id.values():
        blocked_by, unknown = _resolve_refs(row.blocked_by, by_id, by_name, known)
        blocking, unknown_blocking = _resolve_refs(row.blocking, by_id, by_name, known)
        for token in [*unknown, *unknown_blocking]:
            report.error(row.line, _("dependency '%(ref)s' not found") % {"ref": token})
        pairs = {(row.external_id, other) for other in blocked_by}
        pairs |= {(other, row.external_id) for other in blocking}
        if any(a == b for a, b in pairs):
            report.error(row.line, _("a task cannot wait on itself"))
        dependencies |= {(a, b) for a, b in pairs if a != b}
    waits: dict[str, set[str]] = defaultdict(set)
    for task, blocker in dependencies:
        waits[task].add(blocker)
    looping = _find_cycle(dict(waits))
    if looping:
        line = by_id[looping].line if looping in by_id else 1
        report.error(line, _("the dependencies make tasks wait on each other in a loop"))
    assignees = _match_assignees(list(by_id.values()), report, assignee_map or {})
    columns = _check_columns(project, by_id.values(), custom or {}, report)
    report.errors.sort(key=lambda error: error["line"])
    return Plan(list(by_id.values()), parent_of, dependencies, assignees, columns)


# --- Writing ---------------------------------------------------------------------------

TASK_FIELDS = (
    "title",
    "description",
    "section_id",
    "parent_id",
    "assignee_id",
    "start_on",
    "due_on",
    "due_at",
    "status",
    "completed_at",
    "position",
)


def _sections(project: Project, names: Iterable[str]) -> dict[str, Section]:
    existing = {_key(s.name): s for s in project.sections.all()}
    last = max((s.position for s in existing.values()), default=0)
    new = []
    for name in names:
        if name and _key(name) not in existing:
            last += 1
            section = Section(project=project, name=name[:200], position=last)
            existing[_key(name)] = section
            new.append(section)
    Section.objects.bulk_create(new)
    return existing


def _tags(names: set[str]) -> dict[str, Tag]:
    names = {name[:50] for name in names}
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return {tag.name: tag for tag in Tag.objects.filter(name__in=names)}


def _apply(task: Task, row: Row, plan: Plan, sections: dict[str, Section], position: int) -> None:
    person = plan.assignees.get(row.external_id)
    task.title = row.name
    task.description = row.notes
    task.section_id = sections[_key(row.section)].pk if row.section else None
    task.assignee_id = person.pk if person else None
    task.start_on = row.start_on
    task.due_on = row.due_on
    task.due_at = row.due_at
    task.position = position
    if row.completed_at:
        task.status = TaskStatus.DONE
        task.completed_at = row.completed_at
    else:
        if task.status == TaskStatus.DONE:
            task.status = TaskStatus.OPEN
        task.completed_at = None


def _depths(parent_of: dict[str, str]) -> dict[str, int]:
    """How deep each subtask sits (a top-level task is 0); `parent_of` has no cycles."""
    depths: dict[str, int] = {}
    for start in parent_of:
        chain = []
        node = start
        while node in parent_of and node not in depths:
            chain.append(node)
            node = parent_of[node]
        depth = depths.get(node, 0)
        for child in reversed(chain):
            depth += 1
            depths[child] = depth
    return depths


def _snapshot(task: Task) -> tuple[object, ...]:
    return tuple(getattr(task, name) for name in TASK_FIELDS)


def _write(
    actor: User, project: Project, plan: Plan, report: ImportReport, progress: Progress
) -> None:
    """Write a checked plan. Runs inside the caller's transaction.

    Steps: sections and tags get-or-create; tasks looked up by Task ID, new ones bulk
    created and changed ones bulk updated; then parents, tags and dependencies are set
    to what the file says for its tasks; one "imported" history line per new task.
    """
    sections = _sections(project, dict.fromkeys(row.section for row in plan.rows))
    tags = _tags({tag for row in plan.rows for tag in row.tags})
    existing = {
        task.external_id: task
        for task in Task.objects.select_for_update().filter(
            project=project, external_id__in=[row.external_id for row in plan.rows]
        )
    }
    progress(0.7, "write")
    tasks: dict[str, Task] = {}
    before: dict[str, tuple[object, ...]] = {}
    new: list[Task] = []
    for position, row in enumerate(plan.rows, start=1):
        task = existing.get(row.external_id)
        if task is None:
            task = Task(project=project, created_by=actor, external_id=row.external_id)
            if row.created_at:
                task.created_at = row.created_at
            new.append(task)
        else:
            before[row.external_id] = _snapshot(task)
        _apply(task, row, plan, sections, position)
        tasks[row.external_id] = task
    # A parent needs its id before its subtasks are inserted, so new tasks go in one
    # level of the tree at a time (no second pass of updates to link them).
    depths = _depths(plan.parent_of)
    levels: dict[int, list[Task]] = defaultdict(list)
    for task in new:
        levels[depths.get(task.external_id, 0)].append(task)
    for level in sorted(levels):
        for task in levels[level]:
            parent = plan.parent_of.get(task.external_id)
            task.parent_id = tasks[parent].pk if parent else None
        Task.objects.bulk_create(levels[level])
    progress(0.8, "write")
    changed_ids: set[int] = set()
    for external_id, old in before.items():
        task = tasks[external_id]
        parent = plan.parent_of.get(external_id)
        task.parent_id = tasks[parent].pk if parent else None
        if _snapshot(task) != old:
            changed_ids.add(task.pk)
    progress(0.85, "write")

    by_pk = {task.pk: task for task in tasks.values()}
    wanted_tags = {
        (tasks[row.external_id].pk, tags[tag[:50]].pk) for row in plan.rows for tag in row.tags
    }
    changed_ids |= _sync_pairs(
        Task.tags.through, "task_id", "tag_id", set(by_pk), wanted_tags, both_sides=False
    )
    known = dict(
        project.tasks.exclude(external_id="")
        .exclude(external_id__in=tasks.keys())
        .values_list("external_id", "pk")
    )
    known |= {eid: task.pk for eid, task in tasks.items()}
    wanted_deps = {(known[a], known[b]) for a, b in plan.dependencies}
    changed_ids |= _sync_pairs(
        Dependency, "task_id", "blocked_by_id", set(by_pk), wanted_deps, both_sides=True
    )
    changed_ids |= _write_columns(project, plan, tasks, report)
    progress(0.9, "write")

    updated = [by_pk[pk] for pk in changed_ids if pk in by_pk and by_pk[pk].external_id in before]
    now = timezone.now()
    for task in updated:
        task.version += 1
        task.updated_at = now
    Task.objects.bulk_update(
        updated,
        [*(name.removesuffix("_id") for name in TASK_FIELDS), "version", "updated_at"],
    )
    Activity.objects.bulk_create(
        [Activity(task=task, actor=actor, verb="imported", created_at=now) for task in new],
    )
    report.created = len(new)
    report.updated = len(updated)
    report.unchanged = len(before) - len(updated)


VALUE_COLUMNS = ("text", "number", "date", "choices")


def _write_columns(
    project: Project, plan: Plan, tasks: dict[str, Task], report: ImportReport
) -> set[int]:
    """Write the file's custom-field columns; returns the ids of the tasks whose values
    changed. Runs inside the import transaction.

    Steps: create the new fields after the project's last column; give reused select
    fields the options they gain; then make the file's tasks' values of these fields what
    the file says (an empty cell clears the value; the file wins, as for the task fields),
    inserting, updating and deleting in bulk.
    """
    if not plan.columns:
        return set()
    last = (
        CustomField.objects.filter(project=project)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    ) or 0
    for column in plan.columns:
        target = column.field
        if column.created:
            last += 1
            target.position = last
            target.save()
        elif column.added:
            CustomField.objects.filter(pk=target.pk).update(options=target.options)
    wanted: dict[tuple[int, int], dict[str, object]] = {}
    for column in plan.columns:
        for external_id, columns in column.values.items():
            wanted[(tasks[external_id].pk, column.field.pk)] = columns
    task_ids = {task.pk for task in tasks.values()}
    current = {
        (value.task_id, value.field_id): value
        for value in CustomFieldValue.objects.filter(
            field__in=[column.field.pk for column in plan.columns]
        )
        if value.task_id in task_ids
    }
    stale = [value.pk for key, value in current.items() if key not in wanted]
    new: list[CustomFieldValue] = []
    changed: list[CustomFieldValue] = []
    for (task_id, field_id), columns in wanted.items():
        value = current.get((task_id, field_id))
        if value is None:
            new.append(CustomFieldValue(task_id=task_id, field_id=field_id, **columns))
        elif any(getattr(value, name) != column for name, column in columns.items()):
            for name, column in columns.items():
                setattr(value, name, column)
            changed.append(value)
    CustomFieldValue.objects.filter(pk__in=stale).delete()
    CustomFieldValue.objects.bulk_create(new)
    CustomFieldValue.objects.bulk_update(changed, VALUE_COLUMNS)
    for column in plan.columns:
        target = column.field
        report.fields.append(
            {
                "name": target.name,
                "kind": target.kind,
                "created": column.created,
                "values": len(column.values),
                "added": column.added,
            }
        )
    touched = {value.task_id for value in [*new, *changed]}
    touched |= {task_id for (task_id, _field), value in current.items() if value.pk in stale}
    return touched


def _sync_pairs(
    model: Any,
    left: str,
    right: str,
    task_ids: set[int],
    wanted: set[tuple[int, int]],
    *,
    both_sides: bool,
) -> set[int]:
    """Make the (left, right) rows of the file's tasks equal `wanted`; return touched tasks.

    Only rows whose left side is one of the file's tasks are owned by the file (for
    dependencies both sides must be), so links to other tasks are left alone.
    """
    owned = Q(**{f"{left}__in": task_ids})
    if both_sides:
        owned |= Q(**{f"{right}__in": task_ids})
    current = {
        (a, b): pk for pk, a, b in model.objects.filter(owned).values_list("pk", left, right)
    }
    stale = [
        pk
        for (a, b), pk in current.items()
        if (a, b) not in wanted and a in task_ids and (not both_sides or b in task_ids)
    ]
    missing = wanted - set(current)
    model.objects.filter(pk__in=stale).delete()
    model.objects.bulk_create([model(**{left: a, right: b}) for a, b in missing])
    gone = set(stale)
    changed = missing | {pair for pair, pk in current.items() if pk in gone}
    touched = {a for a, _b in changed}
    if both_sides:
        touched |= {b for _a, b in changed}
    return touched


def _no_progress(fraction: float, stage: str) -> None:
    return None


def do_import_asana(
    actor: User,
    project: Project,
    stream: IO[bytes],
    *,
    progress: Progress | None = None,
    assignee_map: dict[str, User] | None = None,
) -> ImportReport:
    """Import an Asana CSV export into `project`; nothing is written if any row is bad.

    `assignee_map` gives a person for names the file's people are not found by (as the
    report lists them under unknown assignees). The file wins over earlier edits: a task
    that is done here but not in the file is reopened.

    Steps: check the actor may edit; parse every row; resolve parents, dependencies and
    people; if there is any error, return the report and write nothing; otherwise write
    all of it in one transaction. Re-importing a file updates tasks by Task ID.
    """
    services.check_can_edit(actor, project)
    progress = progress or _no_progress
    report = ImportReport()
    try:
        rows, custom = parse_asana_csv(stream, report, progress)
    except UnicodeDecodeError:
        report.error(1, _("the file is not UTF-8 text; export it from Asana again as CSV"))
        return report
    progress(0.4, "parse")
    plan = check_rows(project, rows, report, assignee_map, custom)
    progress(0.6, "check")
    if not report.ok:
        return report
    with transaction.atomic():
        _write(actor, project, plan, report, progress)
    progress(1.0, "done")
    return report


# --- What the summary says (the command and the job page) -------------------------------


def _spans(lines: Iterable[int]) -> str:
    """[1, 2, 3, 7] → "1–3, 7"."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def skipped_lines(report: dict[str, Any]) -> list[str]:
    """What the import passed over, as sentences in the current language."""
    sentences = []
    above = report.get("skipped_above") or []
    if above:
        sentences.append(
            ngettext(
                "Skipped %(count)s line above the header row (line %(lines)s).",
                "Skipped %(count)s lines above the header row (lines %(lines)s).",
                len(above),
            )
            % {"count": len(above), "lines": _spans(above)}
        )
    blank = report.get("blank_lines") or []
    if blank:
        sentences.append(
            ngettext(
                "Skipped %(count)s blank row (line %(lines)s).",
                "Skipped %(count)s blank rows (lines %(lines)s).",
                len(blank),
            )
            % {"count": len(blank), "lines": _spans(blank)}
        )
    return sentences


def field_lines(report: dict[str, Any]) -> list[str]:
    """The custom-field columns: made, reused or left out, as sentences."""
    kinds = dict(FieldKind.choices)
    sentences = []
    for item in report.get("fields") or []:
        values = {
            "name": item["name"],
            "kind": kinds.get(item["kind"], item["kind"]),
            "count": item["values"],
            "options": ", ".join(item.get("added") or []),
        }
        if item["created"]:
            sentence = ngettext(
                "New field “%(name)s” (%(kind)s) with %(count)s value.",
                "New field “%(name)s” (%(kind)s) with %(count)s values.",
                item["values"],
            )
        else:
            sentence = ngettext(
                "%(count)s value went into the existing field “%(name)s” (%(kind)s).",
                "%(count)s values went into the existing field “%(name)s” (%(kind)s).",
                item["values"],
            )
        sentence %= values
        if values["options"]:
            sentence += " " + _("New options: %(options)s.") % values
        sentences.append(sentence)
    for item in report.get("left_out") or []:
        if item["reason"] == "empty":
            sentence = _("Column “%(name)s” has no values; no field was made for it.")
        else:
            sentence = _(
                "Column “%(name)s” was left out: this project's field of that name is a "
                "%(kind)s field, and the column's values do not fit it."
            )
        kind = str(kinds.get(item.get("kind", ""), "")).lower()
        sentences.append(sentence % {"name": item["name"], "kind": kind})
    return sentences


# --- Web imports through the worker -----------------------------------------------------


def check_upload(upload: UploadedFile) -> None:
    """An upload must be a CSV text file under the size limit."""
    name = (upload.name or "").lower()
    content_type = (upload.content_type or "").split(";")[0].strip()
    if not name.endswith((".csv", ".txt")) or (
        content_type and content_type not in UPLOAD_CONTENT_TYPES
    ):
        raise ValidationError({"file": _("Choose the .csv file Asana exported.")})
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES >> 20}}
        )
    head = upload.read(4096)
    upload.seek(0)
    if b"\0" in head:
        raise ValidationError({"file": _("That file is not text; choose the CSV export.")})


@transaction.atomic
def do_start_import(actor: User, project: Project, upload: UploadedFile) -> ImportJob:
    """Keep the upload and queue its import; the worker starts once this commits."""
    from workmate.work.tasks import run_asana_import

    services.check_can_edit(actor, project)
    check_upload(upload)
    job = ImportJob.objects.create(project=project, created_by=actor, file=upload)
    transaction.on_commit(lambda: run_asana_import.enqueue(job.pk))
    return job


@transaction.atomic
def do_rerun_import(actor: User, job: ImportJob, assignee_map: dict[str, User]) -> ImportJob:
    """Import a job's file again with a person chosen for some unknown assignees.

    The new job keeps the choices in its report (the job row has no other place for
    them), so the worker reads them back and the page can show what was mapped.
    """
    from workmate.work.tasks import run_asana_import

    services.check_can_edit(actor, job.project)
    if job.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
        raise ValidationError(_("Wait until this import has finished."))
    if any(not person.is_active for person in assignee_map.values()):
        raise ValidationError(_("That person can no longer be assigned work."))
    again = ImportJob.objects.create(
        project=job.project,
        created_by=actor,
        file=job.file.name,
        report={"assignee_map": {label: person.pk for label, person in assignee_map.items()}},
    )
    transaction.on_commit(lambda: run_asana_import.enqueue(again.pk))
    return again


@transaction.atomic
def do_restart_import(actor: User, job: ImportJob) -> ImportJob:
    """Start a failed or stalled import again from its file, with the same chosen people."""
    from workmate.work.tasks import run_asana_import

    services.check_can_edit(actor, job.project)
    # Lock the row: two editors restarting at once must queue the job once.
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not locked.can_restart():
        raise ValidationError(_("Only a failed or stalled import can be started again."))
    chosen = (locked.report or {}).get("assignee_map")
    locked.status = ImportStatus.QUEUED
    locked.report = {"assignee_map": chosen} if chosen else {}
    locked.total_rows = locked.processed_rows = 0
    locked.finished_at = None
    locked.save(
        update_fields=[
            "status",
            "report",
            "total_rows",
            "processed_rows",
            "finished_at",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: run_asana_import.enqueue(locked.pk))
    return locked


def run_import_job(job_id: int) -> ImportJob | None:
    """Run one queued (or stalled) import job; a job finished or making progress is left alone.

    Progress goes to the job row between stages, outside the import transaction, so the
    page polling it sees the file being read and checked; the writes then commit at once.
    Each progress write moves `updated_at`, which tells a live job from a stalled one.
    """
    # One conditional UPDATE claims the job, so two workers cannot both take it: the
    # winner's `updated_at` is now, which no longer looks stalled to the other.
    stalled = Q(status=ImportStatus.RUNNING, updated_at__lt=stall_cutoff())
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=ImportStatus.QUEUED) | stalled)
        .update(status=ImportStatus.RUNNING, updated_at=timezone.now())
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("project", "created_by").get(pk=job_id)
    chosen = (job.report or {}).get("assignee_map", {})
    people = User.objects.filter(is_active=True).in_bulk(chosen.values())
    assignee_map = {label: people[pk] for label, pk in chosen.items() if pk in people}
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        logger.exception("Import job %s lost its file", job.pk)
        report = ImportReport()
        report.error(0, _("The uploaded file is gone; upload it again."))
        return _finish(job, report, assignee_map)
    # Physical lines stand in for rows until the parse has counted the records.
    total = max(1, data.count(b"\n"))
    ImportJob.objects.filter(pk=job.pk).update(
        total_rows=total, processed_rows=0, updated_at=timezone.now()
    )

    def progress(fraction: float, stage: str) -> None:
        if stage != "write":  # Inside the transaction nobody else could see it yet.
            ImportJob.objects.filter(pk=job.pk).update(
                processed_rows=round(total * fraction), updated_at=timezone.now()
            )

    with translation.override(job.created_by.language or None):
        try:
            report = do_import_asana(
                job.created_by,
                job.project,
                io.BytesIO(data),
                progress=progress,
                assignee_map=assignee_map,
            )
        except (ValidationError, PermissionDenied) as error:
            report = ImportReport()
            report.error(0, " ".join(getattr(error, "messages", [str(error)])))
        except Exception:  # The job must end, or its page would poll for ever.
            logger.exception("Import job %s failed", job.pk)
            report = ImportReport()
            report.error(0, _("The import stopped unexpectedly; nothing was imported."))
    return _finish(job, report, assignee_map)


def _finish(job: ImportJob, report: ImportReport, assignee_map: dict[str, User]) -> ImportJob:
    job.status = ImportStatus.DONE if report.ok else ImportStatus.FAILED
    job.report = report.as_dict() | {
        "assignee_map": {label: person.pk for label, person in assignee_map.items()}
    }
    job.total_rows = report.rows
    job.processed_rows = report.rows if report.ok else 0
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "report",
            "total_rows",
            "processed_rows",
            "finished_at",
            "updated_at",
        ]
    )
    return job


def release_import_job(job_id: int, *, rerun: bool) -> None:
    """The worker running this import died: queue it again, or fail it with a reason.

    Called by the job recovery (workmate/ops/jobs.py) inside its transaction. The import
    writes its rows in one transaction, so the dead worker left nothing behind and the
    job starts again from its file.
    """
    job = (
        ImportJob.objects.select_for_update()
        .select_related("created_by")
        .filter(pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
        .first()
    )
    if job is None:
        return
    job.total_rows = job.processed_rows = 0
    if rerun:
        # A job the worker had not claimed yet is still queued; this changes nothing.
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["status", "total_rows", "processed_rows", "updated_at"])
        return
    report = ImportReport()
    with translation.override(job.created_by.language or None):
        report.error(
            0,
            str(_("The worker running this import stopped before it finished.")),
        )
    chosen = (job.report or {}).get("assignee_map")
    job.status = ImportStatus.FAILED
    job.report = report.as_dict() | ({"assignee_map": chosen} if chosen else {})
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "report",
            "total_rows",
            "processed_rows",
            "finished_at",
            "updated_at",
        ]
    )


# --- Export ----------------------------------------------------------------------------


def _export_tasks(project: Project) -> tuple[list[Task], dict[int, list[int]], dict[int, str]]:
    """The project's tasks in list order, their in-project blockers, and export ids."""
    tasks = list(
        project.tasks.select_related("section", "assignee", "parent")
        .prefetch_related("tags")
        .order_by("section__position", "section_id", "parent_id", "position", "pk")
    )
    ids = {task.pk: task.external_id or str(task.pk) for task in tasks}
    blockers: dict[int, list[int]] = defaultdict(list)
    for task_id, blocker_id in (
        Dependency.objects.filter(task__project=project, blocked_by__project=project)
        .order_by("pk")
        .values_list("task_id", "blocked_by_id")
    ):
        blockers[task_id].append(blocker_id)
    return tasks, blockers, ids


def _day(value: datetime.datetime | None) -> str:
    return timezone.localdate(value).isoformat() if value else ""


def export_csv_rows(project: Project) -> Iterator[list[str]]:
    """The header and one row per task, in Asana's export columns, then one column per
    custom field (as Asana writes its own), so that the file imports back into them."""
    tasks, blockers, ids = _export_tasks(project)
    blocking: dict[int, list[int]] = defaultdict(list)
    for task_id, blocked_by in blockers.items():
        for blocker in blocked_by:
            blocking[blocker].append(task_id)
    custom = list(CustomField.objects.filter(project=project))
    shown: dict[tuple[int, int], str] = {}
    by_pk = {item.pk: item for item in custom}
    for value in CustomFieldValue.objects.filter(field__project=project).select_related("person"):
        shown[(value.task_id, value.field_id)] = fields.display_value(by_pk[value.field_id], value)
    yield [*COLUMNS, *(item.name for item in custom)]
    for task in tasks:
        due = (
            timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
            if task.due_at
            else (task.due_on.isoformat() if task.due_on else "")
        )
        yield [
            ids[task.pk],
            _day(task.created_at),
            task.completed_at.isoformat() if task.completed_at else "",
            _day(task.updated_at),
            task.title,
            task.section.name if task.section else "",
            task.assignee.full_name if task.assignee else "",
            task.assignee.email if task.assignee else "",
            task.start_on.isoformat() if task.start_on else "",
            due,
            ",".join(tag.name for tag in task.tags.all()),
            task.description,
            project.name,
            task.parent.title if task.parent else "",
            ",".join(sorted(ids[pk] for pk in blockers.get(task.pk, []))),
            ",".join(sorted(ids[pk] for pk in blocking.get(task.pk, []))),
            *(shown.get((task.pk, item.pk), "") for item in custom),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_lines(project: Project) -> Iterator[str]:
    """CSV text, one record at a time, for a streaming download."""
    writer = csvexport.writer(_Echo())
    for row in export_csv_rows(project):
        yield writer.writerow(row)


def export_json(project: Project) -> dict[str, Any]:
    """The project as nested data: sections, tasks with their subtasks, tags, blockers."""
    tasks, blockers, ids = _export_tasks(project)
    children: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append(task)

    def tree(task: Task) -> dict[str, Any]:
        return {
            "id": ids[task.pk],
            "title": task.title,
            "description": task.description,
            "section": task.section.name if task.section else None,
            "assignee": task.assignee.email if task.assignee else None,
            "status": task.status,
            "priority": task.priority,
            "start_on": task.start_on.isoformat() if task.start_on else None,
            "due_on": task.due_on.isoformat() if task.due_on else None,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "created_at": task.created_at.isoformat(),
            "completed_at": task.completed_at.isoformat() if task.completed_at else None,
            "tags": [tag.name for tag in task.tags.all()],
            "blocked_by": sorted(ids[pk] for pk in blockers.get(task.pk, [])),
            "subtasks": [tree(child) for child in children.get(task.pk, [])],
        }

    return {
        "project": {
            "name": project.name,
            "description": project.description,
            "team": project.team.code,
            "visibility": project.visibility,
            "colour": project.colour,
        },
        "sections": [section.name for section in project.sections.all()],
        "tasks": [tree(task) for task in children.get(None, [])],
        "exported_at": timezone.now().isoformat(),
    }
