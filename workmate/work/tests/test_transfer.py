"""Asana CSV import and project export, as services and as the import_asana command."""

from __future__ import annotations

import csv
import datetime
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from workmate.testing.factories import make_project, make_user
from workmate.work import transfer
from workmate.work.models import (
    Activity,
    CustomFieldValue,
    Dependency,
    Project,
    ProjectMember,
    ProjectRole,
    Section,
    Tag,
    Task,
    TaskStatus,
)

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_CSV = FIXTURES / "asana_project.csv"
BAD_CSV = FIXTURES / "asana_bad.csv"


def tid(n: int) -> str:
    return f"12060000000000{n:02d}"


@pytest.fixture
def project(alice, team):
    return make_project(name="Migration", team=team, owner=alice)


def import_file(actor, project, path=PROJECT_CSV):
    with path.open("rb") as stream:
        return transfer.do_import_asana(actor, project, stream)


def import_text(actor, project, text: str):
    return transfer.do_import_asana(actor, project, io.BytesIO(text.encode()))


def counts(project) -> tuple[int, int, int, int, int]:
    return (
        project.tasks.count(),
        project.sections.count(),
        Tag.objects.count(),
        Dependency.objects.filter(task__project=project).count(),
        Task.tags.through.objects.filter(task__project=project).count(),
    )


HEADER = ",".join(transfer.COLUMNS)


def csv_text(*rows: dict[str, str]) -> str:
    buffer = StringIO()
    writer = csv.DictWriter(buffer, fieldnames=transfer.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# --- Import ------------------------------------------------------------------------------


def test_import_creates_tasks_sections_parents_tags_and_dependencies(alice, bob, project):
    report = import_file(alice, project)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.rows) == (17, 0, 17)
    assert project.tasks.count() == 17
    assert list(project.sections.values_list("name", flat=True)) == [
        "계획 (Planning)",
        "Build",
        "Cutover",
    ]
    requirements = project.tasks.get(external_id=tid(2))
    assert requirements.title == "고객 요구사항 정리"
    assert requirements.section.name == "계획 (Planning)"
    assert requirements.assignee == bob  # Matched by full name: the row has no e-mail.
    assert requirements.start_on == datetime.date(2024, 3, 4)
    assert requirements.due_on == datetime.date(2024, 3, 8)
    assert requirements.description.startswith("Collect the requirements from ACME:\n- current")
    assert '"must keep"' in requirements.description
    assert sorted(requirements.tags.values_list("name", flat=True)) == ["docs", "고객"]
    assert timezone.localdate(requirements.created_at) == datetime.date(2024, 2, 26)

    sow = project.tasks.get(title="Write SOW draft")
    assert sorted(sow.subtasks.values_list("title", flat=True)) == [
        "Review SOW with legal",
        "Send SOW to customer",
    ]
    assert list(sow.blocked_by.all()) == [requirements]
    assert project.tasks.get(title="DMS 설정").parent.title == "Migrate DB tier"
    rehearsal = project.tasks.get(title="Cutover rehearsal")
    assert sorted(rehearsal.blocked_by.values_list("title", flat=True)) == [
        "Migrate DB tier",
        "Migrate web tier",
    ]
    # "Blocking" on the web tier's row makes the DB tier wait on it.
    db_tier = project.tasks.get(title="Migrate DB tier")
    assert list(db_tier.blocked_by.values_list("title", flat=True)) == ["Migrate web tier"]
    assert Dependency.objects.filter(task__project=project).count() == 6

    kickoff = project.tasks.get(external_id=tid(1))
    assert kickoff.status == TaskStatus.DONE
    assert timezone.localdate(kickoff.completed_at) == datetime.date(2024, 3, 4)
    war_room = project.tasks.get(external_id=tid(15))
    assert timezone.localtime(war_room.completed_at).strftime("%Y-%m-%d %H:%M") == (
        "2024-03-02 18:45"
    )
    # E-mails match whatever their case.
    assert project.tasks.get(title="회고 자료 준비").assignee == alice
    assert project.tasks.get(title="VPC and subnets").assignee == bob
    # Nobody called Dana works here: left unassigned and listed for mapping.
    assert project.tasks.get(title="Landing zone design").assignee is None
    assert report.unknown_assignees == ["Dana Choi <dana@partner.example>"]
    assert Activity.objects.filter(task__project=project, verb="imported").count() == 17


def test_reimport_changes_no_counts(alice, bob, project):
    import_file(alice, project)
    before = counts(project)
    versions = dict(project.tasks.values_list("pk", "version"))

    report = import_file(alice, project)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 17)
    assert counts(project) == before
    assert dict(project.tasks.values_list("pk", "version")) == versions
    assert Activity.objects.filter(task__project=project, verb="imported").count() == 17


