"""Templates as a service: saving a project, creating a project from it, applying checklists."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.accounts.models import CompanyDayOff, TeamRole
from workmate.testing.factories import add_member, make_project, make_team, make_user
from workmate.work import services, templating
from workmate.work.models import (
    AssigneeRole,
    Priority,
    Project,
    ProjectTemplate,
    Task,
    TemplateTask,
    TemplateUse,
)

D = datetime.date


@pytest.fixture
def project(team, alice, bob):
    """Bob owns the project; Alice leads its team."""
    return make_project(name="Customer onboarding", team=team, owner=bob)


@pytest.fixture
def onboarding(project, alice, bob, charlie):
    """Two sections, a task tree three levels deep, dates from Mon 3 Nov 2025."""
    kickoff = services.do_create_section(bob, project, name="Kick-off")
    handover = services.do_create_section(bob, project, name="Handover")

    def task(title, **fields):
        return services.do_create_task(bob, project, title=title, **fields)

    meeting = task(
        "Kick-off meeting",
        section=kickoff,
        start_on=D(2025, 11, 3),
        due_on=D(2025, 11, 4),
        priority=Priority.HIGH,
    )
    Task.objects.filter(pk=meeting.pk).update(assignee=bob)
    agenda = task("Write the agenda", section=kickoff, parent=meeting, due_on=D(2025, 11, 3))
    Task.objects.filter(pk=agenda.pk).update(assignee=alice)
    rooms = task("Book a room", section=kickoff, parent=agenda)
    Task.objects.filter(pk=rooms.pk).update(assignee=charlie)
    task("Hand over runbooks", section=handover, due_on=D(2025, 11, 14))
    return project


def test_save_copies_sections_tasks_and_subtasks_at_any_depth(onboarding, bob):
    template = templating.do_save_as_template(bob, onboarding, name="Onboarding")

    assert [s.name for s in template.sections.all()] == ["Kick-off", "Handover"]
    tasks = {t.title: t for t in template.tasks.select_related("parent", "section")}
    assert set(tasks) == {
        "Kick-off meeting",
        "Write the agenda",
        "Book a room",
        "Hand over runbooks",
    }
    assert tasks["Write the agenda"].parent == tasks["Kick-off meeting"]
    assert tasks["Book a room"].parent == tasks["Write the agenda"]
    assert tasks["Hand over runbooks"].section.name == "Handover"
    assert tasks["Kick-off meeting"].priority == Priority.HIGH
    assert (template.author, template.team, template.source_project) == (
        bob,
        onboarding.team,
        onboarding,
    )


def test_save_makes_dates_relative_to_the_earliest_date(onboarding, bob):
    template = templating.do_save_as_template(bob, onboarding, name="Onboarding")

    offsets = {t.title: (t.start_offset_days, t.due_offset_days) for t in template.tasks.all()}
    assert offsets == {
        "Kick-off meeting": (0, 1),
        "Write the agenda": (None, 0),
        "Book a room": (None, None),
        "Hand over runbooks": (None, 11),
    }


def test_save_with_a_chosen_anchor(onboarding, bob):
    template = templating.do_save_as_template(
        bob, onboarding, name="Onboarding", anchor=D(2025, 11, 1)
    )

    assert template.tasks.get(title="Kick-off meeting").due_offset_days == 3


def test_save_turns_assignees_into_roles(onboarding, bob):
    template = templating.do_save_as_template(bob, onboarding, name="Onboarding")

    roles = {t.title: t.assignee_role for t in template.tasks.all()}
    assert roles == {
        "Kick-off meeting": AssigneeRole.OWNER,  # Bob owns the project
        "Write the agenda": AssigneeRole.LEAD,  # Alice leads the team
        "Book a room": AssigneeRole.NONE,  # Charlie is neither
        "Hand over runbooks": AssigneeRole.NONE,
    }


def test_only_editors_save_templates(onboarding, charlie):
    with pytest.raises(PermissionDenied):
        templating.do_save_as_template(charlie, onboarding, name="Mine now")

    assert not ProjectTemplate.objects.exists()


def test_an_empty_project_is_refused(team, alice):
    empty = make_project(team=team, owner=alice)

    with pytest.raises(ValidationError):
        templating.do_save_as_template(alice, empty, name="Nothing")

    assert not ProjectTemplate.objects.exists()


@pytest.fixture
def saved(onboarding, bob):
    return templating.do_save_as_template(bob, onboarding, name="Onboarding")


def test_use_creates_the_project_with_everything(saved, team, bob):
    project = templating.do_use_template(
        bob, saved, name="Onboarding Hanbit", start_on=D(2026, 3, 9), team=team
    )

    assert (project.name, project.team, project.owner) == ("Onboarding Hanbit", team, bob)
    assert [s.name for s in project.sections.all()] == ["Kick-off", "Handover"]
    tasks = {t.title: t for t in project.tasks.select_related("parent", "section")}
    assert tasks["Book a room"].parent == tasks["Write the agenda"]
    assert tasks["Write the agenda"].parent == tasks["Kick-off meeting"]
    assert tasks["Write the agenda"].section.name == "Kick-off"
    assert tasks["Hand over runbooks"].section.name == "Handover"
    assert tasks["Kick-off meeting"].priority == Priority.HIGH


def test_use_sets_dates_from_the_start_and_skips_days_off(saved, team, bob):
    CompanyDayOff.objects.create(date=D(2026, 3, 20), name="Foundation day")

    project = templating.do_use_template(
        bob, saved, name="Onboarding Hanbit", start_on=D(2026, 3, 9), team=team
    )

    dates = {t.title: (t.start_on, t.due_on) for t in project.tasks.all()}
    assert dates == {
        "Kick-off meeting": (D(2026, 3, 9), D(2026, 3, 10)),
        "Write the agenda": (None, D(2026, 3, 9)),
        "Book a room": (None, None),
        # Start + 11 is Friday 20 March, a company day off: Monday 23 March instead.
        "Hand over runbooks": (None, D(2026, 3, 23)),
    }


def test_use_moves_a_due_date_off_a_public_holiday(saved, team, bob):
    # Start on Wednesday 24 Sept 2025: + 11 days is Sunday 5 Oct, in Chuseok (to 9 Oct).
    project = templating.do_use_template(
        bob, saved, name="Autumn", start_on=D(2025, 9, 24), team=team
    )

    assert project.tasks.get(title="Hand over runbooks").due_on == D(2025, 10, 10)


def test_use_assigns_by_role(saved, team, alice, bob):
    newcomer = make_user(full_name="Dana Noor")
    add_member(team, newcomer)

    project = templating.do_use_template(
        newcomer, saved, name="Dana's onboarding", start_on=D(2026, 3, 9), team=team
    )

    people = {t.title: t.assignee for t in project.tasks.select_related("assignee")}
    assert people == {
        "Kick-off meeting": newcomer,  # the owner of the new project
        "Write the agenda": alice,  # the team's lead
        "Book a room": None,
        "Hand over runbooks": None,
    }


def test_use_records_who_used_it(saved, team, alice):
    project = templating.do_use_template(
        alice, saved, name="Again", start_on=D(2026, 3, 9), team=team
    )

    use = TemplateUse.objects.get()
    assert (use.template, use.used_by, use.project) == (saved, alice, project)
    listed = templating.templates_for(alice).get(pk=saved.pk)
    assert (listed.use_count, listed.last_used_by) == (1, "Alice Kim")


def test_use_for_a_team_one_is_not_in_is_refused(saved, bob):
    other = make_team()

    with pytest.raises(PermissionDenied):
        templating.do_use_template(bob, saved, name="Theirs", start_on=D(2026, 3, 9), team=other)

    assert Project.objects.count() == 1
    assert not TemplateUse.objects.exists()


def test_an_outsider_cannot_see_the_teams_templates(saved, charlie):
    assert not templating.templates_for(charlie).exists()


# --- Checklists ------------------------------------------------------------------------------


@pytest.fixture
def checklist(team, alice):
    template = ProjectTemplate.objects.create(
        name="Change review", team=team, author=alice, is_checklist=True
    )
    review = TemplateTask.objects.create(
        template=template, title="Peer review", due_offset_days=2, position=1
    )
    TemplateTask.objects.create(
        template=template,
        parent=review,
        title="Check the rollback",
        assignee_role=AssigneeRole.LEAD,
        position=1,
    )
    TemplateTask.objects.create(
        template=template,
        title="Tell the customer",
        assignee_role=AssigneeRole.CREATOR,
        position=2,
    )
    return template


def test_a_checklist_becomes_subtasks_of_the_task(checklist, project, alice, bob):
    task = services.do_create_task(bob, project, title="Patch the firewall", start_on=D(2026, 3, 5))

    created = templating.do_apply_checklist(bob, checklist, task)

    assert len(created) == 3
    rows = {t.title: t for t in Task.objects.filter(pk__in=[t.pk for t in created])}
    assert rows["Peer review"].parent == task
    assert rows["Tell the customer"].parent == task
    assert rows["Check the rollback"].parent == rows["Peer review"]
    # Thursday 5 March + 2 is a Saturday: Monday 9 March.
    assert rows["Peer review"].due_on == D(2026, 3, 9)
    assert rows["Check the rollback"].assignee == alice
    assert rows["Tell the customer"].assignee == bob
    use = TemplateUse.objects.get()
    assert (use.task, use.used_by, use.project) == (task, bob, None)


def test_a_project_template_is_not_a_checklist(saved, onboarding, bob):
    task = onboarding.tasks.get(title="Hand over runbooks")

    with pytest.raises(ValidationError):
        templating.do_apply_checklist(bob, saved, task)

    assert not TemplateUse.objects.exists()


def test_a_checklist_is_not_used_for_a_project(checklist, team, alice):
    with pytest.raises(ValidationError):
        templating.do_use_template(alice, checklist, name="No", start_on=D(2026, 3, 9), team=team)

    assert not Project.objects.filter(name="No").exists()


def test_saving_a_checklist_drops_sections(onboarding, bob):
    template = templating.do_save_as_template(bob, onboarding, name="Runbook", is_checklist=True)

    assert template.is_checklist
    assert not template.sections.exists()
    assert template.tasks.count() == 4
    assert not template.tasks.filter(section__isnull=False).exists()


def test_a_lead_of_another_team_is_not_a_lead_role(onboarding, bob):
    """Leading some other team does not make one this team's lead."""
    elsewhere = make_team()
    outsider_lead = make_user()
    add_member(elsewhere, outsider_lead, TeamRole.LEAD)
    task = onboarding.tasks.get(title="Hand over runbooks")
    Task.objects.filter(pk=task.pk).update(assignee=outsider_lead)

    template = templating.do_save_as_template(bob, onboarding, name="Onboarding")

    assert template.tasks.get(title="Hand over runbooks").assignee_role == AssigneeRole.NONE
