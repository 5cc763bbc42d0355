"""Demo proposals for `manage.py seed_demo`, created once (by title) through the services."""

from __future__ import annotations

from workmate.accounts.models import Team, User
from workmate.voice import leads, services
from workmate.voice.models import Area, Proposal, ProposalStatus

# (author login, anonymous, title, problem, suggestion, area, team codes,
#  voters with what it costs them, (lead login, new status, answer) or None)
PROPOSALS = [
    (
        "seoyeon.lee",
        True,
        "야간 당직 인수인계가 메신저로만 이뤄져요",
        "인수인계 내용이 채팅에 묻혀서 아침에 찾기 어렵습니다.",
        "Workmate 작업으로 인수인계 템플릿을 만들면 좋겠습니다.",
        Area.PROCESS,
        ["TE"],
        [("jihoon.park", "매일 아침 20분"), ("yujin.choi", "")],
        (
            "minjun.kim",
            ProposalStatus.PLANNED,
            "좋은 제안입니다. 12월 첫 주에 템플릿을 만듭니다.",
        ),
    ),
    (
        "haeun.yoon",
        False,
        "고객사별 아키텍처 다이어그램을 한곳에 모아 주세요",
        "프로젝트마다 다이어그램 위치가 달라 찾는 데 시간이 걸립니다.",
        "라이브러리에 고객사별 폴더를 만들면 좋겠습니다.",
        Area.TOOLS,
        ["LE", "SE"],
        [("yerin.han", "제안서 작성 때마다 30분"), ("minseo.seo", "")],
        None,
    ),
    (
        "jaehyun.lim",
        True,
        "레벨 심사 기준이 팀마다 달라 보여요",
        "무엇이 기여로 인정되는지 알기 어렵습니다.",
        "기여 원장에서 근거를 함께 보여 주면 좋겠습니다.",
        Area.PAY_LEVELS,
        [],
        [("eunbi.cho", ""), ("sungmin.bae", "평가 시즌마다 불안")],
        (
            "taeyun.song",
            ProposalStatus.UNDER_REVIEW,
            "기준 공개 범위를 논의 중입니다.",
        ),
    ),
]


def seed_voice_demo(people: dict[str, User]) -> int:
    created = 0
    for author, anonymous, title, problem, suggestion, area, codes, voters, answer in PROPOSALS:
        if Proposal.objects.filter(title=title).exists():
            continue
        proposal = services.do_post_proposal(
            people[author],
            title=title,
            problem=problem,
            suggestion=suggestion,
            area=area,
            affected_teams=Team.objects.filter(code__in=codes),
            anonymous=anonymous,
        )
        for login, cost in voters:
            services.do_vote(people[login], proposal, cost)
        if answer is not None:
            lead, status, body = answer
            leads.do_change_status(people[lead], proposal, status, body)
        created += 1
    return created
