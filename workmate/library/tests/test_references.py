"""Links between pages and from tasks, tickets and proposals: resolution, renames,
waiting links, the `page_referenced` signal and "referenced by" for each reader."""

from __future__ import annotations

import pytest

from workmate.desk.models import EntryKind, TicketEntry
from workmate.library import references
from workmate.library.models import LinkSource, PageLink, SpaceKind, SpaceMembership, SpaceRole
from workmate.library.signals import page_referenced
from workmate.library.tests.helpers import publish
from workmate.testing.factories import (
    make_customer,
    make_page,
    make_project,
    make_space,
    make_task,
    make_ticket,
)
from workmate.voice.models import Proposal
from workmate.work.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return make_space(name="Org", key="org", kind=SpaceKind.ORG, team=None)


@pytest.fixture
def secret(db, alice):
    space = make_space(name="Secret", key="secret", kind=SpaceKind.PRIVATE, team=None)
    SpaceMembership.objects.create(space=space, user=alice, role=SpaceRole.EDITOR)
    return space


@pytest.fixture
def heard():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    page_referenced.connect(receiver, dispatch_uid="test_heard")
    yield calls
    page_referenced.disconnect(dispatch_uid="test_heard")


def _targets(source_kind, source_id):
    return sorted(
        PageLink.objects.filter(source_kind=source_kind, source_id=source_id).values_list(
            "label", "target_id"
        ),
        key=str,
    )


def test_wikilink_and_address_resolve_to_page_references(org, alice, heard):
    backup = make_page(space=org, owner=alice, title="Backup runbook")
    restore = make_page(space=org, owner=alice, title="복구 절차")
    source = make_page(
        space=org,
        owner=alice,
        body=f"See [[backup RUNBOOK]] and http://127.0.0.1:8000/library/pages/{restore.pk}/.",
    )
    assert _targets("page", source.pk) == [("", restore.pk), ("backup RUNBOOK", backup.pk)]
    assert {call["instance"] for call in heard} == {backup, restore}
    assert all(call["source"] == source and call["actor"] == alice for call in heard)


def test_rename_keeps_the_link_and_a_resave_does_not_lose_it(org, alice, bob, heard):
    target = make_page(space=org, owner=alice, title="Old name")
    source = make_page(space=org, owner=alice, body="[[Old name]]")
    publish(target, alice, title="New name")
    # The source is edited afterwards, still saying the old title.
    publish(source, bob, body="[[Old name]] and more")
    assert _targets("page", source.pk) == [("Old name", target.pk)]
    assert references.render_text(source.current_revision.body, "page", source.pk, bob) == (
        f"[Old name](</library/pages/{target.pk}/>) and more"
    )
    # Linked once: the re-save is not a new reference.
    assert len(heard) == 1


def test_removing_the_link_removes_the_reference(org, alice):
    target = make_page(space=org, owner=alice, title="Target")
    source = make_page(space=org, owner=alice, body="[[Target]]")
    publish(source, alice, body="nothing here")
    assert not PageLink.objects.filter(source_page=source).exists()
    assert references.referenced_by(target, alice) == []


def test_a_link_waits_for_its_page_then_resolves(org, alice, heard):
    source = make_page(space=org, owner=alice, body="[[Later]]")
    assert _targets("page", source.pk) == [("Later", None)]
    later = make_page(space=org, owner=alice, title="later")
    assert _targets("page", source.pk) == [("Later", later.pk)]
    assert [call["instance"] for call in heard] == [later]


def test_same_space_wins_between_namesakes(org, alice, team):
    other = make_space(name="Team", key="team", team=team)
    make_page(space=org, owner=alice, title="Setup")
    here = make_page(space=other, owner=alice, title="Setup")
    source = make_page(space=other, owner=alice, body="[[Setup]]")
    assert _targets("page", source.pk) == [("Setup", here.pk)]


def test_code_is_not_a_link_and_a_page_does_not_reference_itself(org, alice):
    page = make_page(space=org, owner=alice, title="Self")
    publish(page, alice, body=f"`[[Self]]` [[Self]] /library/pages/{page.pk}/")
    assert not PageLink.objects.exists()


def test_a_writer_cannot_link_to_a_private_page_they_cannot_see(org, secret, alice, bob):
    hidden = make_page(space=secret, owner=alice, title="Merger plan")
    source = make_page(space=org, owner=bob, body=f"[[Merger plan]] /library/pages/{hidden.pk}/")
    # Bob cannot see it: the label waits, the address counts for nothing.
    assert _targets("page", source.pk) == [("Merger plan", None)]
    assert references.referenced_by(hidden, alice) == []


def test_private_page_title_never_shows_in_backlinks_to_non_members(org, secret, alice, bob):
    public = make_page(space=org, owner=alice, title="Public")
    make_page(space=secret, owner=alice, title="Merger plan", body="[[Public]]")
    assert [ref.title for ref in references.referenced_by(public, alice)] == ["Merger plan"]
    assert references.referenced_by(public, bob) == []


def test_tasks_tickets_and_proposals_link_the_same_way(org, alice, bob, charlie, team, heard):
    page = make_page(space=org, owner=alice, title="Runbook")
    task = make_task(project=make_project(team=team, owner=alice), description="see [[Runbook]]")
    other = make_task(project=make_project(team=team, owner=alice))
    Comment.objects.create(task=other, author=bob, body=f"/library/pages/{page.pk}/")
    ticket = make_ticket(customer=make_customer(), subject="DB down", description="[[Runbook]]")
    proposal = Proposal.objects.create(
        title="Automate it", problem="[[Runbook]] is manual", area="tools", is_anonymous=True
    )
    refs = references.referenced_by(page, alice)
    # Tasks, then tickets, then proposals; the newest link first within each.
    assert [(ref.kind, ref.pk) for ref in refs] == [
        ("task", other.pk),
        ("task", task.pk),
        ("ticket", ticket.pk),
        ("proposal", proposal.pk),
    ]
    assert {ref.url for ref in refs} >= {f"/work/tasks/{task.pk}/", f"/desk/tickets/{ticket.pk}/"}
    # The anonymous proposal's author is not named even to the signal.
    assert [call["actor"] for call in heard if call["source"] == proposal] == [None]
    assert [call["actor"] for call in heard if call["source"] == other] == [bob]
    # Charlie is in no team: no task, ticket or proposal of theirs to see... but the
    # proposal board is everyone's.
    assert [ref.kind for ref in references.referenced_by(page, charlie)] == ["proposal"]


def test_a_customer_message_links_nothing_and_edits_keep_parts_apart(org, alice, team):
    page = make_page(space=org, owner=alice, title="Runbook")
    ticket = make_ticket(customer=make_customer(), subject="x")
    TicketEntry.objects.create(ticket=ticket, kind=EntryKind.CUSTOMER, body="[[Runbook]]")
    assert not PageLink.objects.exists()
    TicketEntry.objects.create(ticket=ticket, kind=EntryKind.NOTE, author=alice, body="[[Runbook]]")
    ticket.description = "no link"
    ticket.save()
    # The description had none; the note's link stays.
    assert _targets(LinkSource.TICKET, ticket.pk) == [("Runbook", page.pk)]


def test_a_status_change_does_not_read_the_text(org, alice, team, django_assert_num_queries):
    task = make_task(project=make_project(team=team, owner=alice), description="[[Nothing]]")
    task.title = "Renamed"
    with django_assert_num_queries(1):
        task.save(update_fields=["title"])
