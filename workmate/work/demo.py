"""Demo projects for `manage.py seed_demo`: a few realistic projects per team.

Created once: a project that already exists (by name) is left as people changed it.
Everything goes through the same services the app uses, so the demo has history,
requests with reply-by deadlines and followers like real work.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import Team, User
from workmate.work import services
from workmate.work.models import Priority, Project, Section, TaskStatus, Visibility

# What the demo's owners write when they give a task to someone else.
DEMO_ASK = "「%(title)s」 맡아 주실 수 있을까요? 막히는 점이 있으면 댓글로 알려 주세요."

# (team, owner login, name, visibility, colour, icon, sections, tasks)
# A task is (section, title, assignee login or "", due in days or None, priority, status).
PROJECTS = [
    (
        "TE",
        "minjun.kim",
        "고객 문의 처리 개선",
        Visibility.TEAM,
        "#1f5eff",
        "🎧",
        ["접수", "진행 중", "검토", "완료"],
        [
            (
                "접수",
                "야간 P1 문의 에스컬레이션 규칙 정리",
                "seoyeon.lee",
                2,
                Priority.HIGH,
                "open",
            ),
            (
                "접수",
                "자주 묻는 질문 10선 런북으로 정리",
                "jihoon.park",
                5,
                Priority.MEDIUM,
                "open",
            ),
            (
                "진행 중",
                "RDS 장애 대응 매크로 초안",
                "yujin.choi",
                1,
                Priority.URGENT,
                "in_progress",
            ),
            (
                "진행 중",
                "CloudWatch 경보 템플릿 점검",
                "daniel.cho",
                -1,
                Priority.HIGH,
                "in_progress",
            ),
            ("검토", "10월 SLA 리포트 검토", "minjun.kim", 3, Priority.MEDIUM, "waiting"),
            ("완료", "티켓 분류 카테고리 통일", "hyunwoo.jung", -5, Priority.LOW, "done"),
        ],
    ),
    (
        "LE",
        "doyun.kang",
        "한빛은행 클라우드 전환 설계",
        Visibility.TEAM,
        "#137a3a",
        "🏦",
        ["현황 분석", "아키텍처", "보안 검토"],
        [
            ("현황 분석", "온프레미스 워크로드 목록 정리", "haeun.yoon", 4, Priority.HIGH, "open"),
            (
                "현황 분석",
                "전환 제외 대상(메인프레임) 근거 작성",
                "yerin.han",
                8,
                Priority.MEDIUM,
                "open",
            ),
            ("아키텍처", "멀티 AZ 구성안 비교", "lukas.becker", 6, Priority.HIGH, "in_progress"),
            (
                "보안 검토",
                "금융권 클라우드 가이드 체크리스트 대조",
                "haeun.yoon",
                10,
                Priority.MEDIUM,
                "open",
            ),
        ],
    ),
    (
        "SE",
        "jimin.oh",
        "분기 고객 의견 수집",
        Visibility.ORG,
        "#a15c00",
        "💬",
        ["인터뷰", "정리", "공유"],
        [
            ("인터뷰", "게임사 3곳 담당자 인터뷰", "minseo.seo", 7, Priority.MEDIUM, "open"),
            ("인터뷰", "제조사 비용 불만 사항 청취", "woojin.shin", 9, Priority.MEDIUM, "open"),
            ("정리", "요청 사항을 제안함에 등록", "sua.kwon", 12, Priority.LOW, "open"),
        ],
    ),
    (
        "SD",
        "taeyun.song",
        "Workmate 내부 도구 개선",
        Visibility.ORG,
        "#6a2ca0",
        "🛠",
        ["백로그", "개발", "배포"],
        [
            ("백로그", "Asana 데이터 이전 리허설", "jaehyun.lim", 6, Priority.MEDIUM, "open"),
            ("개발", "요청 회신 기한 알림 기능", "eunbi.cho", 4, Priority.HIGH, "in_progress"),
            ("배포", "스테이징 배포 자동화", "sungmin.bae", 2, Priority.MEDIUM, "open"),
        ],
    ),
    (
        "NBD",
        "seojun.moon",
        "생성형 AI 챗봇 PoC",
        Visibility.TEAM,
        "#b3261e",
        "🤖",
        ["실험", "문서화", "템플릿화"],
        [
            (
                "실험",
                "Bedrock 모델별 응답 품질 비교",
                "harin.jang",
                5,
                Priority.HIGH,
                "in_progress",
            ),
            ("실험", "북미 고객 데모 준비", "grace.park", 9, Priority.MEDIUM, "open"),
            ("문서화", "PoC 결과 보고서 작성", "seungwoo.noh", 14, Priority.MEDIUM, "open"),
            ("템플릿화", "PoC 프로젝트 템플릿 만들기", "seojun.moon", 20, Priority.LOW, "open"),
        ],
    ),
]


def seed_work_demo(people: dict[str, User]) -> int:
    """Create the demo projects that do not exist yet; return how many were created."""
    created = 0
    today = timezone.localdate()
    for code, owner_login, name, visibility, colour, icon, sections, tasks in PROJECTS:
        if Project.objects.filter(name=name).exists():
            continue
        owner = people[owner_login]
        project = services.do_create_project(
            owner, name=name, team=Team.objects.get(code=code), visibility=visibility, colour=colour
        )
        project.icon = icon
        project.save(update_fields=["icon"])
        by_name = {
            section: Section.objects.create(project=project, name=section, position=position)
            for position, section in enumerate(sections, start=1)
        }
        for section, title, assignee, due_in, priority, status in tasks:
            person = people[assignee] if assignee else None
            task = services.do_create_task(
                owner,
                project,
                title=title,
                section=by_name[section],
                assignee=person,
                # Work given to someone else is asked in writing, as the request box does.
                request_message=DEMO_ASK % {"title": title} if person not in (None, owner) else "",
                due_on=today + datetime.timedelta(days=due_in) if due_in is not None else None,
                priority=priority,
            )
            if status != TaskStatus.OPEN:
                services.do_update_task(owner, task, {"status": status})
        created += 1
    return created
