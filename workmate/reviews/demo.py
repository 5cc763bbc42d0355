"""Demo pay and review cycles for `manage.py seed_demo`.

- A published pay scale (base per level × three step factors) for every track of the
  current ladder, and approved salaries for the TE and LE teams.
- A closed cycle for TE ("2026 상반기") with self reviews, peer feedback, the lead's
  assessments, calibrated levels and results already shared.
- An open cycle for TE and LE ("2026 하반기") a few working days in: some self reviews
  written, feedback asked.

Created once: the scale is found by its date, cycles by name, salaries by person and date,
so running the command again adds nothing. Without a ladder (the levels demo seeds it)
only the pay scale is made.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import Membership, OrgRole, Team, User
from workmate.levels.models import Competency, LadderVersion, LedgerEntry, Level, PersonLevel
from workmate.reviews import services
from workmate.reviews.models import (
    AssessmentItem,
    BandBase,
    FeedbackAnswer,
    FeedbackRequest,
    Participant,
    PayScale,
    ReviewCycle,
    Salary,
    SalaryStatus,
    SelfReviewItem,
)
from workmate.reviews.reminders import share_due_results

SCALE_FROM = datetime.date(2026, 1, 1)
STEP_FACTORS = ["1", "1.08", "1.16"]
# Yearly base pay per level number, in won; a lead track's level earns 8% more.
BASES = {
    1: 38_000_000,
    2: 45_000_000,
    3: 54_000_000,
    4: 65_000_000,
    5: 78_000_000,
    6: 94_000_000,
    7: 112_000_000,
}
LEAD_PREMIUM = 1.08
PAST = "2026 상반기"
OPEN = "2026 하반기"

SELF_TEXT = {
    "delivery": "약속한 마이그레이션을 일정대로 끝냈고, 늦어질 때는 미리 알렸습니다.",
    "customer_impact": "야간 장애 대응 뒤 고객과 재발 방지책을 함께 정리했습니다.",
    "collaboration": "신규 입사자 두 명의 온보딩을 맡아 런북을 함께 고쳤습니다.",
}
LEAD_TEXT = {
    "delivery": "분기 목표를 스스로 쪼개 관리했고, 일정 변경을 먼저 공유했습니다.",
    "customer_impact": "CSAT 낮은 티켓을 먼저 찾아가 원인을 정리한 점이 돋보입니다.",
    "collaboration": "팀 밖 요청에도 회신 기한을 지켰습니다.",
}
FEEDBACK_TEXT = "장애 회고 때 기록을 꼼꼼히 남겨 줘서 다음 대응이 쉬워졌어요."


def seed_reviews_demo(people: dict[str, User]) -> None:
    with transaction.atomic():
        scale = _scale()
        _salaries(people, scale)
        version = LadderVersion.objects.current()
        if version is None:
            return
        cto = people.get("cto")
        if cto is None or cto.org_role != OrgRole.EXECUTIVE:
            return
        _past_cycle(version, cto)
        _open_cycle(version, cto)
    # Apply the past cycle's results (level history, pay proposals), as the clock would.
    share_due_results()


def _tracks() -> list[str]:
    version = LadderVersion.objects.current()
    if version is None:
        return ["IC"]
    return list(version.tracks.values_list("code", flat=True)) or ["IC"]


def _scale() -> PayScale:
    scale, created = PayScale.objects.get_or_create(
        effective_from=SCALE_FROM,
        defaults={
            "step_factors": STEP_FACTORS,
            "note": "레벨 기본급 × 호봉 계수. 호봉은 같은 레벨 안에서의 경험을 뜻합니다.",
        },
    )
    if created:
        for track in _tracks():
            premium = LEAD_PREMIUM if track.upper().startswith("L") else 1
            BandBase.objects.bulk_create(
                BandBase(scale=scale, track_code=track, number=number, base=int(base * premium))
                for number, base in BASES.items()
            )
    return scale


def _salaries(people: dict[str, User], scale: PayScale) -> None:
    members = Membership.objects.filter(team__code__in=["TE", "LE"]).select_related("user")
    levels = {row.person_id: row for row in PersonLevel.objects.all()}
    for n, membership in enumerate(members.order_by("user__full_name")):
        person = membership.user
        if Salary.objects.filter(person=person, effective_from=SCALE_FROM).exists():
            continue
        placed = levels.get(person.pk)
        track = placed.track_code if placed else _tracks()[0]
        number = placed.number if placed else (4 if membership.role == "lead" else 3)
        base = BandBase.objects.filter(scale=scale, track_code=track, number=number).first()
        if base is None:
            continue
        step = n % 3 + 1
        Salary.objects.create(
            person=person,
            amount=scale.band(base.base)[step - 1],
            track_code=track,
            number=number,
            step=step,
            effective_from=SCALE_FROM,
            status=SalaryStatus.APPROVED,
            reason="2026 급여 체계 적용",
        )


def _codes(version: LadderVersion) -> list[str]:
    return list(Competency.objects.filter(version=version).values_list("code", flat=True)[:3])


def _entries(person: User, limit: int = 3) -> list[int]:
    return list(
        LedgerEntry.objects.filter(person=person, hidden=False)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)[:limit]
    )


def _past_cycle(version: LadderVersion, cto: User) -> None:
    if ReviewCycle.objects.filter(name=PAST).exists():
        return
    team = Team.objects.filter(code="TE").first()
    if team is None:
        return
    opened = timezone.now() - datetime.timedelta(days=150)
    cycle = ReviewCycle.objects.create(
        name=PAST,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        ladder_version=version,
        opened_by=cto,
        opened_at=opened,
        self_due=opened + datetime.timedelta(days=7),
        feedback_due=opened + datetime.timedelta(days=14),
        assessment_due=opened + datetime.timedelta(days=21),
        calibration_due=opened + datetime.timedelta(days=25),
        share_on=(opened + datetime.timedelta(days=30)).date(),
        closed_at=opened + datetime.timedelta(days=28),
        closed_by=cto,
    )
    codes = _codes(version)
    memberships = list(
        Membership.objects.filter(team=team, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    lead = next((m.user for m in memberships if m.role == "lead"), cto)
    people = [m.user for m in memberships]
    levels = list(
        Level.objects.filter(track__version=version)
        .select_related("track")
        .order_by("track__position", "number")
    )
    promoted_one = False
    for person in people:
        participant = Participant.objects.create(
            cycle=cycle, person=person, team=team, self_submitted_at=opened
        )
        cited = _entries(person)
        for code in codes:
            item = SelfReviewItem.objects.create(
                participant=participant, competency=code, body=SELF_TEXT.get(code, "")
            )
            item.entries.set(cited[:1])
            if person != lead:
                assessed = AssessmentItem.objects.create(
                    participant=participant,
                    competency=code,
                    body=LEAD_TEXT.get(code, ""),
                    author=lead,
                )
                assessed.entries.set(cited)
        for colleague in [p for p in people if p != person][:2]:
            request = FeedbackRequest.objects.create(
                participant=participant,
                colleague=colleague,
                message="이번 반기에 함께 일하면서 느낀 점을 알려 주세요.",
                reply_by=opened + datetime.timedelta(days=12),
                created_at=opened,
                answered_at=opened + datetime.timedelta(days=5),
            )
            FeedbackAnswer.objects.create(
                request=request, competency=codes[0] if codes else "delivery", body=FEEDBACK_TEXT
            )
        if person == lead or not levels:
            continue
        placed = PersonLevel.objects.filter(person=person).first()
        track = placed.track_code if placed else levels[0].track.code
        number = placed.number if placed else 3
        # The first member (by name) is promoted; the others stay where they are.
        promoted = not promoted_one
        promoted_one = True
        final = number + 1 if promoted else number
        level = next(
            (lv for lv in levels if lv.track.code == track and lv.number == final),
            next((lv for lv in levels if lv.number == final), levels[0]),
        )
        participant.proposed_level = participant.final_level = level
        participant.proposed_by, participant.calibrated_by = lead, cto
        participant.proposed_at = participant.calibrated_at = opened + datetime.timedelta(days=20)
        participant.final_reason = (
            "여러 팀과의 협업 근거가 분명하고, 리드 평가와 동료 피드백이 일치합니다."
            if promoted
            else "현재 레벨의 기대치를 꾸준히 충족했습니다."
        )
        participant.save()


def _open_cycle(version: LadderVersion, cto: User) -> None:
    if ReviewCycle.objects.filter(name=OPEN).exists():
        return
    teams = list(Team.objects.filter(code__in=["TE", "LE"]).order_by("code"))
    if not teams:
        return
    today = timezone.localdate()
    cycle = services.do_open_cycle(
        cto,
        name=OPEN,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 12, 31),
        teams=teams,
        days=services.CycleDays(10, 5, 5, 3),
        share_on=today + datetime.timedelta(days=60),
    )
    codes = _codes(version)
    participants = list(cycle.participants.select_related("person").order_by("person__full_name"))
    everyone = [p.person for p in participants]
    for participant in participants[:4]:
        person = participant.person
        for code in codes[:2]:
            services.do_save_self_review(
                person,
                participant,
                competency=code,
                body=SELF_TEXT.get(code, ""),
                entry_ids=_entries(person, 2),
            )
        for colleague in [p for p in everyone if p != person][:2]:
            services.do_request_feedback(
                person,
                participant,
                colleague=colleague,
                message="하반기 프로젝트에서 제 협업 방식에 대해 솔직하게 알려 주세요.",
            )
