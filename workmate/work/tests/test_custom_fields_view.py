"""The "Fields" settings page and setting a task's values from the list or the task panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import fields
from workmate.work.models import CustomField, CustomFieldValue, FieldKind, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def org_project(team, alice):
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


@pytest.fixture
def hours(project):
    return CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER)


@pytest.fixture
def task(project):
    return make_task(project=project, title="Plan cutover")


def page_url(project) -> str:
    return reverse("work:project_fields", args=[project.pk])


def value_url(task, field) -> str:
    return reverse("work:task_field_value", args=[task.pk, field.pk])


# --- Settings page -------------------------------------------------------------------------


def test_settings_need_log_in(client, project):
    response = client.get(page_url(project))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_settings_refuse_other_methods(client, project, bob):
    client.force_login(bob)

    assert client.delete(page_url(project)).status_code == 405


def test_settings_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.get(page_url(project)).status_code == 404
    assert client.post(page_url(project), {"name": "X", "kind": "text"}).status_code == 404
    assert not CustomField.objects.exists()


def test_settings_are_for_editors_only(client, org_project, charlie):
    client.force_login(charlie)

    assert client.get(page_url(org_project)).status_code == 403
    assert client.post(page_url(org_project), {"name": "X", "kind": "text"}).status_code == 403
    assert not CustomField.objects.exists()


def test_settings_list_the_fields_and_the_list_links_here(client, project, hours, bob):
    CustomField.objects.create(
        project=project, name="Env", kind=FieldKind.SINGLE_SELECT, options=["Prod", "Dev"]
    )
    client.force_login(bob)

    page = client.get(page_url(project)).content.decode()
    listing = client.get(reverse("work:project", args=[project.pk])).content.decode()

    assert "<html" in page
    assert 'value="Hours"' in page and "Number" in page
    assert "Prod\nDev</textarea>" in page
    assert 'id="add-field-form"' in page
    assert f'href="{page_url(project)}"' in listing


def test_htmx_gets_the_settings_without_the_page(client, project, hours, bob):
    client.force_login(bob)

    fragment = client.get(page_url(project), headers=HTMX).content.decode()

    assert "<html" not in fragment and 'value="Hours"' in fragment


def test_adds_a_select_field(client, project, bob):
    client.force_login(bob)

    response = client.post(
        page_url(project),
        {"name": "Environment", "kind": "single_select", "options": "Prod\r\nDev\r\n"},
        follow=True,
    )

    field = CustomField.objects.get()
    assert (field.project, field.name, field.kind, field.options) == (
        project,
        "Environment",
        FieldKind.SINGLE_SELECT,
        ["Prod", "Dev"],
    )
    assert response.redirect_chain == [(page_url(project), 302)]
    assert "Field “Environment” added." in response.content.decode()


def test_a_select_without_options_is_refused_beside_the_field(client, project, bob):
    client.force_login(bob)

    response = client.post(page_url(project), {"name": "Env", "kind": "multi_select"})

    assert response.status_code == 400
    assert '<p class="error" id="id_options_error">' in response.content.decode()
    assert not CustomField.objects.exists()


def test_renames_a_field_and_changes_options(client, project, bob):
    env = CustomField.objects.create(
        project=project, name="Env", kind=FieldKind.SINGLE_SELECT, options=["Prod"]
    )
    client.force_login(bob)

    response = client.post(
        reverse("work:edit_field", args=[env.pk]),
        {f"field{env.pk}-name": "Environment", f"field{env.pk}-options": "Prod\nTest"},
    )

    env.refresh_from_db()
    assert (env.name, env.options) == ("Environment", ["Prod", "Test"])
    assert response.url == page_url(project)


def test_a_clashing_rename_is_shown_on_that_field(client, project, hours, bob):
    other = CustomField.objects.create(project=project, name="Cost", kind=FieldKind.NUMBER)
    client.force_login(bob)

    response = client.post(
        reverse("work:edit_field", args=[other.pk]), {f"field{other.pk}-name": "hours"}
    )

    assert response.status_code == 400
    assert f'id="id_field{other.pk}-name_error"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Cost"


def test_field_changes_refuse_get(client, hours, bob):
    client.force_login(bob)

    for name in ("edit_field", "move_field", "delete_field"):
        assert client.get(reverse(f"work:{name}", args=[hours.pk])).status_code == 405


def test_field_changes_outsider_gets_404(client, hours, charlie):
    client.force_login(charlie)

    for name in ("edit_field", "move_field", "delete_field"):
        assert client.post(reverse(f"work:{name}", args=[hours.pk])).status_code == 404
    assert CustomField.objects.get().name == "Hours"


def test_field_changes_read_only_viewer_gets_403(client, org_project, charlie):
    field = CustomField.objects.create(project=org_project, name="Hours", kind="number")
    client.force_login(charlie)

    for name in ("edit_field", "move_field", "delete_field"):
        response = client.post(reverse(f"work:{name}", args=[field.pk]), {"direction": "up"})
        assert response.status_code == 403
    assert CustomField.objects.filter(name="Hours").exists()


def test_moves_and_removes_fields(client, project, hours, bob):
    cost = CustomField.objects.create(project=project, name="Cost", kind="number", position=5)
    client.force_login(bob)

    client.post(reverse("work:move_field", args=[cost.pk]), {"direction": "up"})
    assert list(project.custom_fields.values_list("name", flat=True)) == ["Cost", "Hours"]

    response = client.post(reverse("work:delete_field", args=[cost.pk]), follow=True)
    assert list(project.custom_fields.values_list("name", flat=True)) == ["Hours"]
    assert "Field “Cost” removed." in response.content.decode()


# --- A task's value ---------------------------------------------------------------------------


def test_value_needs_log_in(client, task, hours):
    response = client.post(value_url(task, hours), {"value": "3"})

    assert response.status_code == 302
    assert not CustomFieldValue.objects.exists()


def test_value_refuses_other_methods(client, task, hours, bob):
    client.force_login(bob)

    assert client.delete(value_url(task, hours)).status_code == 405


def test_value_outsider_gets_404(client, task, hours, charlie):
    client.force_login(charlie)

    assert client.post(value_url(task, hours), {"value": "3"}).status_code == 404
    assert not CustomFieldValue.objects.exists()


def test_a_field_of_another_project_gets_404(client, task, bob):
    elsewhere = CustomField.objects.create(
        project=make_project(team=task.project.team), name="X", kind="text"
    )
    client.force_login(bob)

    assert client.post(value_url(task, elsewhere), {"value": "3"}).status_code == 404
    assert not CustomFieldValue.objects.exists()


def test_value_read_only_viewer_gets_403(client, org_project, charlie):
    field = CustomField.objects.create(project=org_project, name="Hours", kind="number")
    task = make_task(project=org_project)
    client.force_login(charlie)

    assert client.post(value_url(task, field), {"value": "3"}).status_code == 403
    assert not CustomFieldValue.objects.exists()


def test_htmx_get_gives_the_cells_small_form(client, task, hours, bob):
    fields.do_set_value(bob, task, hours, "7.5")
    client.force_login(bob)

    fragment = client.get(value_url(task, hours), headers=HTMX).content.decode()
    plain = client.get(value_url(task, hours))

    assert fragment.startswith('<form class="cell-form stack" method="post"')
    assert 'name="value" value="7.5"' in fragment
    assert plain.url == reverse("work:task", args=[task.pk])


def test_saving_in_the_list_returns_the_whole_row(client, task, hours, bob):
    client.force_login(bob)

    response = client.post(value_url(task, hours), {"value": "12"}, headers=HTMX)

    assert CustomFieldValue.objects.get(task=task, field=hours).number == 12
    assert response["HX-Retarget"] == f"#task-row-{task.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    fragment = response.content.decode()
    assert fragment.startswith(f'<tr id="task-row-{task.pk}"')
    assert ">12</a>" in fragment.replace("\n", "")


def test_a_wrong_value_shows_the_error_in_the_cell(client, task, hours, bob):
    client.force_login(bob)

    response = client.post(value_url(task, hours), {"value": "lots"}, headers=HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith('<form class="cell-form')
    assert "Enter a number." in fragment
    assert not CustomFieldValue.objects.exists()


def test_a_multi_select_takes_several_options(client, task, project, bob):
    areas = CustomField.objects.create(
        project=project, name="Areas", kind=FieldKind.MULTI_SELECT, options=["Net", "DB", "OS"]
    )
    client.force_login(bob)

    client.post(value_url(task, areas), {"value": ["OS", "Net"]}, headers=HTMX)

    assert CustomFieldValue.objects.get().choices == ["Net", "OS"]


def test_the_task_panel_shows_and_edits_the_values(client, task, hours, project, alice, bob):
    reviewer = CustomField.objects.create(project=project, name="Reviewer", kind="person")
    fields.do_set_value(bob, task, reviewer, str(alice.pk))
    client.force_login(bob)

    detail = client.get(reverse("work:task", args=[task.pk])).content.decode()
    response = client.post(value_url(task, hours), {"value": "4", "view": "panel"}, headers=HTMX)

    part = detail.split('id="task-fields"')[1].split("</section>")[0]
    assert "Reviewer" in part and "Alice Kim" in part
    assert f'action="{value_url(task, hours)}"' in part
    fragment = response.content.decode()
    assert fragment.startswith('<section class="task-part" id="task-fields">')
    assert "<dd" in fragment and ">4" in fragment.split("Hours")[1]
    assert "HX-Retarget" not in response


def test_a_wrong_value_in_the_panel_is_shown_there(client, task, hours, bob):
    client.force_login(bob)

    response = client.post(value_url(task, hours), {"value": "four", "view": "panel"}, headers=HTMX)

    fragment = response.content.decode()
    assert fragment.startswith('<section class="task-part" id="task-fields">')
    assert "Enter a number." in fragment and "<details open>" in fragment


def test_without_htmx_saving_goes_back_with_a_message(client, task, hours, bob):
    client.force_login(bob)

    panel = client.post(value_url(task, hours), {"value": "2", "view": "panel"}, follow=True)
    row = client.post(value_url(task, hours), {"value": "3"})
    wrong = client.post(value_url(task, hours), {"value": "x", "view": "panel"}, follow=True)

    assert panel.redirect_chain == [(reverse("work:task", args=[task.pk]), 302)]
    assert "Hours saved." in panel.content.decode()
    assert row.url == reverse("work:project", args=[task.project_id])
    assert "Enter a number." in wrong.content.decode()
    assert CustomFieldValue.objects.get().number == 3


def test_read_only_viewer_sees_values_without_forms_in_the_panel(
    client, org_project, alice, charlie
):
    field = CustomField.objects.create(project=org_project, name="Customer", kind="text")
    task = make_task(project=org_project)
    fields.do_set_value(alice, task, field, "Acme")
    client.force_login(charlie)

    detail = client.get(reverse("work:task", args=[task.pk])).content.decode()

    part = detail.split('id="task-fields"')[1].split("</section>")[0]
    assert "Acme" in part and "<form" not in part
