"""Template versions: each use records its version; adoption by team, over time, outsiders apart."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_project, make_team, make_user
from workmate.work import services, templating
from workmate.work.models import ProjectTemplateVersion, TemplateUse
from workmate.work.signals import project_template_used

D = datetime.date


@pytest.fixture
def project(team, alice):
    project = make_project(name="Landing zone", team=team, owner=alice)
    services.do_create_task(alice, project, title="Set up accounts", due_on=D(2026, 3, 2))
    return project


@pytest.fixture
def saved(project, alice):
    return templating.do_save_as_template(alice, project, name="Landing zone")


@pytest.fixture
def other_team(db):
    return make_team(code="SE", name="Service Engineering")


@pytest.fixture
def dana(other_team):
    """A member of another team: her reuse is counted apart."""
    person = make_user(full_name="Dana Choi")
    add_member(other_team, person)
    return person


def test_saving_keeps_version_one_with_a_snapshot(saved, alice):
    version = saved.versions.get()

    assert (saved.version, version.number, version.author) == (1, 1, alice)
    assert [task["title"] for task in version.content["tasks"]] == ["Set up accounts"]


def test_a_new_version_replaces_the_content_and_keeps_the_old_snapshot(saved, project, alice):
    services.do_create_task(alice, project, title="Tag resources")

    version = templating.do_save_new_version(alice, saved, project, note="Tagging added")

    saved.refresh_from_db()
    assert (saved.version, version.number, version.note) == (2, 2, "Tagging added")
    assert sorted(saved.tasks.values_list("title", flat=True)) == [
        "Set up accounts",
        "Tag resources",
    ]
    first = saved.versions.get(number=1)
    assert [task["title"] for task in first.content["tasks"]] == ["Set up accounts"]


def test_only_the_author_or_a_lead_saves_a_version(saved, project, bob, dana):
    for person in (bob, dana):
        with pytest.raises(PermissionDenied):
            templating.do_save_new_version(person, saved, project)
    saved.refresh_from_db()
    assert saved.version == 1
    assert ProjectTemplateVersion.objects.count() == 1


def test_a_version_from_an_empty_project_is_refused(saved, team, alice):
    empty = make_project(team=team, owner=alice)

    with pytest.raises(ValidationError):
        templating.do_save_new_version(alice, saved, empty)
    saved.refresh_from_db()
    assert (saved.version, saved.tasks.count()) == (1, 1)


def test_every_project_made_from_it_records_the_version(saved, project, team, alice, bob):
    first = templating.do_use_template(bob, saved, name="A", start_on=D(2026, 3, 2), team=team)
    templating.do_save_new_version(alice, saved, project)
    second = templating.do_use_template(bob, saved, name="B", start_on=D(2026, 3, 2), team=team)

    versions = dict(TemplateUse.objects.values_list("project__name", "version"))
    assert versions == {first.name: 1, second.name: 2}


def test_use_sends_project_template_used_inside_the_transaction(saved, team, bob):
    received = []

    def receiver(sender, instance, actor, project, version, **kwargs):
        received.append((sender, instance.pk, actor, project.name, version))

    project_template_used.connect(receiver)
    try:
        templating.do_use_template(bob, saved, name="Copy", start_on=D(2026, 3, 2), team=team)
    finally:
        project_template_used.disconnect(receiver)

    assert received == [(type(saved), saved.pk, bob, "Copy", 1)]


def test_reuse_outside_the_authors_team_is_counted_apart(saved, team, other_team, bob, dana):
    templating.do_use_template(bob, saved, name="Ours", start_on=D(2026, 3, 2), team=team)
    templating.do_use_template(dana, saved, name="Theirs", start_on=D(2026, 3, 2), team=other_team)

    uses = {use.used_by: use for use in TemplateUse.objects.all()}
    assert (uses[bob].by_outsider, uses[dana].by_outsider) == (False, True)
    assert (uses[bob].team, uses[dana].team) == (team, other_team)
    listed = templating.templates_for(dana).get(pk=saved.pk)
    assert (listed.use_count, listed.outside_count) == (2, 1)


def test_adoption_by_team_over_time_and_older_versions(
    saved, project, team, other_team, alice, bob, dana
):
    with time_machine.travel(datetime.datetime(2026, 1, 15, 3, tzinfo=datetime.UTC)):
        templating.do_use_template(bob, saved, name="Jan", start_on=D(2026, 1, 19), team=team)
    templating.do_save_new_version(alice, saved, project)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 3, tzinfo=datetime.UTC)):
        templating.do_use_template(
            dana, saved, name="Mar", start_on=D(2026, 3, 16), team=other_team
        )
        templating.do_use_template(bob, saved, name="Mar2", start_on=D(2026, 3, 16), team=team)
        saved.refresh_from_db()
        result = templating.adoption(saved, alice)

    assert (result["total"], result["outside"], result["older"]) == (3, 1, 1)
    assert [(row["team"].code, row["count"], row["outside"]) for row in result["teams"]] == [
        ("TE", 2, 0),
        ("SE", 1, 1),
    ]
    by_month = {bar["month"]: bar["count"] for bar in result["bars"]}
    assert (by_month[D(2026, 1, 1)], by_month[D(2026, 2, 1)], by_month[D(2026, 3, 1)]) == (1, 0, 2)
    assert len(result["bars"]) == 12
    assert [use.project.name for use in result["uses"] if use.is_older] == ["Jan"]


def test_the_division_sees_every_teams_templates_an_outsider_none(saved, dana, charlie):
    assert list(templating.templates_for(dana)) == [saved]
    assert not templating.templates_for(charlie).exists()


# --- The template's page -----------------------------------------------------------------


def test_template_page_shows_adoption_and_hides_private_project_names(
    client, saved, team, other_team, alice, dana
):
    theirs = templating.do_use_template(
        dana, saved, name="Dana's secret", start_on=D(2026, 3, 2), team=other_team
    )
    theirs.visibility = "private"
    theirs.save(update_fields=["visibility"])
    client.force_login(alice)

    page = client.get(reverse("work:template", args=[saved.pk])).content.decode()

    assert "<svg" in page and "adoption-chart" in page
    assert "data-outside>1<" in page
    assert 'data-team="SE"' in page
    assert "Dana&#x27;s secret" not in page and "Dana's secret" not in page
    assert "A project you cannot see" in page


def test_template_page_query_count_is_flat(client, saved, team, bob, django_assert_num_queries):
    for number in range(5):
        templating.do_use_template(bob, saved, name=f"P{number}", start_on=D(2026, 3, 2), team=team)
    client.force_login(bob)
    url = reverse("work:template", args=[saved.pk])
    client.get(url)

    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_template_page_outsider_gets_404(client, saved, charlie):
    client.force_login(charlie)

    assert client.get(reverse("work:template", args=[saved.pk])).status_code == 404


def test_new_version_page_saves_and_refuses_a_member(client, saved, project, alice, bob):
    url = reverse("work:template_version", args=[saved.pk])
    client.force_login(bob)
    assert client.post(url, {"project": project.pk}).status_code == 403

    client.force_login(alice)
    response = client.post(url, {"project": project.pk, "note": "Cleaner"})

    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.version == 2
    assert saved.versions.get(number=2).note == "Cleaner"


def test_a_lead_of_the_team_may_version_a_lead_elsewhere_may_not(saved, team, other_team):
    lead = make_user()
    add_member(team, lead, TeamRole.LEAD)
    elsewhere = make_user()
    add_member(other_team, elsewhere, TeamRole.LEAD)

    assert templating.can_version(lead, saved)
    assert not templating.can_version(elsewhere, saved)
