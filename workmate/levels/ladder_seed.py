"""A starting ladder for an MSP tech division, in English and Korean.

Two tracks (individual contributor L1–L7, lead L4–L7), six competencies, and the five
families of the division (TE, LE, SE, SD, NBD) reading the same competencies their own
way. An executive publishes it as the first version from the ladder page (or the demo
does); every later edit is a new version.
"""

from __future__ import annotations

from django.db import transaction

from workmate.accounts.models import User
from workmate.levels.models import (
    Competency,
    Expectation,
    Flavour,
    LadderVersion,
    Level,
    Track,
)

IC, LEAD = "ic", "lead"

TRACKS = [
    (IC, "Individual contributor", "개인 기여자"),
    (LEAD, "Lead", "리드"),
]

# code, English, Korean, description (en), description (ko)
COMPETENCIES = [
    (
        "technical_depth",
        "Technical depth",
        "기술 깊이",
        "Knowing the systems well enough to design, fix and judge them.",
        "시스템을 설계하고 고치고 판단할 수 있을 만큼 깊이 아는 것.",
    ),
    (
        "customer_impact",
        "Customer impact",
        "고객 영향",
        "What changes for customers because of the work.",
        "일의 결과로 고객에게 실제로 달라지는 것.",
    ),
    (
        "delivery",
        "Delivery",
        "실행",
        "Finishing what was promised, when it was promised, at the quality agreed.",
        "약속한 일을 약속한 때에 합의한 품질로 끝내는 것.",
    ),
    (
        "collaboration",
        "Collaboration",
        "협업",
        "Making the people around you more effective, in writing and in time.",
        "글로, 제때에 주변 사람들이 더 잘 일하게 돕는 것.",
    ),
    (
        "knowledge_sharing",
        "Knowledge sharing",
        "지식 공유",
        "Writing down what you know so others do not have to ask.",
        "다른 사람이 묻지 않아도 되도록 아는 것을 글로 남기는 것.",
    ),
    (
        "ownership",
        "Ownership",
        "주인의식",
        "Seeing problems through, including the ones nobody assigned.",
        "아무도 맡기지 않은 문제까지 끝까지 책임지는 것.",
    ),
]

FLAVOURS = [
    ("TE", "Technical Engineering", "기술 엔지니어링"),
    ("LE", "Lead Engineering", "리드 엔지니어링"),
    ("SE", "Customer Success", "고객 성공"),
    ("SD", "Software Development", "소프트웨어 개발"),
    ("NBD", "New Business Development", "신규 사업 개발"),
]

# number, title (en), title (ko), scope and impact (en), (ko)
IC_LEVELS = [
    (
        1,
        "Associate",
        "어소시에이트",
        "Own tasks, with guidance.",
        "지도를 받으며 자기 일을 합니다.",
    ),
    (2, "Engineer", "엔지니어", "Own tasks, independently.", "자기 일을 스스로 해냅니다."),
    (
        3,
        "Senior",
        "시니어",
        "A service or a customer account end to end.",
        "하나의 서비스나 고객 계정을 처음부터 끝까지 맡습니다.",
    ),
    (
        4,
        "Staff",
        "스태프",
        "Several services or accounts; sets how the team does them.",
        "여러 서비스나 계정을 맡고 팀의 방식을 정합니다.",
    ),
    (
        5,
        "Principal",
        "프린시펄",
        "The team's hardest problems; shapes other teams' work.",
        "팀의 가장 어려운 문제를 풀고 다른 팀의 일에도 영향을 줍니다.",
    ),
    (
        6,
        "Distinguished",
        "디스팅귀시드",
        "The division's direction in their field.",
        "자기 분야에서 본부의 방향을 정합니다.",
    ),
    (
        7,
        "Fellow",
        "펠로",
        "The company and the industry beyond it.",
        "회사와 업계 전체에 영향을 줍니다.",
    ),
]

LEAD_LEVELS = [
    (
        4,
        "Team lead",
        "팀 리드",
        "A team of up to eight: its people, its work, its customers.",
        "여덟 명까지의 팀: 사람, 일, 고객을 이끕니다.",
    ),
    (
        5,
        "Senior team lead",
        "시니어 팀 리드",
        "A larger team or two small ones, and their leads.",
        "큰 팀이나 작은 팀 둘과 그 리드들을 이끕니다.",
    ),
    (
        6,
        "Head of practice",
        "실장",
        "A practice across teams (e.g. all of support).",
        "여러 팀에 걸친 조직(예: 지원 전체)을 이끕니다.",
    ),
    (
        7,
        "Division director",
        "본부장",
        "The division.",
        "본부 전체를 이끕니다.",
    ),
]

