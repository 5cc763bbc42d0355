"""Demo desk for `manage.py seed_demo`: SLA policies, contacts, tickets, macros.

SLA policies are kept up to date on every run (by tier and priority); contacts by e-mail;
tickets and macros are created once (by subject / name) through the desk's services, so
they carry a real timeline, SLA clocks and logged time.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from workmate.accounts.models import Team, User
from workmate.desk import agent, services
from workmate.desk.models import (
    Category,
    Contact,
    ContactMembership,
    ContractTier,
    Customer,
    Macro,
    SLAPolicy,
    Status,
    Ticket,
)

HOUR = 60

# tier -> {priority: (first response minutes, resolution minutes, 24×7)}
SLA_POLICIES = {
    ContractTier.ENTERPRISE: {
        1: (15, 4 * HOUR, True),
        2: (HOUR, 8 * HOUR, False),
        3: (4 * HOUR, 24 * HOUR, False),
        4: (8 * HOUR, 40 * HOUR, False),
    },
    ContractTier.BUSINESS: {
        1: (30, 8 * HOUR, False),
        2: (2 * HOUR, 16 * HOUR, False),
        3: (8 * HOUR, 40 * HOUR, False),
        4: (16 * HOUR, 80 * HOUR, False),
    },
    ContractTier.STANDARD: {
        1: (HOUR, 16 * HOUR, False),
        2: (4 * HOUR, 24 * HOUR, False),
        3: (16 * HOUR, 80 * HOUR, False),
        4: (24 * HOUR, 120 * HOUR, False),
    },
}

# (customer name, e-mail, full name, language)
CONTACTS = [
    ("한빛은행", "sujin.park@hanbit-bank.example", "박수진", "ko"),
    ("한빛은행", "ops@hanbit-card.example", "한빛카드 운영팀", "ko"),
    ("한결시청", "infra@hangyeol.go.example", "김정민", "ko"),
    ("별빛게임즈", "devops@byeolbit-games.example", "이하늘", "ko"),
    ("별빛게임즈", "tom.reed@byeolbit-games.example", "Tom Reed", "en"),
    ("대성정밀", "it@daesung-precision.example", "최동현", "ko"),
    ("마루마켓", "cloud@marumarket.example", "정예은", "ko"),
    ("온누리병원", "emr@onnuri-hospital.example", "오세훈", "ko"),
]

# (subject, customer, requester e-mail, priority, category, hours ago, assignee login,
#  tags, [(author login, body, internal, minutes, billable, status or None)])
TICKETS = [
    (
        "인터넷뱅킹 로그인 지연 (P1)",
        "한빛은행",
        "sujin.park@hanbit-bank.example",
        1,
        Category.INCIDENT,
        1,
        "seoyeon.lee",
        ["rds", "latency"],
        [("seoyeon.lee", "RDS 커넥션 수를 확인하고 있습니다.", False, 15, True, None)],
    ),
    (
        "카드 승인 API 5xx 증가",
        "한빛은행",
        "ops@hanbit-card.example",
        2,
        Category.INCIDENT,
        6,
        "jihoon.park",
        ["api-gateway"],
        [
            ("jihoon.park", "ALB 로그 공유 부탁드립니다.", False, 20, True, Status.PENDING),
            ("jihoon.park", "고객 답변 대기. 게이트웨이 타임아웃 의심.", True, 10, False, None),
        ],
    ),
    (
        "민원 포털 SSL 인증서 갱신 요청",
        "한결시청",
        "infra@hangyeol.go.example",
        3,
        Category.SERVICE_REQUEST,
        30,
        "",
        ["ssl"],
        [],
    ),
    (
        "신규 이벤트 서버 증설 검토",
        "별빛게임즈",
        "devops@byeolbit-games.example",
        2,
        Category.ARCHITECTURE,
        3,
        "yujin.choi",
        ["scaling"],
        [("yujin.choi", "이벤트 트래픽 예상치를 여쭤봐도 될까요?", False, 30, True, None)],
    ),
    (
        "Game server latency from EU",
        "별빛게임즈",
        "tom.reed@byeolbit-games.example",
        3,
        Category.INCIDENT,
        20,
        "daniel.cho",
        ["latency", "cdn"],
        [("daniel.cho", "Could you share a traceroute from Frankfurt?", False, 10, True, None)],
    ),
    (
        "백업 정책 변경 요청",
        "대성정밀",
        "it@daesung-precision.example",
        4,
        Category.CHANGE_REQUEST,
        48,
        "hyunwoo.jung",
        ["backup"],
        [("hyunwoo.jung", "변경 계획서 작성 중입니다.", True, 45, False, None)],
    ),
    (
        "11월 청구서 항목 문의",
        "마루마켓",
        "cloud@marumarket.example",
        4,
        Category.BILLING,
        10,
        "",
        ["billing"],
        [],
    ),
    (
        "블랙프라이데이 대비 오토스케일링 점검",
        "마루마켓",
        "cloud@marumarket.example",
        2,
        Category.SERVICE_REQUEST,
        26,
        "seoyeon.lee",
        ["scaling", "event"],
        [("seoyeon.lee", "정책 검토 후 회신드리겠습니다.", False, 25, True, None)],
    ),
    (
        "EMR 서버 디스크 사용량 경보",
        "온누리병원",
        "emr@onnuri-hospital.example",
        1,
        Category.INCIDENT,
        0,
        "",
        ["disk"],
        [],
    ),
    (
        "VPN 터널 간헐적 끊김",
        "온누리병원",
        "emr@onnuri-hospital.example",
        3,
        Category.INCIDENT,
        72,
        "jihoon.park",
        ["vpn", "network"],
        [
            ("jihoon.park", "터널 로그 확인 결과 ISP 측 문제로 보입니다.", False, 40, True, None),
            ("jihoon.park", "조치 완료되었습니다.", False, 10, True, Status.SOLVED),
        ],
    ),
    (
        "IAM 권한 추가 요청",
        "한결시청",
        "infra@hangyeol.go.example",
        4,
        Category.SERVICE_REQUEST,
        4,
        "",
        ["iam"],
        [],
    ),
]

# A mail from someone the desk does not know yet: it waits in triage.
TRIAGE = ("문의드립니다 (견적)", "someone@unknown-startup.example")

MACROS = [
    (
        "로그 요청",
        "{{ contact_name }}님, 안녕하세요. #{{ ticket_number }} 확인을 위해 관련 로그를 "
        "공유해 주시겠어요?\n\n{{ agent_name }} 드림",
        Status.PENDING,
    ),
    (
        "Solved — please confirm",
        "Hi {{ contact_name }},\n\nWe believe #{{ ticket_number }} is solved. Reply to this "
        "mail if anything is still wrong.\n\n{{ agent_name }}, for {{ customer_name }}",
        Status.SOLVED,
    ),
]


def seed_desk_demo(people: dict[str, User], password_hash: str = "") -> int:
    """Policies and contacts kept current; tickets and macros created once. Returns how many
    tickets were created. With `password_hash`, every demo contact can sign in to the portal
    with the demo password."""
    for tier, targets in SLA_POLICIES.items():
        for priority, (first, resolution, around) in targets.items():
            SLAPolicy.objects.update_or_create(
                tier=tier,
                priority=priority,
                defaults={
                    "first_response_minutes": first,
                    "resolution_minutes": resolution,
                    "around_the_clock": around,
                },
            )
    customers = {customer.name: customer for customer in Customer.objects.all()}
    contacts: dict[str, Contact] = {}
    for customer_name, email, full_name, language in CONTACTS:
        defaults = {"full_name": full_name, "language": language}
        if password_hash:
            defaults["password"] = password_hash
        contact, _ = Contact.objects.update_or_create(email=email, defaults=defaults)
        ContactMembership.objects.get_or_create(customer=customers[customer_name], contact=contact)
        contacts[email] = contact
    te = Team.objects.filter(code="TE").first()
    lead = people["minjun.kim"]
    for name, body, status in MACROS:
        Macro.objects.get_or_create(
            name=name,
            defaults={"body": body, "team": te, "set_status": status, "created_by": lead},
        )
    now = timezone.now()
    created = 0
    for subject, customer, email, priority, category, hours_ago, assignee, tags, work in TICKETS:
        if Ticket.objects.filter(subject=subject).exists():
            continue
        ticket = services.do_create_ticket(
            subject=subject,
            description=subject,
            customer=customers[customer],
            requester=contacts[email],
            priority=priority,
            category=category,
            created_at=now - datetime.timedelta(hours=hours_ago, minutes=20),
        )
        if assignee:
            services.do_assign(lead, ticket, people[assignee])
        if tags:
            agent.do_set_tags(lead, ticket, tags)
        for login, text, internal, minutes, billable, status in work:
            services.do_reply(
                people[login],
                ticket,
                text,
                internal=internal,
                minutes=minutes,
                billable=billable,
                status=status,
            )
        created += 1
    subject, sender = TRIAGE
    if not Ticket.objects.filter(subject=subject).exists():
        services.do_create_ticket(
            subject=subject,
            description="클라우드 이전 견적을 받고 싶습니다.",
            customer=None,
            requester=None,
            from_email=sender,
            created_at=now - datetime.timedelta(hours=2),
        )
        created += 1
    return created
