"""Demo check-ins for `manage.py seed_demo`: a weekly Friday check-in for two teams, with
the answers of the last two Fridays.

Created once: a check-in is found by team and title, an answer by its person and date,
so running the command again adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import Team, User
from workmate.checkins.models import Checkin, CheckinResponse, Frequency

TITLE = "주간 체크인"
QUESTIONS = ["이번 주에 한 일", "다음 주에 할 일", "막힌 점"]
FRIDAY, AT = 4, datetime.time(16)

# team code -> (lead login, {weeks back: [(login, [answers])]})
CHECKINS = {
    "TE": (
        "minjun.kim",
        {
            1: [
                (
                    "seoyeon.lee",
                    [
                        "- 야간 P1 문의 에스컬레이션 규칙 초안 작성\n- 한빛은행 RDS 문의 3건 처리",
                        "- 에스컬레이션 규칙 팀 리뷰",
                        "",
                    ],
                ),
                (
                    "daniel.cho",
                    [
                        "- Reviewed the CloudWatch alarm templates",
                        "- Roll the new templates out to two customers",
                        "Waiting for 별빛게임즈 to approve the maintenance window.",
                    ],
                ),
            ],
            2: [
                (
                    "seoyeon.lee",
                    ["- 자주 묻는 질문 런북 5건 정리", "- 에스컬레이션 규칙 초안", ""],
                ),
                ("jihoon.park", ["- 마루마켓 장애 회고 문서 작성", "- 런북 정리 이어서", ""]),
            ],
        },
    ),
    "SD": (
        "taeyun.song",
        {
            1: [
                (
                    "eunbi.cho",
                    [
                        "- 체크인 알림 API 구현\n- 코드 리뷰 4건",
                        "- 알림 묶음 처리 성능 개선",
                        "스테이징 DB 용량이 부족합니다.",
                    ],
                ),
                (
                    "jiwoo.hong",
                    ["- 배포 파이프라인 캐시 적용 (빌드 40% 단축)", "- 모니터링 대시보드", ""],
                ),
            ],
            2: [
                ("eunbi.cho", ["- 알림 설정 화면 백엔드", "- 체크인 알림 API", ""]),
            ],
        },
    ),
}


def last_friday(today: datetime.date) -> datetime.date:
    """The most recent Friday strictly before `today`."""
    return today - datetime.timedelta(days=(today.weekday() - FRIDAY - 1) % 7 + 1)


def seed_checkins_demo(people: dict[str, User]) -> int:
    """Create the demo check-ins and their past answers; returns how many answers it added."""
    now = timezone.now()
    friday = last_friday(timezone.localdate(now))
    added = 0
    for code, (lead, weeks) in CHECKINS.items():
        team = Team.objects.filter(code=code).first()
        if team is None:
            continue
        checkin, _ = Checkin.objects.get_or_create(
            team=team,
            title=TITLE,
            defaults={
                "questions": QUESTIONS,
                "frequency": Frequency.WEEKLY,
                "weekday": FRIDAY,
                "time_of_day": AT,
                "created_by": people[lead],
                "active_since": now,
            },
        )
        for weeks_back, rows in weeks.items():
            day = friday - datetime.timedelta(weeks=weeks_back - 1)
            for login, answers in rows:
                person = people[login]
                due_at = datetime.datetime.combine(day, AT, tzinfo=person.profile.zone)
                _, created = CheckinResponse.objects.get_or_create(
                    checkin=checkin,
                    person=person,
                    occurrence=day,
                    defaults={
                        "due_at": due_at,
                        "questions": list(checkin.questions),
                        "answers": answers,
                        "pinged_at": due_at,
                        "submitted_at": due_at + datetime.timedelta(minutes=40),
                    },
                )
                added += created
    return added
