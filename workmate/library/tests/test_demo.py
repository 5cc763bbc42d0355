from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.library.models import Page, Revision, RevisionStatus, Space, TrustState

pytestmark = pytest.mark.django_db


def test_seed_demo_sets_up_spaces_with_korean_and_english_runbooks_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert set(Space.objects.values_list("key", flat=True)) == {"TE", "NBD", "handbook", "leads"}
    titles = set(Page.objects.values_list("title", flat=True))
    assert {"배포 절차", "Incident response (P1)"} <= titles
    # 9 pages, and 2 more from the links and templates demo (library.demo_more).
    assert Page.objects.count() == 11
    deploy = Page.objects.get(title="배포 절차")
    assert deploy.current_revision.number == 2 and deploy.is_verified()
    assert deploy.parent.title == "운영"
    incident = Page.objects.get(title="Incident response (P1)")
    assert (incident.trust_state, incident.review_reason) == (TrustState.NEEDS_REVIEW, "expired")
    assert Page.objects.get(title__startswith="RDS").review_reason == "edited"
    assert Revision.objects.filter(status=RevisionStatus.DRAFT).count() == 1
