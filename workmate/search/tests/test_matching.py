"""Korean and English matching, on whichever database the suite runs (SQLite and
PostgreSQL both run it): the grams, phrases, prefixes, exclusion and normalisation."""

from __future__ import annotations

import unicodedata

import pytest

from workmate.search.services import search
from workmate.testing.factories import make_project, make_task
from workmate.work.models import Visibility

TEXTS = {
    "particle": "웹서버가 어제 밤에 멈췄습니다",
    "object": "DB 서버를 다시 시작",
    "mixed": "API서버 배포 v2 준비",
    "english": "Deploy the Payment Gateway",
    "deploy_ko": "배포 일정 공유",
    "single": "새 팀 구성",
    "team_end": "개발팀 회의록",
    "outage": "장애 보고서 작성",
}


@pytest.fixture
def titles(db, alice, committed):
    project = make_project(owner=alice, visibility=Visibility.ORG)
    with committed():
        tasks = {key: make_task(project=project, title=text) for key, text in TEXTS.items()}
    return tasks


def found(user, text: str) -> set[str]:
    results = search(text, user=user, kind="task", per_page=100)
    return {hit.title for hit in results.hits}


def keys(*names: str) -> set[str]:
    return {TEXTS[n] for n in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("서버", ("particle", "object", "mixed")),  # inside 웹서버가, before 를, after API
        ("서버가", ("particle",)),
        ("서버를", ("object",)),
        ("웹서버", ("particle",)),
        ("배포", ("mixed", "deploy_ko")),
        ("장애", ("outage",)),
        ("API서버", ("mixed",)),
        ("api 서버", ("mixed",)),
        ("DB 서버를", ("object",)),
        ("db", ("object",)),
        ("deploy", ("english",)),
        ("DEPLOY payment", ("english",)),
        ("v2", ("mixed",)),
        ("팀", ("single", "team_end")),  # one syllable: alone and at a word's end
        ("새", ("single",)),
        ("서", ("particle", "object", "mixed", "outage")),  # 보고서 too
        ('"payment gateway"', ("english",)),
        ('"gateway payment"', ()),
        ('"배포 준비"', ()),
        ('"배포 일정"', ("deploy_ko",)),
        ("배포 -api", ("deploy_ko",)),
        ("배포 -일정", ("mixed",)),
        ("장애 OR deploy", ("outage", "english")),
        ("서버 장애", ()),
        ("없는말", ()),
    ],
)
def test_matches(titles, alice, query, expected):
    assert found(alice, query) == keys(*expected)


def test_nfd_query_and_text_match_nfc(titles, alice, committed):
    assert found(alice, unicodedata.normalize("NFD", "서버를")) == keys("object")
    project = make_project(owner=alice, visibility=Visibility.ORG)
    with committed():
        make_task(project=project, title=unicodedata.normalize("NFD", "보안 점검"))
    assert found(alice, "점검") == {unicodedata.normalize("NFD", "보안 점검")}


def test_full_width_and_case_fold(titles, alice):
    assert found(alice, "ＡＰＩ서버") == keys("mixed")
    assert found(alice, "GATEWAY") == keys("english")


def test_comments_and_description_match_with_a_highlighted_snippet(db, alice, committed):
    from workmate.work.models import Comment

    project = make_project(owner=alice, visibility=Visibility.ORG)
    with committed():
        task = make_task(project=project, title="주간 점검", description="Nginx 로그를 확인")
        Comment.objects.create(task=task, author=alice, body="캐시서버를 재시작했습니다")
    hit = search("캐시서버", user=alice, kind="task").hits[0]
    assert hit.id == task.pk
    assert "<mark>캐시서버</mark>를" in hit.snippet
    hit = search("NGINX", user=alice, kind="task").hits[0]
    assert "<mark>Nginx</mark> 로그를" in hit.snippet


def test_title_matches_rank_first_then_open_then_recent(db, alice, committed):
    import datetime

    import time_machine

    from workmate.work.models import TaskStatus

    project = make_project(owner=alice, visibility=Visibility.ORG)
    with committed():
        with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)):
            old_title = make_task(project=project, title="백업 정책")
            done_title = make_task(project=project, title="백업 완료")
        with time_machine.travel(datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC)):
            body_only = make_task(project=project, title="주간 작업", description="백업 확인")
            new_title = make_task(project=project, title="백업 복구 훈련")
        done_title.status = TaskStatus.DONE
        done_title.completed_at = done_title.created_at
        done_title.save()
    order = [hit.id for hit in search("백업", user=alice, kind="task").hits]
    assert order == [new_title.pk, old_title.pk, done_title.pk, body_only.pk]
