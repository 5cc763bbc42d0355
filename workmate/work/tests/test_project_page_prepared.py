"""The project page from prepared SQL: the same bytes as the querysets it replaced, the
viewer's rights read with the project, never stale and never someone else's rows."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.models import Membership, TeamRole
from workmate.testing.factories import add_member, make_project, make_task, make_team, make_user
from workmate.work import fields, services
from workmate.work.forms import people_choices
from workmate.work.models import (
    CustomField,
    FieldKind,
    ProjectMember,
    ProjectRole,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
)
from workmate.work.views import projects as project_views

# The CSRF token is masked anew on each render (the form fields and htmx's headers).
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def url(project) -> str:
    return reverse("work:project", args=[project.pk])


def page(client, project, **params) -> str:
    response = client.get(url(project), params)
    assert response.status_code == 200
    return CSRF.sub(r"\1csrf", response.content.decode())


def listed(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def _orm_reads(monkeypatch) -> None:
    """The page's reads as they were before prepared SQL: the querysets themselves."""

    def get_project_and_rights(user, pk):
        project = services.get_project_for_user(user, pk)
        rights = services.ProjectRights(
            can_edit=services.can_edit_project(user, project),
            can_manage=services.can_manage_project(user, project),
        )
        return project, rights

    def top_level(project):
        return project_views._listed_tasks(project).filter(parent=None)

    monkeypatch.setattr(services, "get_project_and_rights", get_project_and_rights)
    monkeypatch.setattr(project_views, "_custom_fields", lambda p: list(p.custom_fields.all()))
    monkeypatch.setattr(project_views, "_sections", lambda p: list(p.sections.all()))
    monkeypatch.setattr(project_views, "_people", people_choices)
    monkeypatch.setattr(
        project_views,
        "_tags",
        lambda p: list(Tag.objects.filter(tasks__project=p).distinct()),
    )
    monkeypatch.setattr(project_views, "_TopLevel", top_level)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("visibility", [Visibility.TEAM, Visibility.PRIVATE, Visibility.ORG])
def test_the_page_is_byte_for_byte_what_the_querysets_gave(
    client, monkeypatch, team, alice, bob, language, visibility
):
    # Rows of every kind: sections, subtasks, due dates and times, done, assigned, tagged,
    # custom field values, text to escape; the viewer reads it in both languages.
    project = make_project(
        name="Mig <b>&", team=team, owner=alice, visibility=visibility, icon="🚀"
    )
    ProjectMember.objects.create(project=project, user=bob, role=ProjectRole.EDITOR)
    later = Section.objects.create(project=project, name="Later <i>", position=2)
    Section.objects.create(project=project, name="Empty", position=1)
    hours = CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER)
    env = CustomField.objects.create(
        project=project, name="Env", kind=FieldKind.SINGLE_SELECT, options=["Prod", "Dev"]
    )
    urgent = Tag.objects.create(name="urgent")
    due = timezone.now() + datetime.timedelta(days=1)
    for number in range(12):
        task = make_task(
            project=project,
            title=f"Task {number} <&>",
            section=later if number % 2 else None,
            assignee=bob if number % 3 else None,
            status=TaskStatus.DONE if number % 4 == 0 else TaskStatus.OPEN,
            completed_at=timezone.now() if number % 4 == 0 else None,
            due_on=due.date() if number % 5 else None,
            due_at=due if number % 5 == 1 else None,
        )
        if number % 3 == 0:
            make_task(project=project, parent=task, title=f"Sub {number}")
            task.tags.add(urgent)
        if number % 2 == 0:
            fields.do_set_value(alice, task, hours, str(number))
            fields.do_set_value(alice, task, env, "Prod")
    bob.language = language
    bob.save(update_fields=["language"])
    client.force_login(bob)

    prepared = page(client, project)
    with monkeypatch.context() as patched:
        _orm_reads(patched)
        from_querysets = page(client, project)

    assert prepared == from_querysets
    assert len(listed(prepared)) == 12 and 'name="tasks"' in prepared


