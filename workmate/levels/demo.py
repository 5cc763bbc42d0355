"""Demo levels for `manage.py seed_demo`: the MSP ladder published by the CTO, everyone in a
team placed on it (with a history for some), and a few months of ledger for three people:
tickets, escalations, a template used by another team, glue work (one confirmed), some
entries starred with an impact line.

Created once: the ladder is published only when there is none; a level is recorded only
for people without one; ledger entries carry a dedupe key ("demo:<n>") or are found by
title, so running the command again adds nothing. The rest of the demo (tasks completed,
requests answered, check-ins sent through the services) adds its own entries as it goes.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import Membership, TeamRole, User
from workmate.levels import ledger
from workmate.levels.ladder_seed import IC, LEAD, seed_msp_ladder
from workmate.levels.models import (
    ConfirmationState,
    EntryKind,
    GlueConfirmation,
    LedgerEntry,
    LevelChange,
    LevelChangeSource,
    PersonLevel,
)

# login -> earlier levels (months ago, level, reason) before their current one.
HISTORY = {
    "seoyeon.lee": [(26, 2, "입사 배치: 클라우드 지원 엔지니어")],
    "hyunwoo.jung": [(30, 3, "입사 배치"), (14, 4, "한빛은행 전체 환경을 주도적으로 운영")],
    "yerin.han": [(20, 4, "입사 배치"), (8, 5, "마이그레이션 표준 아키텍처 수립")],
}
# login -> current IC level (members not listed are L3).
IC_LEVELS = {"seoyeon.lee": 3, "hyunwoo.jung": 4, "daniel.cho": 2, "yerin.han": 5}

# (login, kind, months ago, title, data, starred, impact)
ENTRIES = [
    (
        "seoyeon.lee",
        EntryKind.TICKET_SOLVED,
        5,
        "#1041 한빛은행 RDS 연결 지연",
        {},
        True,
        "결제 배치 지연을 30분 안에 해소",
    ),
    ("seoyeon.lee", EntryKind.SLA_MET, 5, "#1041 한빛은행 RDS 연결 지연", {}, False, ""),
    (
        "seoyeon.lee",
        EntryKind.TICKET_RATED,
        5,
        "#1041 한빛은행 RDS 연결 지연",
        {"rating": "good"},
        False,
        "",
    ),
    ("seoyeon.lee", EntryKind.TICKET_SOLVED, 3, "#1187 별빛게임즈 CDN 캐시 오류", {}, False, ""),
    (
        "seoyeon.lee",
        EntryKind.TASK_COMPLETED,
        2,
        "야간 P1 에스컬레이션 규칙 초안",
        {"on_time": True},
        True,
        "야간 호출 누락 0건으로",
    ),
    (
        "seoyeon.lee",
        EntryKind.TEMPLATE_USED,
        1,
        "신규 고객 온보딩 체크리스트",
        {"team": "SE"},
        True,
        "SE 팀이 온보딩 3건에 그대로 사용",
    ),
    (
        "hyunwoo.jung",
        EntryKind.ESCALATION_HANDLED,
        4,
        "#1102 마루마켓 EKS 노드 장애",
        {"level": "LE"},
        True,
        "재발 방지용 노드 그룹 분리 설계",
    ),
    (
        "hyunwoo.jung",
        EntryKind.TASK_COMPLETED,
        2,
        "CloudWatch 경보 템플릿 정리",
        {"on_time": False},
        False,
        "",
    ),
    (
        "yerin.han",
        EntryKind.PROPOSAL_ADOPTED,
        6,
        "마이그레이션 사전 점검표 공유",
        {},
        True,
        "모든 LE 프로젝트의 킥오프 표준이 됨",
    ),
    (
        "yerin.han",
        EntryKind.ESCALATION_HANDLED,
        2,
        "#1150 한빛은행 VPC 피어링 설계",
        {"level": "LE"},
        False,
        "",
    ),
]

# (login, months ago, title, description, competency, colleague login, confirmed)
GLUE = [
    (
        "seoyeon.lee",
        4,
        "신입 엔지니어 온콜 멘토링",
        "박지훈 님의 첫 온콜 주간에 세 번의 야간 호출을 함께 처리했습니다.",
        "collaboration",
        "minjun.kim",
        True,
    ),
    (
        "yerin.han",
        3,
        "AWS 밋업 발표: 비용 리뷰 자동화",
        "사내 비용 리뷰 방식을 외부 밋업에서 발표했습니다.",
        "knowledge_sharing",
        "",
        False,
    ),
]


def _ago(months: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=30 * months)


def seed_levels_demo(people: dict[str, User]) -> int:
    """Publish the ladder, place people, add ledger history; returns entries added."""
    seed_msp_ladder(people.get("cto"))
    executive = people.get("cto")
    for membership in (
        Membership.objects.filter(user__in=people.values())
        .select_related("user", "team")
        .order_by("user_id", "-role")
    ):
        person = membership.user
        if PersonLevel.objects.filter(person=person).exists():
            continue
        login = next((key for key, value in people.items() if value.pk == person.pk), "")
        lead = membership.role == TeamRole.LEAD
        for months, number, reason in HISTORY.get(login, []):
            _place(person, IC, number, membership.team.code, reason, executive, _ago(months))
        _place(
            person,
            LEAD if lead else IC,
            5 if lead else IC_LEVELS.get(login, 3),
            membership.team.code,
            "팀장 임명" if lead else "현재 레벨",
            executive,
            _ago(10 if lead else 1),
        )
    added = 0
    for number, (login, kind, months, title, data, starred, impact) in enumerate(ENTRIES):
        person = people.get(login)
        if person is None:
            continue
        written = ledger.record(
            person,
            kind,
            title=title,
            data=data,
            dedupe_key=f"demo:{number}",
            occurred_at=_ago(months),
        )
        if written:
            added += 1
            LedgerEntry.objects.filter(person=person, dedupe_key=f"demo:{number}").update(
                starred=starred, impact=impact
            )
    for login, months, title, description, competency, colleague, confirmed in GLUE:
        person = people.get(login)
        if person is None or LedgerEntry.objects.filter(person=person, title=title).exists():
            continue
        entry = LedgerEntry.objects.create(
            person=person,
            kind=EntryKind.GLUE,
            competency=competency,
            competency_chosen=True,
            title=title,
            description=description,
            occurred_at=_ago(months),
            starred=True,
        )
        added += 1
        if colleague and colleague in people:
            GlueConfirmation.objects.create(
                entry=entry,
                colleague=people[colleague],
                state=ConfirmationState.CONFIRMED if confirmed else ConfirmationState.ASKED,
                asked_at=_ago(months),
                answered_at=_ago(months) if confirmed else None,
            )
    return added


def _place(person, track, number, flavour, reason, executive, when) -> None:
    """A level change as the demo's history: written directly, dated in the past."""
    current = PersonLevel.objects.filter(person=person).first()
    LevelChange.objects.create(
        person=person,
        track_code=track,
        number=number,
        flavour_code=flavour,
        previous_number=current.number if current else None,
        effective_at=when,
        reason=reason,
        source=LevelChangeSource.DECISION if current else LevelChangeSource.INITIAL,
        changed_by=executive,
    )
    PersonLevel.objects.update_or_create(
        person=person,
        defaults={"track_code": track, "number": number, "flavour_code": flavour, "since": when},
    )