def test_reimport_updates_changed_fields(alice, bob, project):
    import_file(alice, project)
    text = PROJECT_CSV.read_text(encoding="utf-8-sig")
    text = text.replace("Write SOW draft,계획 (Planning)", "Write the SOW,Build")
    text = text.replace('Write SOW draft,"', 'Write the SOW,"').replace(
        ",Write SOW draft,", ",Write the SOW,"
    )
    text = text.replace("2024-03-04,2024-03-04,Kick-off meeting", ",2024-03-04,Kick-off meeting")
    before = counts(project)

    report = import_text(alice, project, text)

    assert report.ok, report.errors
    assert report.created == 0
    sow = project.tasks.get(external_id=tid(3))
    assert sow.title == "Write the SOW"
    assert sow.section.name == "Build"
    assert sow.subtasks.count() == 2
    assert sow.version == 2
    kickoff = project.tasks.get(external_id=tid(1))
    assert kickoff.status == TaskStatus.OPEN
    assert kickoff.completed_at is None
    assert report.updated == 2
    assert counts(project) == before


def test_reimport_removes_tags_and_dependencies_the_file_dropped(alice, project):
    rows = [
        {"Task ID": "1", "Name": "A", "Tags": "x,y"},
        {"Task ID": "2", "Name": "B", "Blocked By (Dependencies)": "1"},
    ]
    assert import_text(alice, project, csv_text(*rows)).ok
    b = project.tasks.get(external_id="2")
    assert b.blocked_by.count() == 1

    rows[0]["Tags"] = "y"
    rows[1]["Blocked By (Dependencies)"] = ""
    report = import_text(alice, project, csv_text(*rows))

    assert report.ok
    assert report.updated == 2
    assert list(project.tasks.get(external_id="1").tags.values_list("name", flat=True)) == ["y"]
    assert b.blocked_by.count() == 0


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_written(alice, project):
    report = import_file(alice, project, BAD_CSV)

    assert not report.ok
    assert report.error_lines() == [
        "line 7: Due Date 'next week' is not a date",
        "line 9: parent task 'Foo' not found",
    ]
    assert project.tasks.count() == 0
    assert project.sections.count() == 0


def test_one_bad_row_in_a_good_file_writes_nothing(alice, project):
    import_file(alice, project)
    before = counts(project)
    text = PROJECT_CSV.read_text(encoding="utf-8-sig").replace(
        "Hypercare,Cutover", "Hypercare (changed),Cutover"
    )
    text = text.replace("2024-04-19", "19/04/2024")

    report = import_text(alice, project, text)

    assert report.error_lines() == ["line 19: Due Date '19/04/2024' is not a date"]
    assert counts(project) == before
    assert not project.tasks.filter(title="Hypercare (changed)").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                {"Task ID": "1", "Name": "A"},
                {"Task ID": "2", "Name": "A"},
                {"Task ID": "3", "Name": "B", "Parent task": "A"},
            ],
            "line 4: parent task 'A' is ambiguous: lines 2, 3 have that name",
        ),
        (
            [{"Task ID": "1", "Name": "A"}, {"Task ID": "1", "Name": "B"}],
            "line 3: Task ID 1 is also on line 2",
        ),
        (
            [{"Task ID": "1", "Name": "A", "Blocked By (Dependencies)": "99"}],
            "line 2: dependency '99' not found",
        ),
        ([{"Task ID": "1", "Name": ""}], "line 2: the Name is empty"),
        (
            [{"Task ID": "1", "Name": "A", "Start Date": "2024-03-05", "Due Date": "2024-03-01"}],
            "line 2: the Start Date is after the Due Date",
        ),
        (
            [{"Task ID": "1", "Name": "A", "Completed At": "yesterday"}],
            "line 2: Completed At 'yesterday' is not a date",
        ),
    ],
)
def test_row_errors(alice, project, rows, message):
    report = import_text(alice, project, csv_text(*rows))

    assert message in report.error_lines()
    assert project.tasks.count() == 0


def test_dependency_loop_is_refused(alice, project):
    rows = [
        {"Task ID": "1", "Name": "A", "Blocked By (Dependencies)": "2"},
        {"Task ID": "2", "Name": "B", "Blocked By (Dependencies)": "1"},
    ]
    report = import_text(alice, project, csv_text(*rows))

    assert any("loop" in line for line in report.error_lines())
    assert project.tasks.count() == 0


def test_parent_loop_is_refused(alice, project):
    rows = [
        {"Task ID": "1", "Name": "A", "Parent task": "B"},
        {"Task ID": "2", "Name": "B", "Parent task": "A"},
    ]
    report = import_text(alice, project, csv_text(*rows))

    assert any("circle" in line for line in report.error_lines())
    assert project.tasks.count() == 0