# Expectations of the individual contributor track per competency, L1..L7 (en, ko).
IC_EXPECTATIONS: dict[str, list[tuple[str, str]]] = {
    "technical_depth": [
        (
            "Learns the team's tools and systems; asks before changing what they do not know.",
            "팀의 도구와 시스템을 배웁니다. 모르는 것을 바꾸기 전에 묻습니다.",
        ),
        (
            "Solves the common problems of their area without help.",
            "자기 영역의 흔한 문제를 도움 없이 풉니다.",
        ),
        (
            "Diagnoses unfamiliar problems; knows why a fix works.",
            "낯선 문제를 진단하고, 해결책이 왜 통하는지 압니다.",
        ),
        (
            "Designs solutions others build on; reviews others' designs.",
            "다른 사람이 기반으로 삼는 해법을 설계하고 남의 설계를 검토합니다.",
        ),
        (
            "Is the person the team calls for the hardest incidents and designs.",
            "가장 어려운 장애와 설계에 팀이 찾는 사람입니다.",
        ),
        (
            "Sets the technical standards of the division in their field.",
            "자기 분야에서 본부의 기술 기준을 정합니다.",
        ),
        (
            "Is known outside the company for their depth; shapes the company's bets.",
            "깊이로 회사 밖에서도 알려져 있고 회사의 기술 선택을 이끕니다.",
        ),
    ],
    "customer_impact": [
        (
            "Answers customers correctly and politely, with help.",
            "도움을 받아 고객에게 정확하고 정중하게 답합니다.",
        ),
        ("Solves customers' requests within their SLA.", "고객 요청을 SLA 안에 해결합니다."),
        (
            "Owns a customer's outcome, not just their tickets.",
            "고객의 티켓이 아니라 고객의 결과를 책임집니다.",
        ),
        (
            "Changes how several customers run, measurably.",
            "여러 고객의 운영 방식을 측정 가능하게 바꿉니다.",
        ),
        (
            "Wins and keeps the division's most demanding customers.",
            "본부의 가장 까다로운 고객을 얻고 지킵니다.",
        ),
        ("Shapes what the division offers customers.", "본부가 고객에게 제공하는 것을 만듭니다."),
        ("Changes what customers in the market expect.", "시장의 고객이 기대하는 것을 바꿉니다."),
    ],
    "delivery": [
        ("Finishes small, well-defined tasks on time.", "작고 명확한 일을 제때 끝냅니다."),
        (
            "Plans their own work and says early when a date is at risk.",
            "자기 일을 계획하고 일정이 위험하면 일찍 알립니다.",
        ),
        (
            "Delivers projects of a few weeks; cuts scope rather than quality.",
            "몇 주짜리 프로젝트를 끝내고, 품질보다 범위를 줄입니다.",
        ),
        (
            "Delivers multi-team projects; removes what blocks others.",
            "여러 팀의 프로젝트를 끝내고 다른 사람을 막는 것을 치웁니다.",
        ),
        (
            "Delivers the division's largest, most uncertain work.",
            "본부에서 가장 크고 불확실한 일을 해냅니다.",
        ),
        ("Makes the division deliver predictably.", "본부가 예측 가능하게 일하도록 만듭니다."),
        (
            "Makes the company deliver what it promises the market.",
            "회사가 시장에 약속한 것을 해내게 합니다.",
        ),
    ],
    "collaboration": [
        (
            "Answers requests by their reply-by; asks in writing.",
            "요청에 회신 기한 안에 답하고, 부탁은 글로 합니다.",
        ),
        ("Helps teammates without being asked twice.", "두 번 부탁받지 않아도 동료를 돕습니다."),
        (
            "Makes work across teams go smoothly; gives useful feedback.",
            "팀 간 일이 매끄럽게 흐르게 하고 쓸모 있는 피드백을 줍니다.",
        ),
        (
            "Mentors others; resolves disagreements in writing.",
            "다른 사람을 멘토링하고 이견을 글로 풀어냅니다.",
        ),
        (
            "Builds the habits that make several teams work well together.",
            "여러 팀이 잘 협업하는 습관을 만듭니다.",
        ),
        (
            "Builds the division's culture of written, asynchronous work.",
            "본부의 글 중심, 비동기 협업 문화를 만듭니다.",
        ),
        ("Is a model of collaboration for the whole company.", "회사 전체의 협업 본보기입니다."),
    ],
    "knowledge_sharing": [
        (
            "Writes down what they learn; keeps their notes findable.",
            "배운 것을 적고 찾을 수 있게 둡니다.",
        ),
        ("Keeps the runbooks of their area current.", "자기 영역의 런북을 최신으로 유지합니다."),
        ("Writes runbooks and templates others use.", "다른 사람이 쓰는 런북과 템플릿을 만듭니다."),
        (
            "Organises the team's knowledge; teaches in talks and reviews.",
            "팀의 지식을 정리하고 발표와 리뷰로 가르칩니다.",
        ),
        (
            "Their writing is how other teams learn the field.",
            "다른 팀이 그 분야를 배우는 통로가 그의 글입니다.",
        ),
        ("Builds how the division learns.", "본부가 배우는 방식을 만듭니다."),
        (
            "Teaches the industry: talks, papers, open source.",
            "발표, 글, 오픈소스로 업계를 가르칩니다.",
        ),
    ],
    "ownership": [
        (
            "Follows their tasks to done and says when they are stuck.",
            "맡은 일을 끝까지 하고 막히면 말합니다.",
        ),
        (
            "Fixes small problems they find, even outside their task.",
            "자기 일이 아니어도 발견한 작은 문제를 고칩니다.",
        ),
        (
            "Takes on problems nobody owns; proposes improvements.",
            "주인 없는 문제를 맡고 개선을 제안합니다.",
        ),
        (
            "Owns the health of a service or practice over time.",
            "서비스나 업무 방식의 건강을 오래 책임집니다.",
        ),
        (
            "Owns the outcomes the division cares most about.",
            "본부가 가장 중요하게 여기는 결과를 책임집니다.",
        ),
        ("Acts as an owner of the division.", "본부의 주인처럼 행동합니다."),
        ("Acts as an owner of the company.", "회사의 주인처럼 행동합니다."),
    ],
}