def test_each_page_of_a_long_list_is_the_querysets_page(client, monkeypatch, project, bob):
    titles = [f"Task {number:03}" for number in range(project_views.TASKS_PAGE_SIZE + 7)]
    Task.objects.bulk_create(
        [
            Task(project=project, title=title, position=number, created_by=bob)
            for number, title in enumerate(titles)
        ]
    )
    client.force_login(bob)

    first, second = page(client, project), page(client, project, page=2)
    past_the_end = page(client, project, page=99)
    with monkeypatch.context() as patched:
        _orm_reads(patched)
        assert page(client, project) == first
        assert page(client, project, page=2) == second
        assert page(client, project, page=99) == past_the_end

    assert listed(first) == titles[: project_views.TASKS_PAGE_SIZE]
    assert listed(second) == titles[project_views.TASKS_PAGE_SIZE :]


def test_an_empty_project_counts_no_tasks(project):
    listing = Paginator(project_views._TopLevel(project), project_views.TASKS_PAGE_SIZE)

    assert listing.count == 0 and list(listing.get_page(1)) == []


def test_rights_from_the_project_query_are_the_rules_own(team, alice):
    # Every shape of viewer: owner, project editor or viewer or neither, team lead or
    # member or neither; on projects of each visibility, archived or not.
    other_team = make_team()
    cases = []
    for visibility, archived in itertools.product(Visibility.values, [False, True]):
        project = make_project(team=team, owner=alice, visibility=visibility)
        if archived:
            project.archived_at = timezone.now()
            project.save(update_fields=["archived_at"])
        for role, team_role in itertools.product(
            [None, ProjectRole.EDITOR, ProjectRole.VIEWER], [None, *TeamRole.values]
        ):
            person = make_user()
            add_member(other_team, person)
            if team_role:
                add_member(team, person, team_role)
            if role:
                ProjectMember.objects.create(project=project, user=person, role=role)
            cases.append((project, person))
        cases.append((project, alice))

    for project, person in cases:
        try:
            expected = services.get_project_for_user(person, project.pk)
        except Http404:
            with pytest.raises(Http404):
                services.get_project_and_rights(person, project.pk)
            continue
        found, rights = services.get_project_and_rights(person, project.pk)
        assert found.pk == expected.pk and found.name == expected.name
        assert found.team.code == expected.team.code
        assert found.owner.full_name == expected.owner.full_name
        assert rights.can_edit == services.can_edit_project(person, expected), (project, person)
        assert rights.can_manage == services.can_manage_project(person, expected)


def test_two_viewers_each_see_their_own_rights(client, project, alice, bob, charlie):
    org = make_project(team=project.team, owner=alice, visibility=Visibility.ORG)
    client.force_login(bob)
    assert 'id="add-task-form"' in page(client, project)
    assert 'id="add-task-form"' in page(client, org)

    client.force_login(charlie)
    assert 'id="add-task-form"' not in page(client, org)
    assert client.get(url(project)).status_code == 404

    client.force_login(bob)
    assert 'id="add-task-form"' in page(client, org)


def test_a_role_change_is_read_on_the_next_view(client, project, bob):
    client.force_login(bob)
    assert 'id="bulk-form"' in page(client, project)

    made_viewer = ProjectMember.objects.create(project=project, user=bob, role=ProjectRole.VIEWER)
    html = page(client, project)
    assert 'id="bulk-form"' not in html and 'id="add-task-form"' not in html

    made_viewer.role = ProjectRole.EDITOR
    made_viewer.save(update_fields=["role"])
    assert 'id="bulk-form"' in page(client, project)


def test_a_member_removed_gets_404_on_the_next_view(client, team, alice, charlie):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    make_task(project=private, title="Secret plan")
    member = ProjectMember.objects.create(project=private, user=charlie, role=ProjectRole.VIEWER)
    client.force_login(charlie)
    html = page(client, private)
    assert listed(html) == ["Secret plan"] and 'name="tasks"' not in html

    member.delete()
    assert client.get(url(private)).status_code == 404


def test_a_team_member_who_leaves_the_team_loses_the_page(client, project, bob):
    client.force_login(bob)
    page(client, project)

    Membership.objects.filter(team=project.team, user=bob).delete()
    assert client.get(url(project)).status_code == 404