def test_header_without_asana_columns_is_refused(alice, project):
    report = import_text(alice, project, "Title,Due\nA,2024-01-01\n")

    assert report.error_lines() == [
        "line 1: the header has no Task ID, Name column; is this an Asana CSV export?"
    ]


def test_columns_in_any_order_with_dependencies_by_name_and_datetimes(alice, project):
    text = (
        "Notes,name,TASK ID,Due Date,Blocked By (Dependencies),Created At,Something else\n"
        "first,Design,1,2024-03-15 10:30,,2024-03-01T09:00:00+09:00,x\n"
        "second,Build,2,,Design,,y\n"
    )
    report = import_text(alice, project, text)

    assert report.ok, report.errors
    design = project.tasks.get(external_id="1")
    assert timezone.localtime(design.due_at).strftime("%Y-%m-%d %H:%M") == "2024-03-15 10:30"
    assert design.due_on == datetime.date(2024, 3, 15)
    assert design.created_at == datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
    assert list(project.tasks.get(external_id="2").blocked_by.all()) == [design]


def test_non_utf8_file_is_refused(alice, project):
    data = "Task ID,Name\n1,회의\n".encode("cp949")
    report = transfer.do_import_asana(alice, project, io.BytesIO(data))

    assert "not UTF-8" in report.error_lines()[0]
    assert project.tasks.count() == 0


def test_viewer_cannot_import(alice, project):
    viewer = make_user()
    ProjectMember.objects.create(project=project, user=viewer, role=ProjectRole.VIEWER)

    with pytest.raises(PermissionDenied):
        import_file(viewer, project)
    assert project.tasks.count() == 0