# Expectations of the lead track per competency, L4..L7: the same competencies, for a team.
LEAD_EXPECTATIONS: dict[str, list[tuple[str, str]]] = {
    "technical_depth": [
        (
            "Knows the team's systems well enough to judge its designs and risks.",
            "팀의 설계와 위험을 판단할 만큼 시스템을 압니다.",
        ),
        (
            "Builds technical judgement in the leads and seniors around them.",
            "주변 리드와 시니어의 기술 판단력을 키웁니다.",
        ),
        ("Sets the technical direction of the practice.", "조직의 기술 방향을 정합니다."),
        (
            "Sets the division's technical strategy with the executives.",
            "경영진과 함께 본부의 기술 전략을 정합니다.",
        ),
    ],
    "customer_impact": [
        (
            "The team's customers are served within their SLAs, and know who to call.",
            "팀의 고객이 SLA 안에 서비스받고, 누구에게 연락할지 압니다.",
        ),
        (
            "Turns customers' feedback into the teams' priorities.",
            "고객 피드백을 팀의 우선순위로 바꿉니다.",
        ),
        ("The practice's customers renew and grow.", "조직의 고객이 재계약하고 성장합니다."),
        (
            "The division's customers trust it with more of their business.",
            "고객이 본부에 더 많은 일을 맡깁니다.",
        ),
    ],
    "delivery": [
        (
            "The team delivers what it commits to; risks are said early.",
            "팀이 약속한 것을 해내고 위험을 일찍 말합니다.",
        ),
        ("Several teams deliver predictably together.", "여러 팀이 함께 예측 가능하게 해냅니다."),
        (
            "The practice plans in writing and meets its plans.",
            "조직이 글로 계획하고 계획을 지킵니다.",
        ),
        ("The division meets its yearly goals.", "본부가 연간 목표를 달성합니다."),
    ],
    "collaboration": [
        (
            "Answers proposals and requests in writing, in time; runs fair, written reviews.",
            "제안과 요청에 제때 글로 답하고 공정한 서면 리뷰를 운영합니다.",
        ),
        (
            "Grows leads; teams work well with each other.",
            "리드를 키우고 팀끼리 잘 협업하게 합니다.",
        ),
        (
            "The practice works well with every other part of the company.",
            "조직이 회사의 다른 모든 부분과 잘 협업합니다.",
        ),
        (
            "The division is a place people want to join and stay.",
            "사람들이 오고 싶고 머물고 싶은 본부를 만듭니다.",
        ),
    ],
    "knowledge_sharing": [
        (
            "The team's knowledge is written down and current.",
            "팀의 지식이 글로 남아 있고 최신입니다.",
        ),
        (
            "Teams learn from each other's runbooks and post-mortems.",
            "팀들이 서로의 런북과 회고에서 배웁니다.",
        ),
        (
            "The practice's knowledge outlives any one person.",
            "조직의 지식이 어느 한 사람보다 오래 남습니다.",
        ),
        (
            "The division shares what it learns with the company and industry.",
            "본부가 배운 것을 회사와 업계에 나눕니다.",
        ),
    ],
    "ownership": [
        (
            "Owns the team's results and its people's growth.",
            "팀의 결과와 구성원의 성장을 책임집니다.",
        ),
        ("Owns the results of several teams.", "여러 팀의 결과를 책임집니다."),
        ("Owns a practice's results and budget.", "조직의 결과와 예산을 책임집니다."),
        ("Owns the division's results.", "본부의 결과를 책임집니다."),
    ],
}

