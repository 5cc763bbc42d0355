"""Fill a benchmark database with two years of evidence and a review cycle (see bench/README.md).

Steps:
1. Refuse to run unless the database file's name contains "bench" (as `bench_seed`), and
   refuse a database that already holds ledger entries.
2. The bench people: those `bench_seed` made when present (300 in 10 teams of 30, the busy
   person leading team B01), else the same 300 made here.
3. The MSP ladder (`levels.ladder_seed`), everyone placed on it.
4. ~500,000 ledger entries, two years back, ~1,667 per person: every kind the system
   writes, a few starred with an impact line, a few hidden, some glue work; rows go in
   with `bulk_create` in batches of 10,000, each in its own transaction.
5. A pay scale, and a review cycle for team B01 (30 people) at calibration: each has a
   self review of three competencies citing three entries each, two answered feedback
   requests, the lead's assessment citing entries and a proposed level.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import Membership, OrgRole, Team, TeamRole, User, WorkProfile
from workmate.levels.ladder_seed import seed_msp_ladder
from workmate.levels.ledger import DEFAULT_COMPETENCY
from workmate.levels.models import EntryKind, LedgerEntry, Level, PersonLevel
from workmate.lib.benchseed import SeedCommand
from workmate.reviews.models import (
    AssessmentItem,
    BandBase,
    FeedbackAnswer,
    FeedbackRequest,
    Participant,
    PayScale,
    ReviewCycle,
    SelfReviewItem,
)
from workmate.work.management.commands.bench_seed import BENCH_PASSWORD, BUSY_EMAIL

TEAMS = 10
PEOPLE = 300
ENTRIES = 500_000
BATCH = 10_000
DAYS = 730
KINDS = [
    (EntryKind.TASK_COMPLETED, 40),
    (EntryKind.REQUEST_ANSWERED, 20),
    (EntryKind.TICKET_SOLVED, 15),
    (EntryKind.SLA_MET, 8),
    (EntryKind.TICKET_RATED, 4),
    (EntryKind.CHECKIN_SENT, 4),
    (EntryKind.ESCALATION_HANDLED, 2),
    (EntryKind.PROPOSAL_ANSWERED, 2),
    (EntryKind.PEER_FEEDBACK_GIVEN, 2),
    (EntryKind.GLUE, 2),
    (EntryKind.PROPOSAL_ADOPTED, 1),
]
WORDS = [
    "backup", "restore", "migrate", "patch", "upgrade", "audit", "review", "deploy",
    "monitor", "alert", "billing", "invoice", "customer", "onboarding", "firewall", "vpn",
    "dns", "certificate", "kubernetes", "cluster", "database", "replica",
]  # fmt: skip


class Command(SeedCommand):
    help = "Fill the benchmark database (a file named '*bench*') with 500,000 ledger entries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--entries", type=int, default=ENTRIES)
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args: Any, **options: Any) -> None:
        self.check_bench_database("bench/run_levels.sh")
        if LedgerEntry.objects.exists():
            raise CommandError("This database already holds ledger entries; seed a new file.")
        rng = random.Random(options["seed"])
        with self.bulk_load():
            teams, people = self._people()
            executive = self._executive()
            version = seed_msp_ladder(executive)
            self._place(people, version)
            self._ledger(people, options["entries"], rng)
            self._scale(version)
            self._cycle(teams[0], people, version, executive, rng)
        self.progress(f"done; the busy lead is {BUSY_EMAIL} / {BENCH_PASSWORD}")

    # --- People ------------------------------------------------------------------------

    def _people(self) -> tuple[list[Team], list[User]]:
        if User.objects.filter(email=BUSY_EMAIL).exists():
            teams = list(Team.objects.filter(code__startswith="B").order_by("code"))
            people = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
            self.progress(f"reusing {len(people)} bench people in {len(teams)} teams")
            return teams, people
        password = make_password(BENCH_PASSWORD)
        with transaction.atomic():
            teams = Team.objects.bulk_create(
                Team(code=f"B{n:02}", name=f"Bench team {n}") for n in range(1, TEAMS + 1)
            )
            people = User.objects.bulk_create(
                User(
                    email=BUSY_EMAIL if n == 0 else f"person{n}@bench.example",
                    full_name="Busy Bench" if n == 0 else f"Bench Person {n}",
                    language="en",
                    password=password,
                )
                for n in range(PEOPLE)
            )
            WorkProfile.objects.bulk_create(WorkProfile(user=user) for user in people)
            Membership.objects.bulk_create(
                Membership(
                    user=user,
                    team=teams[n % TEAMS],
                    # The first person of each team leads it; the busy person leads B01.
                    role=TeamRole.LEAD if n < TEAMS else TeamRole.MEMBER,
                )
                for n, user in enumerate(people)
            )
        self.progress(f"{len(teams)} teams, {len(people)} people with profiles")
        return teams, people

    def _executive(self) -> User:
        executive, _created = User.objects.get_or_create(
            email="cto@bench.example",
            defaults={
                "full_name": "Bench CTO",
                "org_role": OrgRole.EXECUTIVE,
                "password": make_password(BENCH_PASSWORD),
            },
        )
        return executive

    def _place(self, people: list[User], version) -> None:
        tracks = {track.code: track for track in version.tracks.all()}
        ic = next(iter(tracks))
        leads = set(Membership.objects.filter(role=TeamRole.LEAD).values_list("user_id", flat=True))
        PersonLevel.objects.bulk_create(
            PersonLevel(
                person=person,
                track_code="lead" if person.pk in leads and "lead" in tracks else ic,
                number=5 if person.pk in leads else 2 + n % 4,
            )
            for n, person in enumerate(people)
        )
        self.progress(f"{len(people)} people placed on ladder v{version.number}")

    # --- The ledger --------------------------------------------------------------------

    def _ledger(self, people: list[User], total: int, rng: random.Random) -> None:
        kinds = [kind for kind, weight in KINDS for _ in range(weight)]
        now = timezone.now()
        per_person = max(1, total // len(people))
        batch: list[LedgerEntry] = []
        written = 0
        for person in people:
            for n in range(per_person):
                kind = rng.choice(kinds)
                occurred = now - datetime.timedelta(
                    days=rng.random() * DAYS, minutes=rng.randrange(600)
                )
                title = f"#{rng.randrange(1, 99999)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
                starred = rng.random() < 0.03
                batch.append(
                    LedgerEntry(
                        person=person,
                        kind=kind,
                        competency=DEFAULT_COMPETENCY[kind],
                        title=title,
                        occurred_at=occurred,
                        recorded_at=occurred,
                        data={"on_time": rng.random() < 0.8} if kind == "task_completed" else {},
                        dedupe_key="" if kind == EntryKind.GLUE else f"bench:{person.pk}:{n}",
                        description="Mentored a new hire through the on-call rota."
                        if kind == EntryKind.GLUE
                        else "",
                        starred=starred,
                        impact="Cut the customer's restore time in half." if starred else "",
                        hidden=rng.random() < 0.02,
                    )
                )
                if len(batch) >= BATCH:
                    written += self._flush(batch)
                    batch = []
                    if written % 100_000 == 0:
                        self.progress(f"{written:,} ledger entries")
        written += self._flush(batch)
        self.progress(f"{written:,} ledger entries in all")

    def _flush(self, batch: list[LedgerEntry]) -> int:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(batch)
        return len(batch)

    # --- Pay and a cycle ---------------------------------------------------------------

    def _scale(self, version) -> None:
        scale = PayScale.objects.create(
            effective_from=datetime.date(2026, 1, 1), step_factors=["1", "1.08", "1.16"]
        )
        BandBase.objects.bulk_create(
            BandBase(scale=scale, track_code=level.track.code, number=level.number, base=n)
            for level, n in (
                (level, 30_000_000 + level.number * 9_000_000)
                for level in Level.objects.filter(track__version=version).select_related("track")
            )
        )

    def _cycle(self, team: Team, people, version, executive, rng: random.Random) -> None:
        now = timezone.now()
        opened = now - datetime.timedelta(days=25)
        members = list(
            Membership.objects.filter(team=team).select_related("user").order_by("user_id")
        )
        lead = next(m.user for m in members if m.role == TeamRole.LEAD)
        codes = list(version.competencies.values_list("code", flat=True)[:3])
        levels = list(Level.objects.filter(track__version=version).order_by("number"))
        with transaction.atomic():
            cycle = ReviewCycle.objects.create(
                name="Bench cycle",
                period_start=(now - datetime.timedelta(days=180)).date(),
                period_end=now.date(),
                ladder_version=version,
                opened_by=executive,
                opened_at=opened,
                self_due=opened + datetime.timedelta(days=7),
                feedback_due=opened + datetime.timedelta(days=14),
                assessment_due=opened + datetime.timedelta(days=21),
                calibration_due=now + datetime.timedelta(days=5),
                share_on=(now + datetime.timedelta(days=20)).date(),
            )
            others = [m.user for m in members]
            for n, membership in enumerate(members):
                person = membership.user
                participant = Participant.objects.create(
                    cycle=cycle,
                    person=person,
                    team=team,
                    self_submitted_at=opened,
                    proposed_level=None if person == lead else levels[(n % 4) + 1],
                    proposed_by=None if person == lead else lead,
                    proposed_at=None if person == lead else opened,
                )
                entries = list(
                    LedgerEntry.objects.filter(person=person, hidden=False)
                    .order_by("-occurred_at")
                    .values_list("pk", flat=True)[:60]
                )
                for k, code in enumerate(codes):
                    cited = entries[k * 3 : k * 3 + 3]
                    item = SelfReviewItem.objects.create(
                        participant=participant,
                        competency=code,
                        body="Led the storage migration; wrote the runbook the team now uses.",
                    )
                    item.entries.set(cited)
                    if person != lead:
                        assessed = AssessmentItem.objects.create(
                            participant=participant,
                            competency=code,
                            body="Consistently delivers; ready for more scope.",
                            author=lead,
                        )
                        assessed.entries.set(entries[20 + k * 3 : 23 + k * 3])
                for colleague in rng.sample([p for p in others if p != person], 2):
                    request = FeedbackRequest.objects.create(
                        participant=participant,
                        colleague=colleague,
                        message="How was working with me this half?",
                        reply_by=opened + datetime.timedelta(days=10),
                        created_at=opened,
                        answered_at=opened + datetime.timedelta(days=3),
                    )
                    FeedbackAnswer.objects.create(
                        request=request, competency=codes[0], body="Clear and kind."
                    )
        self.progress(f"cycle #{cycle.pk} for {team.code}: {len(members)} people at calibration")
