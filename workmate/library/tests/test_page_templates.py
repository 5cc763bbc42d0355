"""Page templates: versions, new page from template, variables, the signal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.library import page_templates
from workmate.library.models import PageTemplate, SpaceKind
from workmate.library.signals import page_template_used
from workmate.testing.factories import make_space

pytestmark = pytest.mark.django_db

BODY = (
    "# {{title}}\n작성: {{author}} · {{date}} {{time}}\n고객: {{customer}} / {{space}}\n"
    "{% if x %}{{ request.user.password }}{% endif %}{{ date|upper }}"
)


@pytest.fixture
def template(space, alice):
    return page_templates.do_create_template(alice, space, name="장애 보고서", body=BODY)


@time_machine.travel(datetime.datetime(2026, 12, 5, 15, 30, tzinfo=datetime.UTC), tick=False)
def test_new_page_from_template_fills_variables_and_keeps_the_version(space, template, bob):
    bob.profile.time_zone = "Asia/Seoul"
    bob.profile.save()
    page_templates.do_update_template(bob, template, name=template.name, body=BODY + "\nv2")
    used = []
    page_template_used.connect(lambda sender, **kw: used.append(kw), weak=False, dispatch_uid="t1")
    try:
        page = page_templates.do_create_page_from_template(
            bob, space, template, title="DB 장애 {{date}}", customer_name="한빛 {{author}}"
        )
    finally:
        page_template_used.disconnect(dispatch_uid="t1")
    page.refresh_from_db()
    assert page.title == "DB 장애 2026-12-06"
    assert page.current_revision.body == (
        "# DB 장애 {{date}}\n작성: Bob Lee · 2026-12-06 00:30\n고객: 한빛 {{author}} / TE 런북\n"
        "{% if x %}{{ request.user.password }}{% endif %}{{ date|upper }}\nv2"
    )
    assert page.template == template
    assert page.template_revision.number == 2
    assert used == [
        {"signal": page_template_used, "instance": template, "actor": bob, "page": page}
    ]


def test_editing_a_template_makes_a_new_version_unless_the_text_is_the_same(template, alice):
    assert page_templates.do_update_template(alice, template, name="새 이름", body=BODY) is None
    template.refresh_from_db()
    assert template.name == "새 이름"
    revision = page_templates.do_update_template(alice, template, name="새 이름", body="v2")
    assert revision.number == 2
    assert list(template.revisions.values_list("number", flat=True)) == [2, 1]


def test_only_writers_of_the_space_make_and_change_templates(space, template, charlie):
    with pytest.raises(PermissionDenied):
        page_templates.do_create_template(charlie, space, name="x", body="")
    with pytest.raises(PermissionDenied):
        page_templates.do_update_template(charlie, template, name="x", body="y")
    assert PageTemplate.objects.count() == 1


def test_a_template_of_another_space_is_refused(template, alice):
    other = make_space(name="Org", key="org", kind=SpaceKind.ORG, team=None)
    with pytest.raises(ValidationError):
        page_templates.do_create_page_from_template(alice, other, template, title="x")
    assert not other.pages.exists()


def test_templates_offered_in_a_space_are_its_own_and_org_wide(space, template, alice, bob):
    org_wide = PageTemplate.objects.create(name="공통", owner=alice)
    make_space(name="Org", key="org", kind=SpaceKind.ORG, team=None)
    other = page_templates.do_create_template(
        alice, make_space(name="O2", key="o2", kind=SpaceKind.ORG, team=None), name="x", body=""
    )
    offered = list(page_templates.templates_for_space(bob, space))
    assert offered == [org_wide, template]
    assert other not in offered
    assert offered[1].latest_number == 1
