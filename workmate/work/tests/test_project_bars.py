"""The project page's heading and bars in Python (`work/templatetags/project_bars.py`):
byte for byte what the templates they replaced rendered.

`former_bars/` holds those templates verbatim as they were before (project.html, and the
list fragment, filter bar, bulk bar and links it included). Each test renders a page through the
view, then renders the former template with the very context and request the view used,
and compares the bytes (CSRF tokens masked: they are masked anew on each render). The
shared fragments the former templates include (availability picker, request box, urgent
box, form errors) are the live files, so a change to them that the Python does not follow
fails here too.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from workmate.testing.factories import add_member, make_project, make_task, make_user
from workmate.work import fields
from workmate.work.models import (
    CustomField,
    FieldKind,
    ProjectMember,
    ProjectRole,
    Section,
    Tag,
    TaskStatus,
    Visibility,
)
from workmate.work.templatetags import project_bars
from workmate.work.views import projects as project_views

FORMER = Path(__file__).parent / "former_bars"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def _former(name: str) -> str:
    return (FORMER / name).read_text()


def former_templates() -> dict[str, str]:
    """The former page and list fragment, their includes of the two bars put in place."""
    bulk, filters = _former("_project_bulk.tmpl"), _former("_project_filters.tmpl")
    tasks = _former("_project_tasks.tmpl").replace(
        '{% include "work/partials/_project_bulk.html" %}', bulk
    )
    page = _former("project.tmpl")
    for name in ("_project_transfer_links", "_project_template_link"):
        page = page.replace(f'{{% include "work/partials/{name}.html" %}}', _former(f"{name}.tmpl"))
    page = page.replace('{% include "work/partials/_project_filters.html" %}', filters).replace(
        '{% include "work/partials/_project_tasks.html" %}', tasks
    )
    return {"work/project.html": page, "work/partials/_project_tasks.html": tasks}


@pytest.fixture
def compare(monkeypatch):
    """Call the view through the client; returns (new bytes, former bytes) of its page."""
    seen = []
    real = project_views.render

    def spy(request, template_name, context=None, *args, **kwargs):
        seen.append((request, template_name, dict(context)))
        return real(request, template_name, context, *args, **kwargs)

    monkeypatch.setattr(project_views, "render", spy)
    former = former_templates()

    def run(response) -> tuple[str, str]:
        request, template_name, context = seen.pop()
        old = engines["django"].from_string(former[template_name]).render(context, request)
        new = response.content.decode()
        assert new.count("<form") >= 1
        return CSRF.sub(r"\1csrf", new), CSRF.sub(r"\1csrf", old)

    return run


@pytest.fixture
def project(team, alice, bob):
    """A project with text to escape everywhere: its name, sections, people, tags and
    custom fields of each kind, and enough tasks for two pages of three."""
    project = make_project(name="Mig <b>&", team=team, owner=alice, visibility=Visibility.TEAM)
    ProjectMember.objects.create(project=project, user=bob, role=ProjectRole.EDITOR)
    add_member(team, make_user(full_name="Kim <Ha> & 윤"))
    later = Section.objects.create(project=project, name="Later <i>", position=1)
    custom = [
        CustomField.objects.create(project=project, name=f"F {kind} <&>", kind=kind, position=n)
        for n, kind in enumerate(FieldKind.values)
    ]
    for item in custom:
        if item.kind in (FieldKind.SINGLE_SELECT, FieldKind.MULTI_SELECT):
            item.options = ["Prod <&>", "Dev"]
            item.save(update_fields=["options"])
    tag = Tag.objects.create(name="ops & <x>")
    due = timezone.now() + datetime.timedelta(days=1)
    for number in range(5):
        task = make_task(
            project=project,
            title=f"Task {number} <&>",
            section=later if number % 2 else None,
            assignee=bob if number % 2 else None,
            status=TaskStatus.DONE if number == 4 else TaskStatus.OPEN,
            completed_at=timezone.now() if number == 4 else None,
            due_on=due.date() if number % 3 else None,
        )
        task.tags.add(tag)
    fields.do_set_value(alice, task, custom[0], "x")
    return project


@pytest.fixture
def short_pages(monkeypatch):
    # Three tasks a page: the five tasks make two pages and a pager.
    monkeypatch.setattr(project_views, "TASKS_PAGE_SIZE", 3)


def _login(client, person, language):
    person.language = language
    person.save(update_fields=["language"])
    client.force_login(person)


def url(project, name="work:project"):
    return reverse(name, args=[project.pk])


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("page", [None, 2])
def test_editor_sees_the_bars_as_the_templates_wrote_them(
    client, compare, project, bob, short_pages, language, page
):
    _login(client, bob, language)

    response = client.get(url(project), {"page": page} if page else {})

    new, old = compare(response)
    assert new == old
    # Every bar is there: quick add, filters, bulk, pager, add section.
    for mark in ("add-task-form", "filter-form", "bulk-form", "add-section-form"):
        assert f'id="{mark}"' in new
    assert 'class="pager"' in new
    assert "Mig &lt;b&gt;&amp;" in new and "Kim &lt;Ha&gt; &amp; 윤" in new


@pytest.mark.parametrize("language", ["en", "ko"])
def test_read_only_viewer_sees_the_same_bytes_without_the_editing_bars(
    client, compare, project, team, language
):
    reader = make_user(full_name="Reader")
    ProjectMember.objects.create(project=project, user=reader, role=ProjectRole.VIEWER)
    project.visibility = Visibility.PRIVATE
    project.save(update_fields=["visibility"])
    _login(client, reader, language)

    response = client.get(url(project))

    new, old = compare(response)
    assert new == old
    assert 'id="filter-form"' in new
    for mark in ("add-task-form", "bulk-form", "add-section-form"):
        assert f'id="{mark}"' not in new


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_archived_project_with_an_icon_heads_as_before(
    client, compare, project, alice, language
):
    project.icon = "🚀<"
    project.archived_at = timezone.now()
    project.save(update_fields=["icon", "archived_at"])
    _login(client, alice, language)

    new, old = compare(client.get(url(project)))

    assert new == old
    assert "badge-archived" in new and "🚀&lt;" in new
    assert reverse("work:project_settings", args=[project.pk]) in new


@pytest.mark.parametrize("language", ["en", "ko"])
def test_filters_applied_and_refused_are_shown_as_before(
    client, compare, project, alice, short_pages, language
):
    _login(client, alice, language)
    custom = {item.kind: item for item in project.custom_fields.all()}
    tag = Tag.objects.get()
    applied = {
        "q": 'Task <&> "x"',
        "status": [TaskStatus.OPEN],
        "assignee": "me",
        "tag": tag.pk,
        f"cf{custom[FieldKind.TEXT].pk}": "a&b",
    }
    refused = {
        "due_from": "not a date",
        f"cf{custom[FieldKind.NUMBER].pk}_min": "many",
        "tag": "99999",
    }

    for params in (applied, refused, {"q": "Task", "page": 2}):
        new, old = compare(client.get(url(project), params))
        assert new == old
        assert '<details class="card filter-bar" open>' in new
    refused_page, _old = compare(client.get(url(project), refused))
    assert 'class="error" id="filter_due_from_error"' in refused_page


@pytest.mark.parametrize("language", ["en", "ko"])
def test_quick_add_with_errors_comes_back_as_before(client, compare, project, alice, bob, language):
    _login(client, alice, language)
    posted = {
        "title": "",
        "assignee": bob.pk,
        "due_on": "soon",
        "tags": "a, <b>",
        "reply_by": "later",
        "urgent": "on",
        "urgent_reason": "",
    }

    response = client.post(url(project, "work:add_task"), posted)

    assert response.status_code == 400
    new, old = compare(response)
    assert new == old
    # The values and errors are shown: the picker loads the person's hint, urgent is open.
    assert 'hx-trigger="change, load"' in new
    assert '<details class="urgent-fields" open>' in new
    assert 'id="id_title_error"' in new and 'id="id_urgent_reason_error"' in new
    assert 'value="a, &lt;b&gt;"' in new
    assert project.tasks.filter(title="").count() == 0


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_refused_section_comes_back_as_before(client, compare, project, alice, language):
    _login(client, alice, language)

    response = client.post(url(project, "work:add_section"), {"name": ""})

    assert response.status_code == 400
    new, old = compare(response)
    assert new == old
    assert 'id="id_name_error"' in new
    assert project.sections.count() == 1


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_htmx_list_and_a_bulk_answer_are_as_before(
    client, compare, project, alice, short_pages, language
):
    _login(client, alice, language)
    first = project.tasks.order_by("position", "pk").first()

    new, old = compare(client.get(url(project), {"q": "Task", "page": 2}, HTTP_HX_REQUEST="true"))
    assert new == old and 'id="bulk-form"' in new and "<html" not in new

    back = f"{url(project)}?q=Task&page=2"
    done = client.post(
        url(project, "work:bulk_update"),
        {"tasks": [first.pk], "action": "complete", "next": back},
        HTTP_HX_REQUEST="true",
    )
    new, old = compare(done)
    assert new == old and 'class="messages"' in new
    first.refresh_from_db()
    assert first.status == TaskStatus.DONE

    refused = client.post(
        url(project, "work:bulk_update"), {"action": "move", "next": back}, HTTP_HX_REQUEST="true"
    )
    new, old = compare(refused)
    assert new == old and "message-error" in new


class _Refused(forms.Form):
    name = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Not <now> & never")


def test_form_errors_are_the_shared_templates():
    form = _Refused({"name": "x"})
    template = engines["django"].from_string('{% include "includes/form_errors.html" %}')

    assert project_bars.form_errors_html(form) == template.render({"form": form})
    assert "Not &lt;now&gt; &amp; never" in project_bars.form_errors_html(form)
    empty = forms.Form({})
    assert project_bars.form_errors_html(empty) == template.render({"form": empty}) == "\n"


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("action", ["", "move"])
def test_the_bulk_action_select_is_what_djangos_select_wrote(project, language, action):
    # The byte tests above render both sides with the same form: the widget is checked here.
    from django.utils import translation

    with translation.override(language):
        form = project_views.BulkForm({"action": action} if action else None, project=project)
        written = str(form["action"])
        form.fields["action"].widget = forms.Select(choices=form.fields["action"].choices)
        assert written == str(form["action"])
    assert 'value="move" selected' in written if action else "selected" not in written
