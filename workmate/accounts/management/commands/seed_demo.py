"""Load a demo of a Seoul cloud MSP's technology division and print its logins.

The division has five teams (TE answers customer tickets, LE consults on cloud
architecture, SE looks after customers, SD builds software, NBD finds new business),
about twenty-five people with varied work profiles (two of them abroad), an
administrator, an executive, a handful of customers and two company days off.

Every row is keyed on a natural key (e-mail, team code, customer name, date), so
running the command again updates the demo in place instead of duplicating it, and
resets every demo login to the shared password.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import (
    CompanyDayOff,
    Membership,
    OrgRole,
    Team,
    TeamRole,
    User,
    WorkMode,
    WorkModeDay,
    WorkProfile,
)
from workmate.advisor.demo import seed_advisor_demo
from workmate.automation.demo import seed_automation_demo
from workmate.checkins.demo import seed_checkins_demo
from workmate.desk.demo import CONTACTS as DESK_CONTACTS
from workmate.desk.demo import seed_desk_demo
from workmate.desk.models import ContractTier, Customer, Industry
from workmate.levels.demo import seed_levels_demo
from workmate.library.demo import seed_library_demo
from workmate.library.demo_more import seed_library_more_demo
from workmate.pipeline.demo import seed_pipeline_demo
from workmate.reviews.demo import seed_reviews_demo
from workmate.success.demo import seed_success_demo
from workmate.voice.demo import seed_voice_demo
from workmate.webhooks.demo import seed_webhooks_demo
from workmate.work.demo import seed_work_demo

DEMO_PASSWORD = "workmate-demo-2026"
DOMAIN = "workmate.example"
SEOUL = "Asia/Seoul"

_MODE_LETTERS = {"O": WorkMode.OFFICE, "H": WorkMode.HOME, "W": WorkMode.WORKATION}


def _week(workdays: str) -> list[str]:
    """Turn "OOOHW" (Monday to Friday) into seven weekly modes; weekends count as home."""
    return [str(_MODE_LETTERS[letter]) for letter in workdays] + [str(WorkMode.HOME)] * 2


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    description: str
    work_start: str = "09:00"
    work_end: str = "18:00"


@dataclass(frozen=True)
class PersonSpec:
    login: str
    full_name: str
    title: str
    # (team code, role) pairs; the admin and the executive belong to no team.
    teams: tuple[tuple[str, str], ...] = ()
    language: str = "ko"
    hours: tuple[str, str] = ("09:00", "18:00")
    quiet: tuple[str, str] | None = None
    week: str = "OOOOO"
    usual_place: str = ""
    time_zone: str = SEOUL
    holiday_country: str = "KR"
    org_role: str = OrgRole.MEMBER
    superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.login}@{DOMAIN}"


@dataclass(frozen=True)
class DaySpec:
    """A work-mode override `offset` days after the person's local today."""

    login: str
    offset: int
    mode: str
    place: str = ""
    note: str = ""


@dataclass(frozen=True)
class CustomerSpec:
    name: str
    industry: str
    tier: str
    se_owner: str
    le_architect: str
    email_domains: list[str] = field(default_factory=list)


TEAMS = [
    TeamSpec(
        "TE",
        "Technical Engineering",
        "Answers customer tickets and keeps customers' cloud environments running.",
        # The support desk is staffed longer than the office day, in two shifts.
        work_start="08:00",
        work_end="20:00",
    ),
    TeamSpec(
        "LE",
        "Lead Engineering",
        "Cloud architecture consulting: designs, reviews and migrations for customers.",
    ),
    TeamSpec(
        "SE",
        "Customer Success",
        "Onboarding, service reviews and the day-to-day relationship with each customer.",
    ),
    TeamSpec(
        "SD",
        "Software Development",
        "Builds the division's own software: automation, integrations and internal tools.",
    ),
    TeamSpec(
        "NBD",
        "New Business Development",
        "Tries new cloud services as proofs of concept, documents what worked and turns it "
        "into templates colleagues reuse; automates what it can.",
    ),
]

LEAD, MEMBER = str(TeamRole.LEAD), str(TeamRole.MEMBER)
NIGHT = ("22:00", "07:00")

