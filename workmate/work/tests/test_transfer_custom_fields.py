"""Asana exports saved through Google Sheets (blank rows above the header, CRLF, BOM) and
the export's custom-field columns, imported as the project's fields: the service, the
import_asana command and the web upload's summary page."""

from __future__ import annotations

import datetime
import decimal
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from workmate.testing.factories import make_project
from workmate.work import fields, transfer
from workmate.work.models import CustomField, CustomFieldValue, FieldKind, ImportJob, ImportStatus

HEADER = [
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
    "Estimated hours",
    "Go-live",
    "Priority",
    "Customer note",
    "Unused",
]
# (Task ID, Name, Estimated hours, Go-live, Priority, Customer note); "Unused" stays empty.
TASKS = [
    ("101", "Plan the cutover", "8", "2024-03-15", "High", "Call Mr. Park first"),
    ("102", "Freeze changes", "1,200.5", "", "Low", ""),
    ("103", "Migrate the database", "", "2024-04-01", "High", "Weekend only"),
    ("104", "Check the backups", "3", "2024-03-20", "", 'Nightly job, "must keep"'),
]


def sheets_csv(tasks=TASKS, header=HEADER, blank_rows: int = 3) -> bytes:
    """What Google Sheets saves: a BOM, CRLF line ends, blank comma rows above the header
    (and one below the last task)."""
    width = len(header)

    def quoted(cell: str) -> str:
        if any(ch in cell for ch in ',"\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    rows = ["," * (width - 1)] * blank_rows
    rows.append(",".join(quoted(c) for c in header))
    for task_id, name, hours, golive, priority, note in tasks:
        cells = dict.fromkeys(header, "")
        cells.update(
            {
                "Task ID": task_id,
                "Name": name,
                "Estimated hours": hours,
                "Go-live": golive,
                "Priority": priority,
                "Customer note": note,
            }
        )
        rows.append(",".join(quoted(cells[column]) for column in header))
    rows.append("," * (width - 1))
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode()


@pytest.fixture
def project(alice, team):
    return make_project(name="Migration", team=team, owner=alice)


def run_import(actor, project, data: bytes) -> transfer.ImportReport:
    return transfer.do_import_asana(actor, project, io.BytesIO(data))


def value_of(project, external_id: str, name: str):
    value = CustomFieldValue.objects.filter(
        task__project=project, task__external_id=external_id, field__name=name
    ).first()
    if value is None:
        return None
    return fields.display_value(value.field, value)


# --- The header row --------------------------------------------------------------------


def test_blank_rows_above_the_header_crlf_and_bom_are_read_and_said(alice, project):
    report = run_import(alice, project, sheets_csv())

    assert report.ok, report.errors
    assert (report.rows, report.created) == (4, 4)
    assert report.skipped_above == [1, 2, 3]
    assert report.blank_lines == [9]
    assert set(project.tasks.values_list("title", flat=True)) == {t[1] for t in TASKS}
    assert project.tasks.get(external_id="101").title == "Plan the cutover"  # no "\r" left
    assert transfer.skipped_lines(report.as_dict()) == [
        "Skipped 3 lines above the header row (lines 1–3).",
        "Skipped 1 blank row (line 9).",
    ]


def test_a_title_row_above_the_header_is_skipped_too(alice, project):
    # Unnamed columns at the end of the header are no custom fields.
    data = b"ACME export,,,,\r\n,,,,\r\nTask ID,Name,Notes,,\r\n1,Plan,,,\r\n"

    report = run_import(alice, project, data)

    assert report.ok, report.errors
    assert report.skipped_above == [1, 2]
    assert project.tasks.get().title == "Plan"
    assert (report.fields, report.left_out) == ([], [])
    assert not CustomField.objects.filter(project=project).exists()


def test_a_file_without_the_header_still_says_which_columns_are_missing(alice, project):
    report = run_import(alice, project, b",,\r\n,,\r\nTitle,Due\r\nA,2024-01-01\r\n")

    assert report.error_lines() == [
        "line 3: the header has no Task ID, Name column; is this an Asana CSV export?"
    ]
    assert project.tasks.count() == 0


def test_only_blank_rows_is_an_empty_file(alice, project):
    report = run_import(alice, project, b",,,\r\n,,,\r\n")

    assert report.error_lines() == ["line 1: the file is empty"]


# --- Custom fields ---------------------------------------------------------------------


def test_custom_field_columns_become_fields_of_the_kind_their_values_read_as(alice, project):
    report = run_import(alice, project, sheets_csv())

    assert report.ok, report.errors
    made = {f.name: (f.kind, f.options) for f in CustomField.objects.filter(project=project)}
    assert made == {
        "Estimated hours": (FieldKind.NUMBER, []),
        "Go-live": (FieldKind.DATE, []),
        "Priority": (FieldKind.SINGLE_SELECT, ["High", "Low"]),
        "Customer note": (FieldKind.TEXT, []),
    }
    assert list(CustomField.objects.filter(project=project).values_list("name", flat=True)) == [
        "Estimated hours",
        "Go-live",
        "Priority",
        "Customer note",
    ]
    hours = CustomFieldValue.objects.get(task__external_id="102", field__name="Estimated hours")
    assert hours.number == decimal.Decimal("1200.5")
    golive = CustomFieldValue.objects.get(task__external_id="103", field__name="Go-live")
    assert golive.date == datetime.date(2024, 4, 1)
    assert value_of(project, "101", "Priority") == "High"
    assert value_of(project, "104", "Customer note") == 'Nightly job, "must keep"'
    # Empty cells store nothing.
    assert value_of(project, "103", "Estimated hours") is None
    assert value_of(project, "104", "Priority") is None
    assert CustomFieldValue.objects.filter(task__project=project).count() == 12
    assert transfer.field_lines(report.as_dict()) == [
        "New field “Estimated hours” (Number) with 3 values.",
        "New field “Go-live” (Date) with 3 values.",
        "New field “Priority” (Single select) with 3 values. New options: High, Low.",
        "New field “Customer note” (Text) with 3 values.",
        "Column “Unused” has no values; no field was made for it.",
    ]


def test_reimport_reuses_fields_and_changes_only_what_the_file_changed(alice, project):
    run_import(alice, project, sheets_csv())
    priority = CustomField.objects.get(project=project, name="Priority")
    changed = [
        ("101", "Plan the cutover", "8", "2024-03-15", "Urgent", "Call Mr. Park first"),
        ("102", "Freeze changes", "1,200.5", "", "Low", ""),
        ("103", "Migrate the database", "", "2024-04-01", "High", ""),
        ("104", "Check the backups", "3", "2024-03-20", "", 'Nightly job, "must keep"'),
    ]

    report = run_import(alice, project, sheets_csv(changed))

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 2, 2)
    assert CustomField.objects.filter(project=project).count() == 4
    priority.refresh_from_db()
    assert priority.options == ["High", "Low", "Urgent"]
    assert value_of(project, "101", "Priority") == "Urgent"
    assert value_of(project, "103", "Customer note") is None  # Emptied in the file.
    assert [item["created"] for item in report.fields] == [False] * 4
    assert (
        "3 values went into the existing field “Priority” (Single select). New options: Urgent."
        in (transfer.field_lines(report.as_dict()))
    )

    again = run_import(alice, project, sheets_csv(changed))
    assert (again.updated, again.unchanged) == (0, 4)


