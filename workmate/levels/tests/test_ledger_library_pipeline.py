"""Ledger entries from the library and the pipeline: a page one owns verified, a page one
wrote linked from others' work, a page template used by another team, a PoC decided;
none when the change rolls back."""

from __future__ import annotations

import pytest
from django.db import transaction

from workmate.levels.models import EntryKind, LedgerEntry
from workmate.library import page_templates
from workmate.library import services as library
from workmate.library.models import SpaceKind
from workmate.pipeline import services as pipeline
from workmate.pipeline.tests.conftest import DECISION, make_page_template, make_poc, ready_to_run
from workmate.testing.factories import (
    add_member,
    make_page,
    make_project,
    make_space,
    make_team,
    make_user,
)
from workmate.work import services as work

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def runbook(team, bob):
    space = make_space(team=team, kind=SpaceKind.TEAM)
    return make_page(space=space, owner=bob, title="Restore a database")


def test_verifying_a_page_credits_its_owner(runbook, bob):
    library.do_verify_page(bob, runbook)
    [entry] = LedgerEntry.objects.filter(person=bob)
    assert (entry.kind, entry.competency) == (EntryKind.PAGE_VERIFIED, "knowledge_sharing")
    assert entry.data["url"] == runbook.get_absolute_url()


def test_no_entry_when_verifying_rolls_back(runbook, bob):
    with pytest.raises(Boom), transaction.atomic():
        library.do_verify_page(bob, runbook)
        raise Boom
    assert not LedgerEntry.objects.exists()


def test_a_page_linked_from_someone_elses_task_credits_its_writer(runbook, team, alice, bob):
    project = make_project(team=team, owner=alice)
    work.do_create_task(
        alice, project, title="Restore drill", description=f"Follow {runbook.get_absolute_url()}"
    )
    [entry] = LedgerEntry.objects.filter(person=bob)
    assert entry.kind == EntryKind.RUNBOOK_USED
    assert entry.data["used_in"] == "task"
    assert not LedgerEntry.objects.filter(person=alice).exists()


def test_a_page_template_used_by_another_team_credits_its_owner(alice, bob, team):
    template = make_page_template(bob, name="Incident report")
    other = make_team(code="LE", name="Lead Engineering")
    carol = make_user(full_name="Carol Yoon")
    add_member(other, carol)
    space = make_space(team=other, kind=SpaceKind.TEAM)
    for title in ("Outage 1", "Outage 2"):
        page_templates.do_create_page_from_template(carol, space, template, title=title)
    [entry] = LedgerEntry.objects.filter(person=bob)
    assert (entry.kind, entry.data["team"]) == (EntryKind.TEMPLATE_USED, "LE")

    # Its own team using it is no evidence of reach.
    own_space = make_space(team=team, kind=SpaceKind.TEAM)
    page_templates.do_create_page_from_template(alice, own_space, template, title="Ours")
    assert LedgerEntry.objects.filter(person=bob).count() == 1


def test_deciding_a_poc_credits_its_owner(db):
    nbd = make_team(code="NBD", name="New Business Development")
    nina = make_user(full_name="Nina Song")
    add_member(nbd, nina)
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    pipeline.do_advance(nina, poc, "running")
    pipeline.do_decide(nina, poc, **DECISION)
    [entry] = LedgerEntry.objects.filter(person=nina)
    assert (entry.kind, entry.competency) == (EntryKind.POC_DECIDED, "technical_depth")
    assert entry.data["decision"] == "go"