# How each family reads a competency (en, ko); joined to the level's scope line.
FLAVOUR_READINGS: dict[str, dict[str, tuple[str, str]]] = {
    "TE": {
        "technical_depth": (
            "In TE: cloud operations, monitoring, incident diagnosis.",
            "TE에서는: 클라우드 운영, 모니터링, 장애 진단.",
        ),
        "customer_impact": (
            "In TE: tickets solved within SLA and good CSAT.",
            "TE에서는: SLA 안의 티켓 해결과 좋은 고객 만족도.",
        ),
        "delivery": (
            "In TE: changes and maintenance done in their window.",
            "TE에서는: 변경과 점검을 정해진 시간 안에 마침.",
        ),
        "collaboration": (
            "In TE: clean hand-offs between shifts and escalations.",
            "TE에서는: 교대와 에스컬레이션의 깔끔한 인계.",
        ),
        "knowledge_sharing": (
            "In TE: runbooks that the next shift can follow.",
            "TE에서는: 다음 교대가 따라 할 수 있는 런북.",
        ),
        "ownership": (
            "In TE: recurring incidents removed at their cause.",
            "TE에서는: 반복 장애를 원인에서 제거함.",
        ),
    },
    "LE": {
        "technical_depth": (
            "In LE: architecture, migrations, cost and security trade-offs.",
            "LE에서는: 아키텍처, 마이그레이션, 비용과 보안의 균형.",
        ),
        "customer_impact": (
            "In LE: customers' architectures that hold up and cost less.",
            "LE에서는: 견고하고 비용이 덜 드는 고객 아키텍처.",
        ),
        "delivery": (
            "In LE: designs and migrations finished as planned.",
            "LE에서는: 계획대로 끝난 설계와 마이그레이션.",
        ),
        "collaboration": (
            "In LE: escalations handled with TE and SE, in writing.",
            "LE에서는: TE, SE와 글로 함께 처리한 에스컬레이션.",
        ),
        "knowledge_sharing": (
            "In LE: reference architectures and decision records.",
            "LE에서는: 참조 아키텍처와 결정 기록.",
        ),
        "ownership": ("In LE: PoCs taken to a decision.", "LE에서는: 결정까지 이끈 PoC."),
    },
    "SE": {
        "technical_depth": (
            "In SE: enough of the services to explain and scope them.",
            "SE에서는: 서비스를 설명하고 범위를 정할 만큼의 이해.",
        ),
        "customer_impact": (
            "In SE: customers onboarded, reviewed and renewed.",
            "SE에서는: 온보딩, 정기 리뷰, 재계약된 고객.",
        ),
        "delivery": (
            "In SE: service reviews and reports on time.",
            "SE에서는: 제때 한 서비스 리뷰와 보고.",
        ),
        "collaboration": (
            "In SE: the customer's voice brought to TE, LE and SD.",
            "SE에서는: 고객의 목소리를 TE, LE, SD에 전달함.",
        ),
        "knowledge_sharing": (
            "In SE: customer records anyone can pick up.",
            "SE에서는: 누구나 이어받을 수 있는 고객 기록.",
        ),
        "ownership": ("In SE: a customer's whole relationship.", "SE에서는: 고객과의 관계 전체."),
    },
    "SD": {
        "technical_depth": (
            "In SD: code, tests and systems that stay maintainable.",
            "SD에서는: 유지보수할 수 있는 코드, 테스트, 시스템.",
        ),
        "customer_impact": (
            "In SD: tools that save colleagues' and customers' time.",
            "SD에서는: 동료와 고객의 시간을 아끼는 도구.",
        ),
        "delivery": (
            "In SD: small, frequent releases that work.",
            "SD에서는: 잘 동작하는 작고 잦은 배포.",
        ),
        "collaboration": (
            "In SD: reviews that teach; requirements clarified in writing.",
            "SD에서는: 가르치는 리뷰와 글로 분명히 한 요구사항.",
        ),
        "knowledge_sharing": (
            "In SD: documentation and templates others reuse.",
            "SD에서는: 다른 사람이 다시 쓰는 문서와 템플릿.",
        ),
        "ownership": (
            "In SD: what they built keeps running in production.",
            "SD에서는: 만든 것이 운영에서 계속 잘 돌아감.",
        ),
    },
    "NBD": {
        "technical_depth": (
            "In NBD: enough of the offering to qualify deals honestly.",
            "NBD에서는: 정직하게 영업 기회를 판단할 만큼의 이해.",
        ),
        "customer_impact": ("In NBD: new customers who stay.", "NBD에서는: 오래 남는 신규 고객."),
        "delivery": (
            "In NBD: proposals and follow-ups on time.",
            "NBD에서는: 제때 낸 제안서와 후속 조치.",
        ),
        "collaboration": (
            "In NBD: deals handed to SE and LE with everything written down.",
            "NBD에서는: 모든 것을 적어 SE와 LE에 넘긴 계약.",
        ),
        "knowledge_sharing": (
            "In NBD: market notes and proposal templates.",
            "NBD에서는: 시장 메모와 제안서 템플릿.",
        ),
        "ownership": ("In NBD: partnerships followed through.", "NBD에서는: 끝까지 챙긴 파트너십."),
    },
}


