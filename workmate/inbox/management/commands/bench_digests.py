"""Time the daily digests: 300 people, 50,000 pending notifications (see bench/README.md).

Steps:
1. Refuse to run unless the database is a SQLite file whose name contains "bench", so the
   command can never fill the development database by accident; refuse a database that
   already holds people (bench/digests.sh starts from a fresh file).
2. Seed with bulk_create: teams of people (one lead each) in four zones near Seoul with
   different working-day starts and holiday countries, so that all are due at the bench
   moment (a Wednesday at 12:00 in Seoul) but their calendars differ; a project of tasks;
   the notifications, spread over the people and tasks, all pending for the digest; open
   requests in both directions; Voice proposals waiting for an answer (some anonymous).
3. Time one `send_due_digests(now)` with the locmem e-mail backend, then check that every
   person got one mail and every notification was attached to a digest.
"""

from __future__ import annotations

import datetime
import random
import time
import zoneinfo
from typing import Any

from django.core import mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test.utils import override_settings

from workmate.accounts.models import Membership, Team, TeamRole, User, WorkProfile
from workmate.inbox import digests
from workmate.inbox.models import DEFAULT_CHANNELS, Digest, Kind, Notification
from workmate.voice.models import Area, Proposal, author_digest_for, new_nonce
from workmate.work.models import Project, Task, WorkRequest

# Wednesday 25 November 2026, 12:00 in Seoul: a working day everywhere below.
BENCH_MOMENT = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))
ZONES = [
    ("Asia/Seoul", "KR"),
    ("Asia/Tokyo", "JP"),
    ("Asia/Singapore", "SG"),
    ("Asia/Ho_Chi_Minh", "KR"),
]
STARTS = [datetime.time(8), datetime.time(9), datetime.time(9, 30), datetime.time(10)]
KINDS = [Kind.COMMENT, Kind.REPLY, Kind.ASSIGNED, Kind.MENTION, Kind.UNBLOCKED, Kind.REQUEST]
BATCH = 5000


class Command(BaseCommand):
    help = "Seed a 'bench' SQLite file with people and notifications and time the digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=300)
        parser.add_argument("--notifications", type=int, default=50_000)
        parser.add_argument("--tasks", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor != "sqlite" or "bench" not in name:
            raise CommandError(
                f"Refusing to seed {name!r}: point DATABASE_URL at a SQLite file whose name "
                "contains 'bench' (bench/digests.sh uses var/bench-digests.sqlite3)."
            )
        if User.objects.exists():
            raise CommandError(f"{name} already holds people; delete the file to seed again.")
        rng = random.Random(options["seed"])
        started = time.monotonic()
        people = self._people(options["people"])
        tasks = self._tasks(people, options["tasks"])
        self._notifications(rng, people, tasks, options["notifications"])
        self._requests(rng, people, tasks)
        self._proposals(rng, people)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"seeded in {time.monotonic() - started:.1f} s")

        reset_queries()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            started = time.perf_counter()
            sent = digests.send_due_digests(BENCH_MOMENT)
            elapsed = time.perf_counter() - started
            mails = len(mail.outbox)
        attached = Notification.objects.filter(digest__isnull=False).count()
        pending = Notification.objects.pending_digest().count()
        self.stdout.write(
            f"send_due_digests: {len(people)} people, {attached} notifications attached, "
            f"{pending} left pending, {sent} digests sent ({mails} mails) "
            f"in {elapsed:.2f} s"
        )
        if sent != len(people) or mails != len(people) or pending:
            raise CommandError("Not every person got their digest.")
        if Digest.objects.filter(sent_at__isnull=True).exists():
            raise CommandError("A digest was claimed but not sent.")

    def _people(self, count: int) -> list[User]:
        teams_count = max(1, count // 30)
        with transaction.atomic():
            teams = Team.objects.bulk_create(
                Team(code=f"D{n:02}", name=f"Digest team {n}") for n in range(teams_count)
            )
            users = User.objects.bulk_create(
                User(
                    email=f"digest{n}@bench.example",
                    full_name=f"Digest Person {n}",
                    language="ko" if n % 3 == 0 else "en",
                    password="!",  # No log-in needed.
                )
                for n in range(count)
            )
            WorkProfile.objects.bulk_create(
                WorkProfile(
                    user=user,
                    time_zone=ZONES[n % len(ZONES)][0],
                    holiday_country=ZONES[n % len(ZONES)][1],
                    work_start=STARTS[n % len(STARTS)],
                )
                for n, user in enumerate(users)
            )
            Membership.objects.bulk_create(
                Membership(
                    user=user,
                    team=teams[n % teams_count],
                    role=TeamRole.LEAD if n < teams_count else TeamRole.MEMBER,
                )
                for n, user in enumerate(users)
            )
        return users

    def _tasks(self, people: list[User], count: int) -> list[Task]:
        team = Team.objects.order_by("pk").first()
        with transaction.atomic():
            project = Project.objects.create(name="Digest bench", team=team, owner=people[0])
            return Task.objects.bulk_create(
                (
                    Task(project=project, title=f"Bench task {n}", created_by=people[0])
                    for n in range(count)
                ),
                batch_size=BATCH,
            )

    def _notifications(
        self, rng: random.Random, people: list[User], tasks: list[Task], count: int
    ) -> None:
        start = BENCH_MOMENT - datetime.timedelta(days=1)
        for offset in range(0, count, BATCH):
            rows = []
            for n in range(offset, min(count, offset + BATCH)):
                task = rng.choice(tasks)
                kind = rng.choice(KINDS)
                rows.append(
                    Notification(
                        recipient=people[n % len(people)],
                        actor=rng.choice(people),
                        kind=kind,
                        channel=DEFAULT_CHANNELS[kind],
                        group_key=f"task:{task.pk}",
                        task=task,
                        title=task.title,
                        excerpt="A comment body of a few words.",
                        url=f"/work/tasks/{task.pk}/",
                        created_at=start + datetime.timedelta(seconds=rng.randint(0, 80_000)),
                    )
                )
            with transaction.atomic():
                Notification.objects.bulk_create(rows)

    def _requests(self, rng: random.Random, people: list[User], tasks: list[Task]) -> None:
        rows = []
        for n in range(len(people) * 2):
            requester, assignee = rng.sample(people, 2)
            rows.append(
                WorkRequest(
                    task=tasks[n % len(tasks)],
                    requester=requester,
                    assignee=assignee,
                    reply_by=BENCH_MOMENT + datetime.timedelta(hours=rng.randint(-48, 48)),
                )
            )
        with transaction.atomic():
            WorkRequest.objects.bulk_create(rows)

    def _proposals(self, rng: random.Random, people: list[User]) -> None:
        rows = []
        for n in range(30):
            author = rng.choice(people)
            anonymous = n % 3 == 0
            nonce = new_nonce()
            rows.append(
                Proposal(
                    title=f"Bench proposal {n}",
                    problem="Something is inconvenient.",
                    area=Area.TOOLS,
                    is_anonymous=anonymous,
                    author=None if anonymous else author,
                    nonce=nonce,
                    author_digest=author_digest_for(author.pk, nonce),
                    created_at=BENCH_MOMENT - datetime.timedelta(days=10 + n),
                )
            )
        with transaction.atomic():
            Proposal.objects.bulk_create(rows)
