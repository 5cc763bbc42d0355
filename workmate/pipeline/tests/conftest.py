"""The pipeline's cast: NBD's Nina beside the shared alice (TE lead), bob (TE) and charlie."""

from __future__ import annotations

import datetime

import pytest

from workmate.accounts.models import TeamRole
from workmate.pipeline import services
from workmate.pipeline.services import CriterionIn
from workmate.testing.factories import add_member, make_team, make_user


@pytest.fixture
def nbd(db):
    return make_team(code="NBD", name="New Business Development")


@pytest.fixture
def nina(nbd):
    """An NBD member: starts and moves PoCs."""
    person = make_user(email="nina@example.com", full_name="Nina Song")
    add_member(nbd, person)
    return person


@pytest.fixture
def nbd_lead(nbd):
    person = make_user(email="seojun@example.com", full_name="Seojun Moon")
    add_member(nbd, person, TeamRole.LEAD)
    return person


def criteria(results: bool = False) -> list[CriterionIn]:
    return [
        CriterionIn(
            description=f"Criterion {n}",
            target=f"target {n}",
            result=f"result {n}" if results else "",
            met=True if results else None,
        )
        for n in range(1, 4)
    ]


def make_poc(actor, team, **overrides):
    fields = {"title": "Object storage for backups", "idea": "Cheaper backups", "team": team}
    fields.update(overrides)
    return services.do_create_poc(actor, **fields)


def ready_to_run(actor, poc, *, results: bool = False):
    return services.do_update_poc(
        actor,
        poc,
        believe="moving backups to object storage",
        will="halve the storage bill",
        measured_by="the monthly invoice",
        starts_on=datetime.date(2026, 3, 2),
        ends_on=datetime.date(2026, 3, 27),
        criteria=criteria(results),
    )


DECISION = {
    "context": "Backups cost too much.",
    "options": "Object storage\nKeep the NAS",
    "decision": "go",
    "outcome": "Object storage: half the cost.",
    "consequences": "Restores need the new tool.",
    "revisit_on": datetime.date(2027, 3, 1),
}


def verify(page, by, *, days: int = 90):
    """Mark a library page verified (the library's own verification is tested there)."""
    from django.utils import timezone

    from workmate.library.models import Page

    now = timezone.now()
    Page.objects.filter(pk=page.pk).update(
        trust_state="verified",
        verified_by=by,
        verified_at=now,
        verified_until=timezone.localdate() + datetime.timedelta(days=days),
    )
    page.refresh_from_db()
    return page


def make_page_template(owner, *, name="Runbook", space=None, versions: int = 1):
    from workmate.library.models import PageTemplate, PageTemplateRevision

    template = PageTemplate.objects.create(name=name, owner=owner, space=space)
    for number in range(1, versions + 1):
        PageTemplateRevision.objects.create(
            template=template, number=number, body=f"# {{{{title}}}} v{number}", author=owner
        )
    return template