# Within each team the lead comes first and the first member after the lead is the one
# the login summary shows.
PEOPLE = [
    PersonSpec(
        "admin",
        "정다은",
        "IT 운영 관리자",
        org_role=OrgRole.STAFF,
        superuser=True,
        quiet=NIGHT,
    ),
    PersonSpec(
        "cto", "백승훈", "기술본부장 (CTO)", org_role=OrgRole.EXECUTIVE, week="OOOOH", quiet=NIGHT
    ),
    # TE · Technical Engineering: shifts cover the team's 08:00-20:00 support day.
    PersonSpec(
        "minjun.kim", "김민준", "기술지원팀장", teams=(("TE", LEAD),), week="OOOOH", quiet=NIGHT
    ),
    PersonSpec(
        "seoyeon.lee",
        "이서연",
        "클라우드 지원 엔지니어",
        teams=(("TE", MEMBER),),
        hours=("08:00", "17:00"),
        quiet=("21:00", "07:00"),
    ),
    PersonSpec(
        "jihoon.park",
        "박지훈",
        "클라우드 지원 엔지니어",
        teams=(("TE", MEMBER),),
        hours=("11:00", "20:00"),
        quiet=("00:00", "09:00"),
        week="OHOHO",
    ),
    PersonSpec(
        "yujin.choi",
        "최유진",
        "클라우드 지원 엔지니어",
        teams=(("TE", MEMBER),),
        hours=("10:00", "19:00"),
        week="WWOOO",
        usual_place="Jeju",
    ),
    PersonSpec(
        "hyunwoo.jung",
        "정현우",
        "시니어 클라우드 엔지니어",
        teams=(("TE", MEMBER),),
        hours=("08:00", "17:00"),
    ),
    PersonSpec(
        "daniel.cho",
        "Daniel Cho",
        "Cloud Support Engineer",
        teams=(("TE", MEMBER),),
        language="en",
        hours=("10:00", "19:00"),
        week="OOHOO",
    ),
    # LE · Lead Engineering (cloud architecture consulting).
    PersonSpec(
        "doyun.kang",
        "강도윤",
        "수석 클라우드 아키텍트",
        teams=(("LE", LEAD),),
        week="OOOHO",
        quiet=NIGHT,
    ),
    PersonSpec(
        "haeun.yoon",
        "윤하은",
        "클라우드 아키텍트",
        teams=(("LE", MEMBER),),
        hours=("10:00", "19:00"),
        week="OWWOO",
        usual_place="Gangneung",
    ),
    PersonSpec(
        "lukas.becker",
        "Lukas Becker",
        "Cloud Architect (EMEA)",
        teams=(("LE", MEMBER),),
        language="en",
        hours=("09:00", "17:00"),
        quiet=("20:00", "08:00"),
        week="HHHHH",
        time_zone="Europe/Berlin",
        holiday_country="DE",
    ),
    PersonSpec("yerin.han", "한예린", "클라우드 아키텍트", teams=(("LE", MEMBER),), week="OOOOH"),
    # SE · Customer Success.
    PersonSpec("jimin.oh", "오지민", "고객성공팀장", teams=(("SE", LEAD),), quiet=NIGHT),
    PersonSpec("minseo.seo", "서민서", "고객성공 매니저", teams=(("SE", MEMBER),), week="OOOHH"),
    PersonSpec(
        "woojin.shin",
        "신우진",
        "고객성공 매니저",
        teams=(("SE", MEMBER),),
        hours=("08:00", "17:00"),
    ),
    PersonSpec(
        "sua.kwon",
        "권수아",
        "고객성공 매니저",
        teams=(("SE", MEMBER),),
        hours=("10:00", "19:00"),
        week="OOWWW",
        usual_place="Busan",
    ),
    PersonSpec(
        "junseo.hwang",
        "황준서",
        "테크니컬 어카운트 매니저",
        teams=(("SE", MEMBER),),
        week="OHOHO",
        quiet=NIGHT,
    ),
    # SD · Software Development; the platform engineer also works in LE.
    PersonSpec(
        "taeyun.song",
        "송태윤",
        "개발팀장",
        teams=(("SD", LEAD),),
        hours=("10:00", "19:00"),
        quiet=("23:00", "08:00"),
        week="OHOOH",
    ),
    PersonSpec(
        "jaehyun.lim",
        "임재현",
        "플랫폼 엔지니어",
        teams=(("SD", MEMBER), ("LE", MEMBER)),
        week="OOHOO",
    ),
    PersonSpec(
        "eunbi.cho",
        "조은비",
        "백엔드 개발자",
        teams=(("SD", MEMBER),),
        hours=("10:00", "19:00"),
        week="HOHOH",
    ),
    PersonSpec(
        "sungmin.bae",
        "배성민",
        "프론트엔드 개발자",
        teams=(("SD", MEMBER),),
        week="OOOOH",
        quiet=NIGHT,
    ),
    PersonSpec(
        "jiwoo.hong",
        "홍지우",
        "DevOps 엔지니어",
        teams=(("SD", MEMBER),),
        hours=("08:00", "17:00"),
        week="WOOOW",
        usual_place="Yangyang",
    ),
    # NBD · New Business Development, with one person on the US west coast.
    PersonSpec("seojun.moon", "문서준", "사업개발팀장", teams=(("NBD", LEAD),), quiet=NIGHT),
    PersonSpec("harin.jang", "장하린", "사업개발 매니저", teams=(("NBD", MEMBER),), week="OOHOO"),
    PersonSpec(
        "grace.park",
        "Grace Park",
        "Business Development Manager (North America)",
        teams=(("NBD", MEMBER),),
        language="en",
        hours=("08:00", "17:00"),
        quiet=("21:00", "07:00"),
        week="HHHHH",
        time_zone="America/Los_Angeles",
        holiday_country="US",
    ),
    PersonSpec(
        "seungwoo.noh", "노승우", "파트너 세일즈 매니저", teams=(("NBD", MEMBER),), week="OOOOH"
    ),
]

