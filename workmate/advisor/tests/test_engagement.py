"""Starting the migration project: a Workmate project from a chosen template, one task
per wave of workloads (development before production), linked back to the assessment."""

from __future__ import annotations

import datetime

import pytest

from workmate.advisor.models import AssessmentEvent, EventKind, Readiness, Verdict
from workmate.advisor.tests.helpers_report import computed
from workmate.work.models import ProjectTemplate, Task, TemplateTask, TemplateUse

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(assessment):
    computed(assessment, "web-dev", environment="dev")
    computed(assessment, "web-prod", environment="prod")
    computed(assessment, "db01", verdict=Verdict.REPLATFORM)
    computed(assessment, "old01", verdict=Verdict.RETIRE)
    computed(assessment, "app02", override_verdict=Verdict.RETAIN, override_reason="Mainframe")
    computed(assessment, "tmpl", readiness=Readiness.EXCLUDED, is_template=True, verdict="")
    return assessment


@pytest.fixture
def template(le_team, architect):
    template = ProjectTemplate.objects.create(
        name="Migration playbook", team=le_team, author=architect
    )
    TemplateTask.objects.create(
        template=template, title="Kick-off with the customer", due_offset_days=2
    )
    return template


def test_project_from_template_with_a_task_per_wave_linked_back(
    client, architect, le_team, template, inventory
):
    client.force_login(architect)
    response = client.post(
        f"/advisor/{inventory.pk}/project/",
        {"name": "Hanbit migration", "team": le_team.pk, "template": template.pk,
         "start_on": "2026-12-07"},
    )  # fmt: skip
    inventory.refresh_from_db()
    project = inventory.project
    assert project is not None and project.name == "Hanbit migration"
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert TemplateUse.objects.filter(template=template, project=project).exists()
    titles = list(
        Task.objects.filter(project=project).order_by("pk").values_list("title", flat=True)
    )
    assert titles == [
        "Kick-off with the customer",
        "Wave 1 · Retire: confirm with the owners and switch off (1)",
        "Wave 2 · Rehost: development workloads (1)",
        "Wave 3 · Rehost: production workloads (1)",
        "Wave 4 · Replatform: move the databases to managed services (1)",
        "Wave 5 · Retain: document what stays on premises (1)",
    ]
    wave = Task.objects.get(project=project, title__startswith="Wave 2")
    assert "- web-dev (m7i.large → ap-northeast-2)" in wave.description
    assert f"/advisor/{inventory.pk}/" in wave.description
    assert wave.due_on == datetime.date(2026, 12, 7) + datetime.timedelta(days=28)
    assert f"/advisor/{inventory.pk}/" in project.description
    assert "tmpl" not in "".join(
        Task.objects.filter(project=project).values_list("description", flat=True)
    )
    event = AssessmentEvent.objects.get(assessment=inventory, kind=EventKind.PROJECT_STARTED)
    assert event.data == {"project": project.pk, "waves": 5}
    # The report links to the project; starting again only leads there.
    assert (
        project.get_absolute_url()
        in client.get(f"/advisor/{inventory.pk}/report/").content.decode()
    )
    again = client.post(
        f"/advisor/{inventory.pk}/project/",
        {"name": "Twice", "team": le_team.pk, "start_on": "2026-12-07"},
    )
    assert again["Location"] == project.get_absolute_url()
    assert not Task.objects.filter(project__name="Twice").exists()


def test_without_template_only_the_waves(client, architect, le_team, inventory):
    client.force_login(architect)
    client.post(
        f"/advisor/{inventory.pk}/project/",
        {"name": "Plain", "team": le_team.pk, "template": "", "start_on": "2026-12-07"},
    )
    inventory.refresh_from_db()
    assert inventory.project.tasks.count() == 5


def test_a_team_the_architect_is_not_in_is_refused(client, architect, inventory, team):
    client.force_login(architect)
    response = client.post(
        f"/advisor/{inventory.pk}/project/",
        {"name": "Elsewhere", "team": team.pk, "start_on": "2026-12-07"},
    )
    assert response.status_code == 400
    inventory.refresh_from_db()
    assert inventory.project is None


def test_a_template_of_another_team_is_reused(client, architect, le_team, inventory, team, alice):
    # Every team's templates are for the whole division: reuse across teams is counted.
    foreign = ProjectTemplate.objects.create(name="TE only", team=team, author=alice)
    client.force_login(architect)
    response = client.post(
        f"/advisor/{inventory.pk}/project/",
        {"name": "X", "team": le_team.pk, "template": foreign.pk, "start_on": "2026-12-07"},
    )
    assert response.status_code == 302
    inventory.refresh_from_db()
    use = TemplateUse.objects.get(template=foreign)
    assert (use.project, use.by_outsider) == (inventory.project, True)


def test_empty_assessment_says_there_is_nothing_to_migrate(client, architect, le_team, assessment):
    client.force_login(architect)
    response = client.post(
        f"/advisor/{assessment.pk}/project/",
        {"name": "Empty", "team": le_team.pk, "start_on": "2026-12-07"},
    )
    assert response.status_code == 400
    assert "no workloads to migrate" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.project is None


def test_readers_cannot_start_the_project(client, charlie, alice, inventory):
    # Every colleague reads the advisor; only LE architects and the assessment's own change it.
    for reader in (charlie, alice):
        client.force_login(reader)
        assert client.get(f"/advisor/{inventory.pk}/project/").status_code == 403
    inventory.refresh_from_db()
    assert inventory.project is None


def test_service_refuses_a_template_the_architect_may_not_use(inventory, team, alice, le_team):
    from django.core.exceptions import PermissionDenied

    from workmate.advisor import engagement
    from workmate.testing.factories import make_user

    # The assessment's own architect may change it even outside every team, but sees
    # only the templates they wrote.
    outside = make_user()
    inventory.architect = outside
    inventory.save(update_fields=["architect"])
    foreign = ProjectTemplate.objects.create(name="TE only", team=team, author=alice)
    with pytest.raises(PermissionDenied):
        engagement.do_start_migration_project(
            outside, inventory, name="X", team=le_team,
            start_on=datetime.date(2026, 12, 7), template=foreign,
        )  # fmt: skip
    inventory.refresh_from_db()
    assert inventory.project is None
