"""Page template pages: list and write, edit (versions), new page from template."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.library import page_templates
from workmate.library.models import Page, PageTemplate, PageTemplateRevision
from workmate.testing.factories import add_member, make_customer, make_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(space, alice):
    body = "# {{title}}\n고객: {{customer}}\n작성: {{author}}"
    return page_templates.do_create_template(alice, space, name="고객 장애 보고", body=body)


def test_list_and_write_a_template(client, space, template, bob, django_assert_num_queries):
    client.force_login(bob)
    url = reverse("library:templates", args=[space.key])
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert "고객 장애 보고" in response.content.decode()
    response = client.post(url, {"name": "회의록", "body": "{{date}} 회의"})
    assert response.status_code == 302
    made = PageTemplate.objects.get(name="회의록")
    assert made.space == space and made.owner == bob
    assert made.latest_revision().body == "{{date}} 회의"


def test_a_reader_sees_templates_but_cannot_write_one(client, space, template, charlie):
    client.force_login(charlie)
    url = reverse("library:templates", args=[space.key])
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="template-form"' not in response.content.decode()
    assert client.post(url, {"name": "x", "body": ""}).status_code == 403
    assert client.post(reverse("library:edit_template", args=[template.pk])).status_code == 403
    assert PageTemplate.objects.count() == 1


def test_edit_saves_a_new_version(client, template, alice):
    client.force_login(alice)
    url = reverse("library:edit_template", args=[template.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "고객 장애 보고", "body": "v2", "summary": "짧게"})
    assert response.status_code == 302
    latest = template.latest_revision()
    assert (latest.number, latest.body, latest.summary) == (2, "v2", "짧게")
    response = client.post(url, {"name": "", "body": "v3"})
    assert response.status_code == 400
    assert PageTemplateRevision.objects.filter(template=template).count() == 2


def test_new_page_from_template_with_a_customer(client, space, template, alice, team):
    customer = make_customer(name="한빛은행")
    parent = make_page(space=space, owner=alice, title="장애")
    client.force_login(alice)
    url = reverse("library:new_from_template", args=[space.key])
    response = client.get(f"{url}?template={template.pk}")
    assert "한빛은행" in response.content.decode()
    response = client.post(
        url,
        {"template": template.pk, "title": "DB 장애", "parent": parent.pk, "customer": customer.pk},
    )
    page = Page.objects.get(title="DB 장애")
    assert response["Location"] == f"/library/pages/{page.pk}/"
    assert page.parent == parent
    assert page.template_revision == template.latest_revision()
    assert page.current_revision.body == "# DB 장애\n고객: 한빛은행\n작성: Alice Kim"


def test_someone_in_no_team_picks_no_customer_and_readers_cannot_make_pages(
    client, space, template, charlie, team
):
    client.force_login(charlie)
    url = reverse("library:new_from_template", args=[space.key])
    assert client.get(url).status_code == 403
    add_member(team, charlie)
    response = client.get(url)
    assert response.status_code == 200


def test_a_private_space_templates_are_hidden_from_outsiders(client, private_space, alice, bob):
    template = page_templates.do_create_template(alice, private_space, name="비밀 양식", body="")
    client.force_login(bob)
    assert client.get(reverse("library:templates", args=[private_space.key])).status_code == 404
    assert client.get(reverse("library:edit_template", args=[template.pk])).status_code == 404
    url = reverse("library:new_from_template", args=[private_space.key])
    assert client.post(url, {"template": template.pk, "title": "x"}).status_code == 404
    assert not Page.objects.exists()


def test_a_template_of_another_space_cannot_be_picked(client, space, private_space, alice):
    other = page_templates.do_create_template(alice, private_space, name="비밀 양식", body="")
    client.force_login(alice)
    url = reverse("library:new_from_template", args=[space.key])
    response = client.post(url, {"template": other.pk, "title": "x"})
    assert response.status_code == 400
    assert not Page.objects.exists()