def test_tasks_edited_and_moved_are_read_fresh(client, team, project, alice, bob):
    other = make_project(name="Other", team=team, owner=alice)
    section = Section.objects.create(project=project, name="Doing")
    stays = make_task(project=project, title="Stays")
    leaves = make_task(project=project, title="Leaves")
    make_task(project=other, title="Elsewhere")
    client.force_login(bob)
    assert listed(page(client, project)) == ["Stays", "Leaves"]
    assert listed(page(client, other)) == ["Elsewhere"]

    stays.title = "Renamed"
    stays.section = section
    stays.save(update_fields=["title", "section"])
    leaves.project = other
    leaves.save(update_fields=["project"])
    html = page(client, project)

    assert listed(html) == ["Renamed"]
    assert f'data-task="{stays.pk}"' in html.split(f'data-section="{section.pk}"')[1]
    assert sorted(listed(page(client, other))) == ["Elsewhere", "Leaves"]


def test_people_and_sections_added_are_offered_on_the_next_view(client, project, bob):
    client.force_login(bob)
    assert "Dana New" not in page(client, project)

    Section.objects.create(project=project, name="Review")
    add_member(project.team, make_user(full_name="Dana New"))
    html = page(client, project)

    assert html.count(">Dana New</option>") == 3  # quick add, bulk bar, filter bar
    assert ">Review</option>" in html


# The loop `{% project_sections %}` replaced in `_project_tasks.html`, kept here to compare.
SECTIONS_TEMPLATE = """{% load i18n work_rows %}{% for group in listing.groups %}
<section class="card task-section" data-section="{{ group.section.pk|default:'none' }}">
  <h2>{% if group.section %}{{ group.section.name }}{% else %}{% translate "No section" %}{% endif %} <span class="count">{{ group.tasks|length }}</span></h2>
  {% if group.tasks %}
  <div class="table-wrap">
  <table class="task-table">
    <thead><tr>
      {% if can_edit %}<th scope="col" class="pick"><span class="visually-hidden">{% translate "Select" %}</span></th>{% endif %}
      <th scope="col">{% translate "Task" %}</th>
      <th scope="col">{% translate "Assignee" %}</th>
      <th scope="col">{% translate "Due" %}</th>
      <th scope="col">{% translate "Status" %}</th>
      {% for field in listing.custom %}<th scope="col" class="field-cell">{{ field.name }}</th>{% endfor %}
      {% if can_edit %}<th scope="col"><span class="visually-hidden">{% translate "Edit" %}</span></th>{% endif %}
    </tr></thead>
    <tbody>
    {% project_rows group.tasks %}
    </tbody>
  </table>
  </div>
  {% else %}
  <p class="muted">{% translate "No tasks here yet." %}</p>
  {% endif %}
</section>
{% empty %}
<p class="card muted" id="no-matches">{% translate "No tasks match these filters." %}</p>
{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_sections_are_written_as_the_template_loop_wrote_them(rf, project, bob, language):
    from django.template import Context, Template
    from django.utils import translation

    hours = CustomField.objects.create(project=project, name="Hours & <min>", kind="number")
    section = Section.objects.create(project=project, name="Doing <b>", position=1)
    Section.objects.create(project=project, name="Empty", position=2)
    make_task(project=project, title="Loose", assignee=bob)
    task = make_task(
        project=project,
        title="Placed <&>",
        section=section,
        status=TaskStatus.DONE,
        completed_at=timezone.now(),
    )
    fields.do_set_value(bob, task, hours, "3")
    request = rf.get(url(project))
    request.user = bob
    loop = Template(SECTIONS_TEMPLATE)
    tag = Template("{% load work_rows %}{% project_sections listing %}")
    with translation.override(language):
        for can_edit, params in itertools.product([True, False], [{}, {"q": "Placed"}, {"q": "x"}]):
            rights = services.ProjectRights(can_edit=can_edit, can_manage=False)
            query = request.GET.copy()
            query.update(params)
            listing = project_views._project_list(request, project, query, rights)
            context = {"listing": listing, "can_edit": can_edit}

            written = tag.render(Context(context))

            assert written == loop.render(Context(context))
            assert ("no-matches" in written) == (params == {"q": "x"})