WORK_MODE_DAYS = [
    DaySpec("seoyeon.lee", 0, WorkMode.HOME, note="오전 병원 진료 후 재택"),
    DaySpec("minseo.seo", 0, WorkMode.WORKATION, "Gangneung", "분기 회고 겸 워케이션"),
    DaySpec("doyun.kang", 0, WorkMode.OFFICE, note="한빛은행 아키텍처 리뷰 (고객사 방문)"),
    DaySpec("jihoon.park", 1, WorkMode.WORKATION, "Busan", "고객사 방문 후 워케이션"),
    DaySpec("lukas.becker", 1, WorkMode.OFFICE, note="Co-working space in Berlin Mitte"),
    DaySpec("taeyun.song", 2, WorkMode.HOME, note="릴리스 준비"),
    DaySpec("grace.park", 3, WorkMode.WORKATION, "San Diego", "Partner meetings in San Diego"),
]

CUSTOMERS = [
    CustomerSpec(
        "한빛은행",
        Industry.FINANCE,
        ContractTier.ENTERPRISE,
        "minseo.seo",
        "doyun.kang",
        ["hanbit-bank.example", "hanbit-card.example"],
    ),
    CustomerSpec(
        "한결시청",
        Industry.PUBLIC,
        ContractTier.BUSINESS,
        "woojin.shin",
        "yerin.han",
        ["hangyeol.go.example"],
    ),
    CustomerSpec(
        "별빛게임즈",
        Industry.GAMING,
        ContractTier.ENTERPRISE,
        "sua.kwon",
        "lukas.becker",
        ["byeolbit-games.example"],
    ),
    CustomerSpec(
        "대성정밀",
        Industry.MANUFACTURING,
        ContractTier.STANDARD,
        "junseo.hwang",
        "yerin.han",
        ["daesung-precision.example"],
    ),
    CustomerSpec(
        "마루마켓",
        Industry.RETAIL,
        ContractTier.BUSINESS,
        "woojin.shin",
        "haeun.yoon",
        ["marumarket.example", "maru-mall.example"],
    ),
    CustomerSpec(
        "온누리병원",
        Industry.HEALTHCARE,
        ContractTier.ENTERPRISE,
        "jimin.oh",
        "jaehyun.lim",
        ["onnuri-hospital.example"],
    ),
]

# (month, day, name): each is placed on its next occurrence from today.
COMPANY_DAYS_OFF = [
    (3, 11, "창립기념일 (Foundation Day)"),
    (12, 31, "연말 휴무 (Year-end day off)"),
]