def test_progress_is_reported_in_stages(alice, project):
    seen: list[tuple[float, str]] = []
    with PROJECT_CSV.open("rb") as stream:
        transfer.do_import_asana(alice, project, stream, progress=lambda f, s: seen.append((f, s)))

    assert [stage for _f, stage in seen][-1] == "done"
    assert {"parse", "check", "write"} <= {stage for _f, stage in seen}
    fractions = [f for f, _s in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_large_file_imports_in_bulk(alice, project, django_assert_max_num_queries):
    rows = [
        {
            "Task ID": str(n),
            "Name": f"Task {n}",
            "Section/Column": f"Section {n % 5}",
            "Tags": f"t{n % 3}",
            "Parent task": "" if n % 10 == 0 else f"Task {n - n % 10}",
            "Blocked By (Dependencies)": str(n - 1) if n % 10 == 2 else "",
            "Due Date": "2024-05-01",
        }
        for n in range(2000)
    ]
    with django_assert_max_num_queries(100):
        report = import_text(alice, project, csv_text(*rows))

    assert report.ok, report.errors[:3]
    assert project.tasks.count() == 2000
    assert project.tasks.filter(parent__isnull=False).count() == 1800
    assert Dependency.objects.filter(task__project=project).count() == 200


# --- Export ------------------------------------------------------------------------------


def test_export_csv_has_asanas_columns_and_round_trips(alice, bob, team, project):
    import_file(alice, project)
    exported = "".join(transfer.export_csv_lines(project))
    rows = list(csv.DictReader(StringIO(exported)))
    # Asana's columns, then the custom fields the import made of the file's own columns.
    assert list(rows[0]) == [*transfer.COLUMNS, "Priority", "Estimated time"]
    assert len(rows) == 17
    web = next(row for row in rows if row["Name"] == "Migrate web tier")
    assert web["Blocked By (Dependencies)"] == tid(6)
    assert web["Blocking (Dependencies)"] == f"{tid(10)},{tid(12)}"
    assert web["Assignee Email"] == "bob@example.com"

    copy = make_project(name="Copy", team=team, owner=alice)
    report = import_text(alice, copy, exported)

    assert report.ok, report.errors
    assert snapshot(copy) == snapshot(project)
    assert field_snapshot(copy) == field_snapshot(project)


def field_snapshot(project: Project) -> list[tuple]:
    return sorted(
        (value.task.external_id, value.field.name, value.field.kind, value.text, value.number)
        for value in CustomFieldValue.objects.filter(task__project=project).select_related(
            "task", "field"
        )
    )


def snapshot(project: Project) -> list[tuple]:
    return sorted(
        (
            task.external_id,
            task.title,
            task.description,
            task.section.name if task.section else "",
            task.parent.title if task.parent else "",
            task.assignee_id,
            task.start_on,
            task.due_on,
            task.status,
            timezone.localdate(task.completed_at) if task.completed_at else None,
            tuple(sorted(tag.name for tag in task.tags.all())),
            tuple(sorted(b.external_id for b in task.blocked_by.all())),
        )
        for task in project.tasks.select_related("section", "parent")
    )


def test_export_tasks_made_in_workmate_uses_their_ids(alice, team, project):
    section = Section.objects.create(project=project, name="Now", position=1)
    parent = Task.objects.create(project=project, title="Parent", created_by=alice, section=section)
    child = Task.objects.create(project=project, title="Child", created_by=alice, parent=parent)
    Dependency.objects.create(task=child, blocked_by=parent)

    rows = list(csv.DictReader(StringIO("".join(transfer.export_csv_lines(project)))))

    by_name = {row["Name"]: row for row in rows}
    assert by_name["Parent"]["Task ID"] == str(parent.pk)
    assert by_name["Child"]["Parent task"] == "Parent"
    assert by_name["Child"]["Blocked By (Dependencies)"] == str(parent.pk)


def test_export_json_nests_subtasks(alice, bob, project):
    import_file(alice, project)

    data = json.loads(json.dumps(transfer.export_json(project)))

    assert data["project"]["name"] == "Migration"
    assert data["sections"] == ["계획 (Planning)", "Build", "Cutover"]
    assert len(data["tasks"]) == 11
    sow = next(task for task in data["tasks"] if task["title"] == "Write SOW draft")
    assert [sub["title"] for sub in sow["subtasks"]] == [
        "Review SOW with legal",
        "Send SOW to customer",
    ]
    assert sow["blocked_by"] == [tid(2)]
    assert sow["tags"] == ["docs"]


# --- The command -------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_asana", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_creates_the_project_and_imports(alice, bob, team):
    out, err = run_command(
        str(PROJECT_CSV), "--project", "ACME migration", "--team", "te", "--as", alice.email
    )

    project = Project.objects.get(name="ACME migration")
    assert project.team == team
    assert project.owner == alice
    assert project.tasks.count() == 17
    assert "17 rows: 17 created, 0 updated, 0 unchanged, 0 errors." in out
    assert "Unknown assignees (left unassigned): Dana Choi <dana@partner.example>" in out
    assert "100%" in err
    assert "\r[" in err


def test_command_reimports_into_an_existing_project(alice, bob, project):
    run_command(str(PROJECT_CSV), "--project", "Migration")

    out, _err = run_command(str(PROJECT_CSV), "--project", "Migration")

    assert "17 rows: 0 created, 0 updated, 17 unchanged, 0 errors." in out
    assert project.tasks.count() == 17
    # Without --as the project's owner imports.
    assert set(project.tasks.values_list("created_by", flat=True)) == {alice.pk}


def test_command_fails_on_bad_rows_and_writes_nothing(alice, team):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command(
            "import_asana",
            str(BAD_CSV),
            "--project",
            "New one",
            "--team",
            "TE",
            "--as",
            alice.email,
            stdout=out,
            stderr=err,
        )

    assert "line 7: Due Date 'next week' is not a date" in err.getvalue()
    assert "line 9: parent task 'Foo' not found" in err.getvalue()
    assert not Project.objects.filter(name="New one").exists()
    assert Task.objects.count() == 0


def test_command_needs_team_and_person_to_create_a_project(alice):
    with pytest.raises(CommandError, match="give --team and --as"):
        run_command(str(PROJECT_CSV), "--project", "Nowhere")
    with pytest.raises(CommandError, match="No such file"):
        run_command(str(FIXTURES / "missing.csv"), "--project", "Nowhere")
    with pytest.raises(CommandError, match="No team"):
        run_command(str(PROJECT_CSV), "--project", "Nowhere", "--team", "ZZ")


# --- Unknown assignees ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["Dana Choi <dana@partner.example>", "dana choi", "DANA@partner.example"]
)
def test_a_mapping_gives_unknown_assignees_a_person(alice, bob, project, key):
    with PROJECT_CSV.open("rb") as stream:
        report = transfer.do_import_asana(alice, project, stream, assignee_map={key: bob})

    assert report.ok
    assert report.unknown_assignees == []
    assert project.tasks.get(title="Landing zone design").assignee == bob


def test_command_assigns_unknown_people(alice, bob, project):
    out, _err = run_command(
        str(PROJECT_CSV), "--project", "Migration", "--assign", "Dana Choi=bob@example.com"
    )

    assert "Unknown assignees" not in out
    assert project.tasks.get(title="Landing zone design").assignee == bob


def test_command_refuses_a_bad_assign(alice, project):
    with pytest.raises(CommandError, match="NAME=EMAIL"):
        run_command(str(PROJECT_CSV), "--project", "Migration", "--assign", "Dana Choi")
    with pytest.raises(CommandError, match="Nobody active"):
        run_command(str(PROJECT_CSV), "--project", "Migration", "--assign", "Dana=x@y.z")
    assert project.tasks.count() == 0
