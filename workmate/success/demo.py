"""Demo accounts, meetings, themes and feedback for `manage.py seed_demo` (Korean and English).

Made through the services, so routes, tasks and notifications are what a real run leaves:
one item routed to a proposal a lead has answered (its SE owner is asked to tell the
customer), one answered and readable in the portal, one closed as "no action", one from
the portal and one from a bad CSAT comment. Run twice, it adds nothing (customers that
already have an account profile are skipped).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import User
from workmate.desk.models import Contact, Customer
from workmate.success import services
from workmate.success.models import AccountProfile, FeedbackItem, Health, Theme
from workmate.voice import leads
from workmate.voice.models import Proposal

# (customer, months since the contract started, days to renewal, SE override or "")
ACCOUNTS = [
    ("한빛은행", 26, 45, ""),
    ("별빛게임즈", 14, 200, ""),
    ("마루마켓", 9, 120, ""),
    ("온누리병원", 20, 25, Health.WATCH),
    ("한결시청", 30, 300, ""),
]
OVERRIDE_REASON = "병원 EMR 이전 프로젝트 일정이 불확실함"
BANK_NOTES = (
    "- SLA 준수율 99.2%\n- **월간 리포트**가 이사회(매월 5일)보다 늦게 나옴\n- DR 훈련 일정 협의"
)
THEMES = [
    ("월간 리포트 지연", "고객 보고서가 이사회 일정보다 늦게 나옵니다."),
    ("Backup restore speed", "Restores take longer than customers expect."),
    ("포털 사용성", "포털에서 찾기 어렵거나 불편한 점."),
]


def _contact(email: str) -> Contact | None:
    return Contact.objects.filter(email=email).first()


def seed_success_demo(people: dict[str, User]) -> int:
    """Create what does not exist yet; return how many feedback items were created."""
    lead = people.get("jimin.oh")
    if lead is None:
        return 0
    today = timezone.localdate()
    customers = {c.name: c for c in Customer.objects.select_related("se_owner")}
    if not customers or AccountProfile.objects.filter(customer__name="한빛은행").exists():
        return 0
    themes = {}
    for name, description in THEMES:
        themes[name] = Theme.objects.filter(name=name).first() or services.do_create_theme(
            lead, name=name, description=description
        )
    for name, months, renewal_days, override in ACCOUNTS:
        customer = customers.get(name)
        if customer is None:
            continue
        AccountProfile.objects.get_or_create(
            customer=customer,
            defaults={
                "contract_start": today - datetime.timedelta(days=30 * months),
                "contract_end": today + datetime.timedelta(days=renewal_days + 30),
                "renewal_on": today + datetime.timedelta(days=renewal_days),
                "health_override": override,
                "health_override_reason": "병원 EMR 이전 프로젝트 일정이 불확실함"
                if override
                else "",
                "health_override_by": lead if override else None,
            },
        )
    before = FeedbackItem.objects.count()

    bank = customers.get("한빛은행")
    if bank is not None and bank.se_owner is not None:
        sujin = _contact("sujin.park@hanbit-bank.example")
        meeting = services.do_record_meeting(
            bank.se_owner,
            bank,
            held_on=today - datetime.timedelta(days=12),
            kind="quarterly",
            title="3분기 서비스 리뷰",
            notes=BANK_NOTES,
            contacts=[sujin] if sujin else [],
            colleagues=[p for p in (people.get("doyun.kang"),) if p],
            actions=[services.ActionInput("DR 훈련 계획서 공유", people["doyun.kang"])]
            if "doyun.kang" in people
            else [],
            feedback=[
                services.FeedbackInput(
                    words="월간 리포트를 매월 3영업일까지 받아야 이사회 보고에 쓸 수 있어요.",
                    area="service",
                    importance="high",
                    contact=sujin,
                    theme=themes["월간 리포트 지연"],
                    internal_note="CFO가 직접 언급함. 재계약 논의에 영향.",
                ),
                services.FeedbackInput(
                    words="DR 훈련 결과 보고서 양식을 표준화해 주세요.",
                    area="security",
                    contact=sujin,
                ),
            ],
        )
        report_item, dr_item = meeting.feedback.order_by("pk")
        services.do_route(
            bank.se_owner,
            [report_item],
            services.RouteInput(
                "proposal",
                title="고객 월간 리포트를 3영업일 안에 발행",
                description="여러 고객이 월간 리포트가 늦다고 합니다. 리포트 생성 배치를 앞당기고 "
                "검수 절차를 줄이는 방안을 검토해 주세요.",
            ),
        )
        proposal = Proposal.objects.get(customer_feedback__item=report_item)
        answerer = people.get("minjun.kim") or lead
        leads.do_change_status(
            answerer, proposal, "planned", "다음 분기부터 리포트 배치를 매월 1일 새벽으로 옮깁니다."
        )
        services.do_route(
            bank.se_owner,
            [dr_item],
            services.RouteInput("no_action", reason="이미 LE 팀이 표준 양식을 배포함 (라이브러리)"),
        )
        services.do_answer(
            bank.se_owner,
            dr_item,
            "표준 DR 보고서 양식은 이미 있습니다. 담당자 메일로 양식과 작성 예시를 보내드렸습니다.",
        )

    games = customers.get("별빛게임즈")
    if games is not None and games.se_owner is not None:
        tom = _contact("tom.reed@byeolbit-games.example")
        meeting = services.do_record_meeting(
            games.se_owner,
            games,
            held_on=today - datetime.timedelta(days=40),
            kind="incident",
            title="Incident review: login outage on launch day",
            notes="Root cause: connection pool exhaustion. Customer asked about faster restores.",
            contacts=[tom] if tom else [],
            feedback=[
                services.FeedbackInput(
                    words="Restoring a 2 TB game database took six hours. We need it under two.",
                    area="performance",
                    importance="critical",
                    contact=tom,
                    theme=themes["Backup restore speed"],
                )
            ],
        )
        item = meeting.feedback.get()
        # Demand for a new service: the SE lead (who may start PoCs) routes it to NBD.
        if _can_start_poc(lead):
            services.do_route(
                lead,
                [item],
                services.RouteInput(
                    "poc",
                    "Faster restores with snapshot-based backups",
                    "Customers with large databases need restores under two hours.",
                ),
            )

    market = customers.get("마루마켓")
    if market is not None:
        yeeun = _contact("cloud@marumarket.example")
        if yeeun is not None:
            services.do_portal_feedback(
                yeeun,
                market,
                services.FeedbackInput(
                    words="포털에서 지난 분기 청구서를 한 번에 내려받을 수 있으면 좋겠어요.",
                    area="billing",
                    importance="low",
                    is_idea=True,
                ),
            )
    hospital = customers.get("온누리병원")
    if hospital is not None and hospital.se_owner is not None:
        services.do_capture_feedback(
            hospital.se_owner,
            hospital,
            services.FeedbackInput(
                words="야간 장애 공지가 문자로도 왔으면 합니다.",
                area="support",
                contact=_contact("emr@onnuri-hospital.example"),
                theme=themes["포털 사용성"],
            ),
            "mail",
        )
    return FeedbackItem.objects.count() - before


def _can_start_poc(user: User) -> bool:
    from workmate.pipeline.access import can_start

    return can_start(user)
