"""Demo PoCs, vendor contracts and project status updates for `manage.py seed_demo`.

Created once (by title) through the services, so every step leaves its timeline as a real
run would. A PoC goes past "decided" only when the library's demo has a verified page to
serve as its runbook.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from workmate.accounts.models import Team, User
from workmate.pipeline import services
from workmate.pipeline.models import PoC, Stage
from workmate.pipeline.services import CriterionIn
from workmate.voice.models import Proposal
from workmate.work import status, templating
from workmate.work.models import Project

# (project name, health, summary, next milestone, cadence in days)
STATUS_UPDATES = [
    (
        "고객 문의 처리 개선",
        "on_track",
        "야간 P1 에스컬레이션 규칙 초안이 나왔고 이번 주 검토합니다.",
        "규칙 확정 및 공지",
        7,
    ),
    (
        "한빛은행 클라우드 전환 설계",
        "at_risk",
        "네트워크 설계 검토가 고객사 보안팀 일정 때문에 일주일 밀렸습니다.",
        "보안 검토 회의",
        7,
    ),
    ("생성형 AI 챗봇 PoC", "on_track", "사내 FAQ 200건으로 정확도 측정을 시작했습니다.", "", 14),
]

RUNNING_CRITERIA = [
    CriterionIn("월 스토리지 비용", "현재 대비 40% 이상 절감"),
    CriterionIn("1TB 복원 시간", "2시간 이내"),
    CriterionIn("백업 실패율", "주 1회 미만"),
]
DECIDED_CRITERIA = [
    CriterionIn("FAQ 정답률", "85% 이상", "88%", True),
    CriterionIn("응답 시간 p95", "3초 이내", "2.1초", True),
    CriterionIn("월 비용", "50만 원 이하", "62만 원", False),
]


def _criteria(rows: list[CriterionIn]) -> list[CriterionIn]:
    return [CriterionIn(r.description, r.target, r.result, r.met) for r in rows]


def seed_pipeline_demo(people: dict[str, User]) -> int:
    """Create the demo rows that do not exist yet; return how many PoCs were created."""
    today = timezone.localdate()
    nbd = Team.objects.filter(code=settings.PIPELINE_TEAM).first()
    lead, manager = people.get("seojun.moon"), people.get("harin.jang")
    if nbd is None or lead is None or manager is None:
        return 0
    for name, health, summary, milestone, every in STATUS_UPDATES:
        project = Project.objects.filter(name=name).select_related("owner").first()
        if project is not None and not project.status_updates.exists():
            status.do_post_status_update(
                project.owner,
                project,
                health=health,
                summary=summary,
                next_milestone=milestone,
                every_days=every,
            )
    created = 0

    def new(title: str, **fields: object) -> PoC | None:
        nonlocal created
        if PoC.objects.filter(title=title).exists():
            return None
        created += 1
        return services.do_create_poc(lead, title=title, team=nbd, **fields)

    # From a Voice proposal: still an idea.
    proposal = Proposal.objects.filter(
        title="고객사별 아키텍처 다이어그램을 한곳에 모아 주세요"
    ).first()
    if proposal is not None and not PoC.objects.filter(proposal=proposal).exists():
        services.do_turn_proposal_into_poc(lead, proposal, team=nbd)
        created += 1

    # A newly contracted service under review.
    if not PoC.objects.filter(contract__vendor="Naver Cloud").exists():
        services.do_record_contract(
            manager,
            vendor="Naver Cloud",
            service="Object Storage 아카이브 티어",
            contracted_on=today - datetime.timedelta(days=3),
            account_manager="김도현 (네이버클라우드 파트너팀)",
            account_manager_email="dohyun.kim@ncloud.example",
            notes="장기 보관 백업을 싸게 두는 아카이브 티어. 고객 백업 상품에 쓸 수 있는지 검토.",
            team=nbd,
        )
        created += 1

    # Running, its time box ending within the week.
    running = new(
        "오브젝트 스토리지로 고객 백업 이전", idea="NAS 백업 비용을 줄이자는 제안에서 시작."
    )
    if running is not None:
        services.do_update_poc(
            lead,
            running,
            owner=manager,
            believe="고객 야간 백업을 오브젝트 스토리지 아카이브 티어로 옮기면",
            will="복원 시간을 지키면서 스토리지 비용을 40% 줄일 것이다",
            measured_by="월 청구서와 분기 복원 훈련 기록",
            starts_on=today - datetime.timedelta(days=16),
            ends_on=today + datetime.timedelta(days=4),
            budget_krw=3_000_000,
            actual_cost_krw=1_850_000,
            criteria=_criteria(RUNNING_CRITERIA),
        )
        services.do_advance(lead, running, Stage.RUNNING)

    # Decided (go), waiting for its runbook.
    decided = new("사내 FAQ 생성형 AI 챗봇", idea="반복 문의를 줄이기 위한 챗봇.")
    if decided is not None:
        services.do_update_poc(
            lead,
            decided,
            believe="사내 FAQ를 학습한 챗봇을 두면",
            will="TE 반복 문의를 30% 줄일 것이다",
            measured_by="월별 문의 건수와 챗봇 정답률",
            starts_on=today - datetime.timedelta(days=40),
            ends_on=today - datetime.timedelta(days=10),
            budget_krw=5_000_000,
            actual_cost_krw=4_200_000,
            criteria=_criteria(DECIDED_CRITERIA),
        )
        services.do_advance(lead, decided, Stage.RUNNING)
        services.do_decide(
            lead,
            decided,
            context="TE가 같은 질문에 매주 10시간 이상 답하고 있다.",
            options="생성형 AI 챗봇\nFAQ 페이지 정리만\n외부 헬프데스크 도입",
            decision="go",
            outcome="생성형 AI 챗봇: 정답률 88%, 비용은 모델 크기를 줄여 맞춘다.",
            consequences="모델 비용 관리가 필요하다. FAQ 문서 소유자가 정해져야 한다.",
            revisit_on=today + datetime.timedelta(days=90),
        )
        _document_and_roll_out(lead, decided, today)

    # Dropped, with the reason.
    dropped = new("GPU 스팟 인스턴스 렌더링 상품", idea="고객 렌더링 작업을 스팟으로.")
    if dropped is not None:
        services.do_drop(lead, dropped, reason="국내 리전에 GPU 스팟 용량이 없어 상품화가 어렵다.")
    return created


def _document_and_roll_out(actor: User, poc: PoC, today: datetime.date) -> None:
    """Take a decided PoC to rolled out when the library has a verified page for it."""
    from workmate.library.models import Page

    runbook = Page.objects.verified(today).order_by("pk").first()
    template = templating.templates_for(actor).first()
    if runbook is None or template is None:
        return
    services.do_advance(actor, poc, Stage.DOCUMENTED, runbook=runbook)
    services.do_advance(actor, poc, Stage.TEMPLATED, project_template=template)
    adopters = Team.objects.filter(code__in=["TE", "SE"])
    services.do_advance(actor, poc, Stage.ROLLED_OUT, adopted_by=adopters)