def next_occurrence(month: int, day: int, today: datetime.date) -> datetime.date:
    """The next `month`/`day` on or after `today`; a weekend date moves to the Monday after."""
    date = datetime.date(today.year, month, day)
    if date < today:
        date = date.replace(year=today.year + 1)
    if date.weekday() >= 5:
        date += datetime.timedelta(days=7 - date.weekday())
    return date


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo division: 5 teams, ~25 people, customers and days off. "
        "Safe to run again; it resets every demo login to the shared password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=f"The password every demo login gets (default: {DEMO_PASSWORD}).",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        with transaction.atomic():
            people = self._seed(password)
            seed_work_demo(people)
            seed_voice_demo(people)
            seed_checkins_demo(people)
            seed_desk_demo(people, make_password(password))
            seed_library_demo(people)
            seed_library_more_demo(people)
            seed_pipeline_demo(people)
            seed_levels_demo(people)
            seed_reviews_demo(people)
            seed_advisor_demo(people)
            seed_automation_demo(people)
            seed_webhooks_demo(people)
            seed_success_demo(people)
        self.stdout.write(self._summary(people, password))

    def _seed(self, password: str) -> dict[str, User]:
        teams = {spec.code: self._seed_team(spec) for spec in TEAMS}
        # Hashing is deliberately slow (about a second with PBKDF2); the demo logins share
        # one published password, so one hash serves them all.
        password_hash = make_password(password)
        people = {spec.login: self._seed_person(spec, password, password_hash) for spec in PEOPLE}
        for spec in PEOPLE:
            for code, role in spec.teams:
                Membership.objects.update_or_create(
                    user=people[spec.login], team=teams[code], defaults={"role": role}
                )
        for day in WORK_MODE_DAYS:
            person = people[day.login]
            local_today = person.profile.local_now().date()
            WorkModeDay.objects.update_or_create(
                user=person,
                date=local_today + datetime.timedelta(days=day.offset),
                defaults={"mode": day.mode, "place": day.place, "note": day.note},
            )
        for customer in CUSTOMERS:
            Customer.objects.update_or_create(
                name=customer.name,
                defaults={
                    "industry": customer.industry,
                    "tier": customer.tier,
                    "se_owner": people[customer.se_owner],
                    "le_architect": people[customer.le_architect],
                    "email_domains": customer.email_domains,
                },
            )
        today = timezone.localdate()
        for month, day_of_month, name in COMPANY_DAYS_OFF:
            # get_or_create: a day off an administrator already entered keeps its name.
            CompanyDayOff.objects.get_or_create(
                date=next_occurrence(month, day_of_month, today), defaults={"name": name}
            )
        return people

    def _seed_team(self, spec: TeamSpec) -> Team:
        team, _ = Team.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "time_zone": SEOUL,
                "work_days": [0, 1, 2, 3, 4],
                "work_start": _time(spec.work_start),
                "work_end": _time(spec.work_end),
                "reply_by_hours": 8,
            },
        )
        return team

    def _seed_person(self, spec: PersonSpec, password: str, password_hash: str) -> User:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            # The post_save signal gives the new person their work profile.
            user = User.objects.create_user(spec.email, full_name=spec.full_name)
        user.full_name = spec.full_name
        user.language = spec.language
        user.org_role = spec.org_role
        user.is_staff = user.is_superuser = spec.superuser
        user.is_active = True
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"--password: {' '.join(exc.messages)}") from None
        user.password = password_hash
        user.save()

        profile, _ = WorkProfile.objects.get_or_create(user=user)
        profile.title = spec.title
        profile.time_zone = spec.time_zone
        profile.holiday_country = spec.holiday_country
        profile.work_days = [0, 1, 2, 3, 4]
        profile.work_start, profile.work_end = (_time(value) for value in spec.hours)
        profile.quiet_start, profile.quiet_end = (
            (_time(spec.quiet[0]), _time(spec.quiet[1])) if spec.quiet else (None, None)
        )
        profile.weekly_modes = _week(spec.week)
        profile.usual_place = spec.usual_place
        profile.full_clean()
        profile.save()
        user.profile = profile
        return user

    def _summary(self, people: dict[str, User], password: str) -> str:
        """The login block ./run prints on every start: who to log in as, and how."""
        rows: list[tuple[str, str, str]] = []

        def add(label: str, login: str, note: str = "") -> None:
            person = people[login]
            rows.append((label, person.email, f"{person.full_name}{note}"))

        add("Admin (superuser)", "admin")
        add("Executive", "cto")
        for team in TEAMS:
            members = [spec for spec in PEOPLE if any(code == team.code for code, _ in spec.teams)]
            lead = next(spec for spec in members if (team.code, LEAD) in spec.teams)
            member = next(spec for spec in members if (team.code, MEMBER) in spec.teams)
            other_teams = [code for code, _ in member.teams if code != team.code]
            add(f"{team.code} lead", lead.login)
            add(
                f"{team.code} member",
                member.login,
                f" (also in {', '.join(other_teams)})" if other_teams else "",
            )
        for spec in PEOPLE:
            if spec.time_zone != SEOUL:
                add(f"Abroad ({spec.time_zone.split('/')[-1].replace('_', ' ')})", spec.login)

        label_width = max(len(label) for label, _, _ in rows)
        email_width = max(len(email) for _, email, _ in rows)
        lines = [
            f"==> Demo logins for {settings.SITE_URL}/ (password for all: {password})",
            *(
                f"    {label.ljust(label_width)}  {email.ljust(email_width)}  {name}"
                for label, email, name in rows
            ),
            f"    ({len(people)} people in {len(TEAMS)} teams, {len(CUSTOMERS)} customers; "
            "`manage.py seed_demo` again resets them.)",
            f"==> Customer portal {settings.SITE_URL}/portal/ (same password): "
            f"{DESK_CONTACTS[0][1]} ({DESK_CONTACTS[0][0]})",
        ]
        return "\n".join(lines)