@transaction.atomic
def seed_msp_ladder(actor: User | None = None) -> LadderVersion:
    """Publish the MSP ladder as version 1 (or return the current version if one exists)."""
    current = LadderVersion.objects.current()
    if current is not None:
        return current
    version = LadderVersion.objects.create(
        number=1, published_by=actor, note="MSP ladder (TE, LE, SE, SD, NBD)"
    )
    tracks = {
        code: Track.objects.create(version=version, code=code, name_en=en, name_ko=ko, position=i)
        for i, (code, en, ko) in enumerate(TRACKS)
    }
    competencies = {
        code: Competency.objects.create(
            version=version,
            code=code,
            name_en=en,
            name_ko=ko,
            description_en=den,
            description_ko=dko,
            position=i,
        )
        for i, (code, en, ko, den, dko) in enumerate(COMPETENCIES)
    }
    flavours = {
        code: Flavour.objects.create(version=version, code=code, name_en=en, name_ko=ko, position=i)
        for i, (code, en, ko) in enumerate(FLAVOURS)
    }
    rows: list[Expectation] = []
    for track_code, levels, expectations in (
        (IC, IC_LEVELS, IC_EXPECTATIONS),
        (LEAD, LEAD_LEVELS, LEAD_EXPECTATIONS),
    ):
        for index, (number, title_en, title_ko, scope_en, scope_ko) in enumerate(levels):
            level = Level.objects.create(
                track=tracks[track_code],
                number=number,
                title_en=title_en,
                title_ko=title_ko,
                summary_en=scope_en,
                summary_ko=scope_ko,
            )
            for code, competency in competencies.items():
                text_en, text_ko = expectations[code][index]
                rows.append(
                    Expectation(
                        level=level, competency=competency, text_en=text_en, text_ko=text_ko
                    )
                )
                for flavour_code, flavour in flavours.items():
                    reading_en, reading_ko = FLAVOUR_READINGS[flavour_code][code]
                    rows.append(
                        Expectation(
                            level=level,
                            competency=competency,
                            flavour=flavour,
                            text_en=f"{reading_en} {scope_en}",
                            text_ko=f"{reading_ko} {scope_ko}",
                        )
                    )
    Expectation.objects.bulk_create(rows)
    return version
