from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.library import references
from workmate.library.models import Page, PageComment, PageTemplate

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_template_links_and_comments_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    template = PageTemplate.objects.get(name="장애 보고서")
    assert template.latest_revision().number == 2
    made = Page.objects.get(template=template)
    assert made.template_revision.number == 2
    assert "- 고객사: 한빛은행" in made.current_revision.body
    deploy = Page.objects.get(title="배포 절차")
    kinds = sorted(ref.kind for ref in references.referenced_by(deploy, deploy.owner))
    assert kinds == ["page", "page", "task"]
    assert PageComment.objects.filter(page=deploy).count() == 3
    assert PageComment.objects.filter(resolved_at__isnull=False).count() == 1
