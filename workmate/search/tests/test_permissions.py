"""Nobody finds, counts or reads a snippet of what they may not open: one object of each
type and rule, searched by each role (member, other team, outsider, agent, lead,
executive, and customers' contacts in the portal)."""

from __future__ import annotations

import pytest

from workmate.accounts.models import OrgRole, TeamRole
from workmate.desk import services as desk
from workmate.library.models import SpaceKind, SpaceMembership, SpaceRole
from workmate.search.services import search
from workmate.testing.factories import (
    add_member,
    make_page,
    make_project,
    make_space,
    make_task,
    make_team,
    make_ticket,
    make_user,
)
from workmate.voice import leads
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work.models import Visibility


@pytest.fixture
def world(db, team, alice, bob, charlie, customer_a, contact_a, contact_b, committed):
    other = make_team(code="OT", name="Other team")
    dave = make_user(full_name="Dave Choi")
    add_member(other, dave)
    boss = make_user(full_name="Erin Seo", org_role=OrgRole.EXECUTIVE)
    with committed():
        make_task(
            project=make_project(owner=alice, team=team, visibility=Visibility.ORG),
            title="공개작업 회의",
        )
        make_task(project=make_project(owner=alice, team=team), title="팀작업 정리")
        make_task(
            project=make_project(owner=alice, team=team, visibility=Visibility.PRIVATE),
            title="비밀작업 계획",
        )
        make_task(project=make_project(owner=dave, team=other), title="남의작업 목록")
        ticket = make_ticket(customer=customer_a, requester=contact_a, subject="접속 오류 문의")
        desk.do_reply(alice, ticket, "고객답장 드립니다")
        desk.do_reply(alice, ticket, "내부메모 원인은 설정", internal=True)
        make_ticket(
            subject="다른회사 접속 오류", requester=contact_b, customer=contact_b.customers.first()
        )
        private = make_space(kind=SpaceKind.PRIVATE, team=None)
        SpaceMembership.objects.create(space=private, user=alice, role=SpaceRole.EDITOR)
        make_page(space=private, owner=alice, title="비밀문서", body="연봉 자료")
        make_page(space=make_space(kind=SpaceKind.ORG, team=None), owner=alice, title="공개문서")
        hidden = voice.do_post_proposal(
            bob, title="숨김제안 하나", problem="불편", area=Area.TOOLS, anonymous=True
        )
        leads.do_hide(alice, hidden, "중복")
        voice.do_post_proposal(
            bob, title="익명제안 둘", problem="회의실 부족", area=Area.TOOLS, anonymous=True
        )
    return {
        "alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "boss": boss,
    }  # fmt: skip


def titles(user, query: str) -> set[str]:
    found = search(query, user=user, flat=True, per_page=100)
    return {hit.title for hit in found.hits}


def total(user, query: str) -> int:
    return search(query, user=user).total


CASES = [
    # query, who finds it (the others find nothing and count nothing)
    ("공개작업", {"alice", "bob", "charlie", "dave", "boss"}),
    ("팀작업", {"alice", "bob"}),
    ("비밀작업", {"alice"}),
    ("남의작업", {"dave"}),
    ("고객답장", {"alice", "bob", "dave"}),  # agents: anyone in a team
    ("내부메모", {"alice", "bob", "dave"}),
    ("비밀문서", {"alice"}),
    ("연봉", {"alice"}),
    ("공개문서", {"alice", "bob", "charlie", "dave", "boss"}),
    ("숨김제안", {"alice", "bob", "boss"}),  # leads, executives and its (anonymous) author
    ("익명제안", {"alice", "bob", "charlie", "dave", "boss"}),
    ("hanbit", {"alice", "bob", "dave"}),  # the customer and its contact: agents only
    ("jisoo", {"alice", "bob", "dave"}),
    ("dave", {"alice", "bob", "charlie", "dave", "boss"}),  # people: everyone
]


@pytest.mark.parametrize(("query", "allowed"), CASES)
def test_hits_and_counts_only_for_those_who_may_open(world, query, allowed):
    for name, user in world.items():
        found = search(query, user=user)
        if name in allowed:
            assert found.total >= 1, (query, name)
        else:
            assert found.total == 0, (query, name)
            assert found.counts == {}, (query, name)
            assert search(query, user=user, flat=True).hits == [], (query, name)


def test_an_anonymous_proposal_is_not_found_by_its_authors_name(world):
    assert titles(world["alice"], "익명제안") == {"익명제안 둘"}
    assert titles(world["alice"], "익명제안 bob") == set()
    assert titles(world["alice"], "익명제안 lee") == set()


def test_lead_in_another_team_sees_hidden_proposals(world, committed):
    lead = make_user()
    add_member(make_team(), lead, TeamRole.LEAD)
    assert titles(lead, "숨김제안") == {"숨김제안 하나"}


def test_the_portal_finds_its_own_tickets_without_internal_notes(world, contact_a, contact_b):
    mine = search("고객답장", contact=contact_a)
    assert [hit.title for hit in mine.hits] == ["접속 오류 문의"]
    assert mine.hits[0].url.startswith("/portal/")
    assert "고객답장" in mine.hits[0].snippet
    # The note's words neither find the ticket nor, by exclusion, hide it.
    assert search("내부메모", contact=contact_a).total == 0
    assert search("원인은", contact=contact_a).total == 0
    assert search("접속 -내부메모", contact=contact_a).total == 1
    assert search("접속", contact=contact_a).total == 1
    # The other customer's contact sees only their own.
    assert [h.title for h in search("접속", contact=contact_b).hits] == ["다른회사 접속 오류"]
    assert search("고객답장", contact=contact_b).total == 0


def test_agent_snippet_shows_the_internal_note_that_matched(world):
    hit = search("내부메모", user=world["bob"], kind="ticket").hits[0]
    assert "<mark>내부메모</mark>" in hit.snippet


def test_inactive_people_are_not_found(world, committed):
    with committed():
        world["dave"].is_active = False
        world["dave"].save()
    assert search("dave", user=world["alice"], kind="person").total == 0
    assert search("dave", user=world["dave"]).total == 0  # and they cannot search


def test_making_a_project_private_hides_its_tasks_at_once(world, committed):
    from workmate.work.models import Project

    project = Project.objects.get(tasks__title="팀작업 정리")
    assert titles(world["bob"], "팀작업") == {"팀작업 정리"}
    Project.objects.filter(pk=project.pk).update(visibility=Visibility.PRIVATE)
    assert titles(world["bob"], "팀작업") == set()
