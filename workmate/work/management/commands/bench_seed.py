"""Fill a separate benchmark database with a million tasks (see bench/README.md).

Steps:
1. Refuse to run unless the database file's name contains "bench", so the command can
   never fill the development database by accident.
2. Loosen SQLite's durability for the load (WAL, synchronous=OFF, a large page cache):
   a crash mid-seed only means seeding again.
3. Create 10 teams of 30 people (one lead each), their work profiles (bulk_create skips
   the signal that normally makes them) and one shared password, hashed once.
4. Create 2,000 projects (200 per team; some private with members, some org-wide),
   3-5 sections each, and 500 tasks per project in batches of 10,000 rows, each batch
   in its own transaction. About 10 % are subtasks, about 20 % are done, due dates spread
   over today +/- 60 days, a few tags.
5. One person ("busy") gets about 3,000 open tasks, the load test's My Tasks page.
6. About 2 % of tasks carry a written request with a reply-by.

Ids are assigned here rather than read back from the database, so subtasks and
requests can point at tasks of the same batch without another round trip.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import Membership, Team, TeamRole, User, WorkProfile
from workmate.lib.benchseed import SeedCommand
from workmate.work.models import (
    Priority,
    Project,
    ProjectMember,
    ProjectRole,
    RequestState,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

BENCH_PASSWORD = "bench-password-2026"
BUSY_EMAIL = "busy@bench.example"
TEAMS = 10
PEOPLE = 300
PROJECTS = 2000
TASKS = 1_000_000
BATCH = 10_000
BUSY_OPEN_TASKS = 3000
# Share of tasks not done (open, in progress, waiting); `--open-share` changes it.
OPEN_SHARE = 0.8

WORDS = (  # noqa: SIM905 (a sentence reads better than forty quoted words)
    "backup restore migrate patch upgrade audit review deploy monitor alert billing invoice "
    "customer onboarding firewall vpn dns certificate kubernetes cluster database replica "
    "storage quota report dashboard contract renewal incident postmortem ticket escalation "
    "network latency cost estimate proposal workshop training handover checklist"
).split()
SECTION_NAMES = ["Backlog", "To do", "Doing", "Review", "Done"]
TAG_NAMES = ["aws", "azure", "gcp", "security", "billing", "urgent", "customer", "internal"]


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()


class Command(SeedCommand):
    help = "Fill the benchmark database (a file whose name contains 'bench') with 1M tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tasks", type=int, default=TASKS)
        parser.add_argument("--projects", type=int, default=PROJECTS)
        parser.add_argument("--people", type=int, default=PEOPLE)
        parser.add_argument(
            "--open-share", type=float, default=OPEN_SHARE, help="share of tasks not done"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        name = self.check_bench_database("bench/run.sh")
        if Task.objects.exists():
            raise CommandError(f"{name} already holds tasks; delete the file to seed again.")
        if not 0 < options["open_share"] <= 1:
            raise CommandError("--open-share is a share above 0 and at most 1 (0.8: 80 %).")
        self.rng = random.Random(options["seed"])
        self.open_share = options["open_share"]
        with self.bulk_load():
            teams, people = self._people(options["people"])
            projects = self._projects(teams, people, options["projects"])
            busy = people[teams[0].pk][0]
            self._tasks(projects, busy, options["tasks"])
        self.progress(f"done; log in as {BUSY_EMAIL} / {BENCH_PASSWORD}")

    # --- People ------------------------------------------------------------------------

    def _people(self, count: int) -> tuple[list[Team], dict[int, list[User]]]:
        password = make_password(BENCH_PASSWORD)
        now = timezone.now()
        with transaction.atomic():
            teams = Team.objects.bulk_create(
                Team(code=f"B{n:02}", name=f"Bench team {n}") for n in range(1, TEAMS + 1)
            )
            users = User.objects.bulk_create(
                User(
                    email=BUSY_EMAIL if n == 0 else f"person{n}@bench.example",
                    full_name="Busy Bench" if n == 0 else f"Bench Person {n}",
                    language="en",
                    password=password,
                    date_joined=now,
                )
                for n in range(count)
            )
            WorkProfile.objects.bulk_create(WorkProfile(user=user) for user in users)
            people: dict[int, list[User]] = {team.pk: [] for team in teams}
            memberships = []
            for n, user in enumerate(users):
                team = teams[n % TEAMS]
                # The first person of each team leads it; the busy person leads team 1.
                role = TeamRole.LEAD if n < TEAMS else TeamRole.MEMBER
                memberships.append(Membership(user=user, team=team, role=role))
                people[team.pk].append(user)
            Membership.objects.bulk_create(memberships)
        self.progress(f"{len(teams)} teams, {len(users)} people with profiles")
        return teams, people

    # --- Projects ----------------------------------------------------------------------

    def _projects(
        self, teams: list[Team], people: dict[int, list[User]], count: int
    ) -> list[dict[str, Any]]:
        """Projects with their sections; each comes back with the people who work in it."""
        rng = self.rng
        pools: list[list[int]] = []
        projects: list[Project] = []
        for n in range(count):
            team = teams[n % len(teams)]
            staff = [user.pk for user in people[team.pk]]
            roll = rng.random()
            if roll < 0.1:
                visibility = Visibility.PRIVATE
                pool = rng.sample(staff, 6)
            else:
                visibility = Visibility.ORG if roll < 0.15 else Visibility.TEAM
                pool = staff
            pools.append(pool)
            projects.append(
                Project(
                    name=f"{_title(rng)} {n + 1}",
                    team=team,
                    owner_id=pool[0],
                    visibility=visibility,
                    colour=f"#{rng.randrange(0x1000000):06x}",
                )
            )
        with transaction.atomic():
            projects = Project.objects.bulk_create(projects, batch_size=BATCH)
            ProjectMember.objects.bulk_create(
                (
                    ProjectMember(project=project, user_id=user_id, role=ProjectRole.EDITOR)
                    for project, pool in zip(projects, pools, strict=True)
                    if project.visibility == Visibility.PRIVATE
                    for user_id in pool
                ),
                batch_size=BATCH,
            )
            sections = Section.objects.bulk_create(
                (
                    Section(project=project, name=name, position=position)
                    for project in projects
                    for position, name in enumerate(SECTION_NAMES[: rng.randint(3, 5)])
                ),
                batch_size=BATCH,
            )
        by_project: dict[int, list[int]] = {}
        for section in sections:
            by_project.setdefault(section.project_id, []).append(section.pk)
        self.progress(f"{len(projects)} projects, {len(sections)} sections")
        return [
            {
                "id": project.pk,
                "team_id": project.team_id,
                "visibility": project.visibility,
                "pool": pool,
                "sections": by_project[project.pk],
            }
            for project, pool in zip(projects, pools, strict=True)
        ]

    # --- Tasks -------------------------------------------------------------------------

    def _tasks(self, projects: list[dict[str, Any]], busy: User, count: int) -> None:
        rng = self.rng
        now = timezone.now()
        today = timezone.localdate(now)
        seoul = timezone.get_default_timezone()
        per_project = count // len(projects)
        tags = Tag.objects.bulk_create(Tag(name=name) for name in TAG_NAMES)
        TaskTag = Task.tags.through
        # The busy person's share of their team's tasks, so they end up with ~3,000 open.
        busy_projects = [
            p for p in projects if p["team_id"] == projects[0]["team_id"] and busy.pk in p["pool"]
        ]
        candidates = max(1, len(busy_projects) * per_project * 0.9)
        busy_share = BUSY_OPEN_TASKS / self.open_share / candidates

        next_id = 1
        tasks: list[Task] = []
        task_tags: list[Any] = []
        requests: list[WorkRequest] = []
        written = 0
        for project in projects:
            pool = project["pool"]
            others = [pk for pk in pool if pk != busy.pk]
            is_busy_project = busy.pk in pool and project["team_id"] == projects[0]["team_id"]
            top_level: list[tuple[int, int | None]] = []
            positions: dict[int | None, int] = {}
            for _ in range(per_project):
                task_id = next_id
                next_id += 1
                parent_id = section_id = None
                if top_level and rng.random() < 0.1:
                    parent_id = rng.choice(top_level)[0]
                else:
                    section_id = rng.choice(project["sections"]) if rng.random() < 0.95 else None
                    top_level.append((task_id, section_id))
                position = positions.get(section_id if parent_id is None else -parent_id, 0)
                positions[section_id if parent_id is None else -parent_id] = position + 1

                if rng.random() < 0.1:
                    assignee_id = None
                elif is_busy_project and rng.random() < busy_share:
                    assignee_id = busy.pk
                else:
                    assignee_id = rng.choice(others)
                created_at = now - datetime.timedelta(minutes=rng.randint(60, 180 * 24 * 60))
                due_on = start_on = due_at = completed_at = None
                if rng.random() < 0.85:
                    due_on = today + datetime.timedelta(days=rng.randint(-60, 60))
                    if rng.random() < 0.3:
                        start_on = due_on - datetime.timedelta(days=rng.randint(0, 14))
                    if rng.random() < 0.1:
                        due_at = datetime.datetime.combine(
                            due_on, datetime.time(rng.randint(9, 18)), tzinfo=seoul
                        )
                # Done with 1 - open share; the open ones split 55:15:10 as before (at 0.8).
                roll = rng.random()
                open_roll = (roll - (1 - self.open_share)) / self.open_share
                if open_roll < 0:
                    status = TaskStatus.DONE
                    completed_at = now - datetime.timedelta(minutes=rng.randint(10, 30 * 24 * 60))
                elif open_roll < 0.6875:
                    status = TaskStatus.OPEN
                elif open_roll < 0.875:
                    status = TaskStatus.IN_PROGRESS
                else:
                    status = TaskStatus.WAITING
                created_by_id = pool[0] if rng.random() < 0.6 else rng.choice(pool)
                tasks.append(
                    Task(
                        id=task_id,
                        project_id=project["id"],
                        section_id=section_id,
                        parent_id=parent_id,
                        title=f"{_title(rng)} #{task_id}",
                        description=(
                            " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
                            if rng.random() < 0.3
                            else ""
                        ),
                        assignee_id=assignee_id,
                        created_by_id=created_by_id,
                        start_on=start_on,
                        due_on=due_on,
                        due_at=due_at,
                        priority=rng.choice(Priority.values),
                        status=status,
                        completed_at=completed_at,
                        position=position,
                        created_at=created_at,
                    )
                )
                if rng.random() < 0.1:
                    for tag in rng.sample(tags, rng.randint(1, 2)):
                        task_tags.append(TaskTag(task_id=task_id, tag_id=tag.pk))
                if assignee_id is not None and status != TaskStatus.DONE and rng.random() < 0.02:
                    requests.append(self._request(task_id, assignee_id, pool, created_at))
                if len(tasks) >= BATCH:
                    written += self._flush(tasks, task_tags, requests)
                    self.progress(f"{written:,} / {count:,} tasks")
        written += self._flush(tasks, task_tags, requests)
        self.progress(f"{written:,} tasks written")

    def _request(
        self, task_id: int, assignee_id: int, pool: list[int], sent_at: datetime.datetime
    ) -> WorkRequest:
        rng = self.rng
        requester_id = rng.choice([pk for pk in pool if pk != assignee_id])
        state = rng.choices(list(RequestState), weights=[5, 2, 2, 1])[0]
        closed = state in {RequestState.ANSWERED, RequestState.HANDED_BACK}
        return WorkRequest(
            task_id=task_id,
            requester_id=requester_id,
            assignee_id=assignee_id,
            message="Could you take this one?",
            reply_by=sent_at + datetime.timedelta(hours=rng.randint(8, 72)),
            state=state,
            answer="Done, see the notes." if closed else "",
            created_at=sent_at,
            acknowledged_at=sent_at if state != RequestState.PENDING else None,
            closed_at=sent_at + datetime.timedelta(hours=4) if closed else None,
        )

    def _flush(self, tasks: list[Task], task_tags: list[Any], requests: list[WorkRequest]) -> int:
        written = len(tasks)
        with transaction.atomic():
            Task.objects.bulk_create(tasks)
            Task.tags.through.objects.bulk_create(task_tags)
            WorkRequest.objects.bulk_create(requests)
        tasks.clear()
        task_tags.clear()
        requests.clear()
        return written