def test_an_existing_field_of_another_kind_is_left_out_and_said(alice, project):
    fields.do_create_field(alice, project, name="priority", kind=FieldKind.NUMBER)
    fields.do_create_field(alice, project, name="Go-live", kind=FieldKind.TEXT)

    report = run_import(alice, project, sheets_csv())

    assert report.ok, report.errors
    assert CustomField.objects.get(project=project, name="priority").kind == FieldKind.NUMBER
    assert not CustomFieldValue.objects.filter(field__name="priority").exists()
    # Dates fit a text field: reused, not left out.
    assert value_of(project, "101", "Go-live") == "2024-03-15"
    assert report.left_out == [
        {"name": "Priority", "reason": "kind", "kind": "number"},
        {"name": "Unused", "reason": "empty"},
    ]
    assert (
        "Column “Priority” was left out: this project's field of that name is a number "
        "field, and the column's values do not fit it."
    ) in transfer.field_lines(report.as_dict())


def test_a_bad_custom_value_is_a_row_error_and_nothing_is_written(alice, project):
    tasks = [*TASKS[:3], ("104", "Check the backups", "3", "2024-03-20", "", "x" * 2001)]

    report = run_import(alice, project, sheets_csv(tasks))

    assert report.error_lines() == ["line 8: Customer note: Keep it under 2,000 characters."]
    assert project.tasks.count() == 0
    assert not CustomField.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "2.5", "-3", "1,000"], FieldKind.NUMBER),
        (["2024-03-15", "2024-12-01"], FieldKind.DATE),
        (["Open", "Closed", "Open"], FieldKind.SINGLE_SELECT),
        (["Open", "Closed"], FieldKind.TEXT),  # Nothing repeats: not a list of choices.
        (["2024-03-15", "soon"], FieldKind.TEXT),
        (["1", "one", "1"], FieldKind.SINGLE_SELECT),
        ([f"v{n % 21}" for n in range(42)], FieldKind.TEXT),  # Too many distinct values.
    ],
)
def test_guess_kind(values, kind):
    assert fields.guess_kind(values) == kind


# --- The command and the web upload ----------------------------------------------------


def test_command_says_what_was_skipped_and_which_fields_were_made(alice, project, tmp_path):
    path = tmp_path / "sheets.csv"
    path.write_bytes(sheets_csv())
    out = StringIO()

    call_command("import_asana", str(path), "--project", "Migration", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "4 rows: 4 created, 0 updated, 0 unchanged, 0 errors." in text
    assert "Skipped 3 lines above the header row (lines 1–3)." in text
    assert "New field “Priority” (Single select) with 3 values. New options: High, Low." in text
    assert CustomField.objects.filter(project=project).count() == 4


def test_upload_summary_lists_skipped_rows_and_fields_in_korean(
    client, project, alice, django_capture_on_commit_callbacks
):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    upload = SimpleUploadedFile("sheets.csv", sheets_csv(), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("work:import_asana", args=[project.pk]), {"file": upload})

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE, job.report
    assert job.report["skipped_above"] == [1, 2, 3]
    assert [item["name"] for item in job.report["fields"]] == [
        "Estimated hours",
        "Go-live",
        "Priority",
        "Customer note",
    ]
    page = client.get(response.url).content.decode()
    assert "머리글 행 위의 3줄을 건너뛰었습니다(1–3행)." in page
    assert "새 필드 “Priority”(단일 선택): 값 3개. 새 선택지: High, Low." in page
    assert "“Unused” 열에는 값이 없어 필드를 만들지 않았습니다." in page
