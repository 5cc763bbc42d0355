"""The query language: qualifiers, ranges, and bad input that must never become an error
page or an FTS syntax error."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.search.query import parse
from workmate.search.services import search
from workmate.testing.factories import make_project, make_task, make_ticket
from workmate.work.models import Priority, TaskStatus, Visibility


@pytest.fixture
def tasks(db, alice, bob, team, committed):
    org = make_project(owner=alice, team=team, visibility=Visibility.ORG, name="결제 개편")
    other = make_project(owner=alice, team=team, visibility=Visibility.ORG, name="Mobile app")
    from workmate.work.models import Tag

    with committed():
        with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC)):
            first = make_task(
                project=org, title="서버 점검 A", assignee=bob, priority=Priority.HIGH,
                due_on=datetime.date(2026, 2, 1),
            )  # fmt: skip
        with time_machine.travel(datetime.datetime(2026, 2, 10, tzinfo=datetime.UTC)):
            second = make_task(project=other, title="서버 점검 B", assignee=alice)
            second.tags.add(Tag.objects.create(name="Infra"))
            done = make_task(project=org, title="서버 점검 C")
            done.status = TaskStatus.DONE
            done.completed_at = done.created_at
            done.save()
    return {"first": first, "second": second, "done": done}


def titles(user, query: str, **kwargs) -> set[str]:
    return {h.title for h in search(query, user=user, flat=True, per_page=100, **kwargs).hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("서버 assignee:me", {"서버 점검 B"}),
        ("서버 assignee:bob", {"서버 점검 A"}),
        ('서버 assignee:"Bob Lee"', {"서버 점검 A"}),
        ("서버 status:open", {"서버 점검 A", "서버 점검 B"}),
        ("서버 status:done", {"서버 점검 C"}),
        ("서버 status:closed", {"서버 점검 C"}),
        ("서버 project:결제", {"서버 점검 A", "서버 점검 C"}),
        ("서버 project:mobile", {"서버 점검 B"}),
        ("서버 tag:infra", {"서버 점검 B"}),
        ("서버 priority:high", {"서버 점검 A"}),
        ("서버 team:TE", {"서버 점검 A", "서버 점검 B", "서버 점검 C"}),
        ("서버 created:>2026-02-01", {"서버 점검 B", "서버 점검 C"}),
        ("서버 created:<2026-02-01", {"서버 점검 A"}),
        ("서버 created:2026-01-01..2026-01-31", {"서버 점검 A"}),
        ("서버 created:2026-01-10", {"서버 점검 A"}),
        ("서버 due:2026-01-15..*", {"서버 점검 A"}),
        ("type:task assignee:me", {"서버 점검 B"}),  # filters alone search too
        ("서버 type:ticket", set()),
        ("서버 type:task|page", {"서버 점검 A", "서버 점검 B", "서버 점검 C"}),
    ],
)
def test_qualifiers(tasks, alice, query, expected):
    assert titles(alice, query) == expected


def test_customer_qualifier_on_tickets(db, alice, customer_a, customer_b, committed):
    with committed():
        make_ticket(customer=customer_a, subject="로그인 안 됨")
        make_ticket(customer=customer_b, subject="로그인 느림")
    assert titles(alice, "로그인 customer:hanbit") == {"로그인 안 됨"}
    assert titles(alice, "로그인 priority:p3") == {"로그인 안 됨", "로그인 느림"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("서버 author:bob", "“author:” is not a search filter"),
        ("서버 http://example.com", "“http:” is not a search filter"),
        ("서버 created:2026-13-45", "is not a date for created:"),
        ("서버 updated:>yesterday", "is not a date for updated:"),
        ("서버 due:2026-03-01..2026-01-01", "ends before it starts"),
        ("type:robot", "“robot” is not a type"),
        ("status:", "status: needs a value"),
    ],
)
def test_bad_qualifiers_are_clear_messages(tasks, alice, query, message):
    found = search(query, user=alice)
    assert any(message in error for error in found.query.errors), found.query.errors


def test_the_rest_of_a_query_with_a_bad_qualifier_still_searches(tasks, alice):
    found = search("서버 nope:1", user=alice)
    assert found.query.errors and found.total == 3


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "-",
        "--",
        '"',
        '"""',
        '"서버',
        '서버"점검',
        "OR",
        "OR OR 서버 OR",
        "*",
        "서버*",
        "^서버",
        "NEAR(서버 점검)",
        "NEAR(",
        ":",
        "::",
        "서버:",
        "(서버",
        "서버)",
        "AND",
        "NOT 서버",
        "{title_grams}: 서버",
        "서버' OR 1=1 --",
        "'; DROP TABLE search_entry; --",
        "\\",
        "서버 " * 400,
        "가" * 1000,
        "a" * 1000,
        "-서버",
        "-서버 -점검",
        "\x00서버",
        "서\u0301버",
        "🙂",
        "created:>",
        "created:..",
        "due:*..*",
        "type:",
        "priority:zzz",
    ],
)
def test_bad_input_never_fails(tasks, alice, query):
    found = search(query, user=alice)
    search(query, user=alice, kind="task")
    assert found.total >= 0


def test_only_exclusions_search_everything_else(tasks, alice):
    assert titles(alice, "-점검 type:task") == set()
    assert titles(alice, 'type:task -"점검 A"') == {"서버 점검 B", "서버 점검 C"}


def test_or_binds_two_neighbours():
    query = parse("a OR b c")
    assert [[p.tokens for p in clause] for clause in query.clauses] == [
        [("a",), ("b",)],
        [("c",)],
    ]


def test_long_queries_are_cut():
    assert len(parse("서버 " * 1000).clauses) == 20
