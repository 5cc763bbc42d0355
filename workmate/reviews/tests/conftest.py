"""The cast for reviews: a team TE (alice leads; bob and dana are members), a team OPS
(frank leads, erin is a member), an executive, a person with pay rights, and a staff admin
(superuser, staff role) without them; a small ladder; a cycle for TE opened on a Monday."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from workmate.accounts.models import OrgRole, TeamRole
from workmate.levels.models import Competency, EntryKind, LadderVersion, LedgerEntry, Level, Track
from workmate.reviews import services
from workmate.reviews.models import BandBase, PayPermission, PayScale
from workmate.testing.factories import add_member, make_team, make_user

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
# Monday 2 November 2026, 10:00 in Seoul: a plain working morning.
OPENED = datetime.datetime(2026, 11, 2, 10, tzinfo=SEOUL)
COMPETENCIES = ["delivery", "collaboration", "technical_depth"]


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def ladder(db):
    version = LadderVersion.objects.create(number=1, published_at=seoul(2026, 1, 1))
    track = Track.objects.create(version=version, code="IC", name_en="Individual contributor")
    for number in range(1, 6):
        Level.objects.create(
            track=track, number=number, title_en=f"Engineer {number}", title_ko=f"엔지니어 {number}"
        )
    for position, code in enumerate(COMPETENCIES):
        Competency.objects.create(
            version=version,
            code=code,
            name_en=code.replace("_", " ").capitalize(),
            name_ko=f"역량 {position + 1}",
            position=position,
        )
    return version


def level(version: LadderVersion, number: int) -> Level:
    return Level.objects.get(track__version=version, track__code="IC", number=number)


@pytest.fixture
def dana(db, team):
    """Another member of alice's team."""
    user = make_user(email="dana@example.com", full_name="Dana Yoon")
    add_member(team, user)
    return user


@pytest.fixture
def ops(db):
    return make_team(code="OPS", name="Operations")


@pytest.fixture
def erin(db, ops):
    """A member of another team."""
    user = make_user(email="erin@example.com", full_name="Erin Cho")
    add_member(ops, user)
    return user


@pytest.fixture
def frank(db, ops):
    """The lead of another team."""
    user = make_user(email="frank@example.com", full_name="Frank Jung")
    add_member(ops, user, TeamRole.LEAD)
    return user


@pytest.fixture
def boss(db):
    user = make_user(email="boss@example.com", full_name="Grace Han", org_role=OrgRole.EXECUTIVE)
    add_member(make_team(code="MGT", name="Management"), user)
    return user


@pytest.fixture
def payer(db, ops):
    """A member of OPS given the explicit pay permission (payroll)."""
    user = make_user(email="payer@example.com", full_name="Hana Pay")
    add_member(ops, user)
    PayPermission.objects.create(user=user, note="Payroll")
    return user


@pytest.fixture
def admin_user(db):
    """The installation's administrator: superuser, staff role, no pay permission."""
    return make_user(
        email="admin@example.com",
        full_name="Ian Admin",
        org_role=OrgRole.STAFF,
        is_staff=True,
        is_superuser=True,
    )


def make_entry(person, competency: str = "delivery", title: str = "Shipped it", **fields):
    fields.setdefault("occurred_at", seoul(2026, 9, 1, 12))
    return LedgerEntry.objects.create(
        person=person,
        kind=fields.pop("kind", EntryKind.TASK_COMPLETED),
        competency=competency,
        title=title,
        **fields,
    )


@pytest.fixture
def cycle(ladder, team, alice, bob, dana, boss):
    """A cycle for TE opened Monday 2 November 2026 10:00 (5/5/5/3 working days)."""
    with time_machine.travel(OPENED, tick=False):
        return services.do_open_cycle(
            boss,
            name="2026 H2",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(5, 5, 5, 3),
            share_on=datetime.date(2026, 12, 7),
        )


def participant_of(cycle, person):
    return cycle.participants.get(person=person)


@pytest.fixture
def scale(db):
    scale = PayScale.objects.create(
        effective_from=datetime.date(2026, 1, 1), step_factors=["1", "1.08", "1.16"]
    )
    for number, base in [(1, 40_000_000), (2, 50_000_000), (3, 62_000_000), (4, 76_000_000)]:
        BandBase.objects.create(scale=scale, track_code="IC", number=number, base=base)
    return scale
