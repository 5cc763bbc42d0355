"""Fill a benchmark database with a large library (see bench/README.md, "Library").

Steps:
1. Refuse to run unless the database file's name contains "bench", and refuse a database
   that already holds library pages.
2. Loosen SQLite's durability for the load (WAL, synchronous=OFF, a large page cache).
3. 10 teams of 20 people (the busy person, busy@bench.example, leads the first team) unless
   `bench_seed` made the bench people already, then 30 tags.
4. 50 spaces: 40 team spaces (4 a team), 5 org-wide, 5 private (the busy person is a
   member of two).
5. 20,000 pages (400 a space) in trees up to five levels deep, titles half Korean; each
   with 10 revisions (200,000) whose text grows by a line a revision; the page points at
   its last one. Trust states: ~60 % verified until a future date, ~10 % past their
   date, the rest needing review. Two tags on most pages.
6. In the busy person's team space, one more page whose revisions 11 and 12 are two
   2,000-line runbooks differing in every tenth line, for the diff.

Ids are assigned here, so revisions can point at pages of the same batch. Rows go in with
`bulk_create` in batches of 5,000, each batch in its own transaction; then `ANALYZE`.
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
from workmate.library.models import (
    Page,
    Revision,
    RevisionStatus,
    Space,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    Tag,
    TrustState,
)
from workmate.work.management.commands.bench_seed import BENCH_PASSWORD, BUSY_EMAIL

SPACES_PER_TEAM = 4
TEAMS = 10
ORG_SPACES = 5
PRIVATE_SPACES = 5
PAGES_PER_SPACE = 400
REVISIONS_PER_PAGE = 10
BATCH = 5000
BIG_LINES = 2000
BIG_KEY = "BENCH-BIG"

WORDS_KO = ["배포", "점검", "장애", "대응", "백업", "복구", "모니터링", "보안", "네트워크", "계정"]
WORDS_EN = ["Deploy", "Backup", "Restore", "Incident", "Network", "Access", "Billing", "DNS"]
BODY = """# {title}

## 목적

이 문서는 {title} 절차를 설명합니다. Keep it short and up to date.

## 단계

1. `kubectl get pods -n {n}` 로 상태를 확인합니다.
2. 대시보드에서 오류율을 확인합니다.
3. 이상이 있으면 담당자에게 알립니다.

## 참고

- [운영 가이드](https://example.com/ops/{n})
"""


class Command(SeedCommand):
    help = "Seed a benchmark database with 50 spaces, 20,000 pages and 200,000 revisions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=12)

    def handle(self, *args: Any, **options: Any) -> None:
        self.check_bench_database("bench/run_library.sh")
        if Page.objects.exists():
            raise CommandError("The database already holds library pages.")
        rng = random.Random(options["seed"])
        with self.bulk_load():
            people, teams, busy = self._people()
            tags = [Tag.objects.create(name=f"{rng.choice(WORDS_KO)}-{n}") for n in range(30)]
            spaces = self._spaces(teams, people, busy)
            self._pages(rng, spaces, people, tags)
            self._big_page(spaces[0], busy)
        self.progress(
            f"done: {Space.objects.count()} spaces, {Page.objects.count()} pages, "
            f"{Revision.objects.count()} revisions"
        )

    def _people(self) -> tuple[list[User], list[Team], User]:
        busy = User.objects.filter(email=BUSY_EMAIL).first()
        people = list(User.objects.filter(email__endswith="@bench.example")[:200])
        teams = list(Team.objects.order_by("pk")[:TEAMS])
        if busy is not None and len(teams) >= TEAMS:
            self.progress(f"using the {len(people)} bench people of bench_seed")
            return people, teams, busy
        password = make_password(BENCH_PASSWORD)
        teams = [Team.objects.create(code=f"L{n}", name=f"Library team {n}") for n in range(TEAMS)]
        people = User.objects.bulk_create(
            [
                User(
                    email=BUSY_EMAIL if n == 0 else f"reader{n}@bench.example",
                    full_name="바쁜 사람" if n == 0 else f"읽는 사람 {n}",
                    password=password,
                )
                for n in range(TEAMS * 20)
            ]
        )
        WorkProfile.objects.bulk_create([WorkProfile(user=person) for person in people])
        Membership.objects.bulk_create(
            [
                Membership(
                    user=person,
                    team=teams[n // 20],
                    role=TeamRole.LEAD if n % 20 == 0 else TeamRole.MEMBER,
                )
                for n, person in enumerate(people)
            ]
        )
        self.progress(f"{len(people)} people in {TEAMS} teams")
        return people, teams, people[0]

    def _spaces(self, teams: list[Team], people: list[User], busy: User) -> list[Space]:
        busy_team = Membership.objects.filter(user=busy).values_list("team_id", flat=True).first()
        ordered = sorted(teams, key=lambda team: team.pk != busy_team)
        spaces = []
        for team in ordered:
            for n in range(SPACES_PER_TEAM):
                spaces.append(
                    Space(
                        name=f"{team.code} 런북 {n}",
                        key=f"B{team.code}-{n}",
                        kind=SpaceKind.TEAM,
                        team=team,
                    )
                )
        spaces += [
            Space(name=f"전사 위키 {n}", key=f"BORG-{n}", kind=SpaceKind.ORG)
            for n in range(ORG_SPACES)
        ]
        spaces += [
            Space(name=f"비공개 {n}", key=f"BPRIV-{n}", kind=SpaceKind.PRIVATE)
            for n in range(PRIVATE_SPACES)
        ]
        spaces = Space.objects.bulk_create(spaces)
        members = []
        for n, space in enumerate(spaces[-PRIVATE_SPACES:]):
            for person in people[n * 10 : n * 10 + 10]:
                members.append(SpaceMembership(space=space, user=person, role=SpaceRole.EDITOR))
            if n < 2 and busy not in people[n * 10 : n * 10 + 10]:
                members.append(SpaceMembership(space=space, user=busy, role=SpaceRole.EDITOR))
        SpaceMembership.objects.bulk_create(members)
        self.progress(f"{len(spaces)} spaces")
        return spaces

    def _pages(
        self, rng: random.Random, spaces: list[Space], people: list[User], tags: list[Tag]
    ) -> None:
        now = timezone.now()
        today = timezone.localdate()
        next_page = (Page.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        next_revision = 1
        pages: list[Page] = []
        revisions: list[Revision] = []
        tag_rows: list[Any] = []
        Through = Page.tags.through
        for space in spaces:
            depth: dict[int, int] = {}
            ids: list[int] = []
            for n in range(PAGES_PER_SPACE):
                pk = next_page
                next_page += 1
                parent = None
                if n >= 12:
                    candidate = rng.choice(ids)
                    parent = candidate if depth[candidate] < 4 else None
                depth[pk] = 0 if parent is None else depth[parent] + 1
                ids.append(pk)
                words = WORDS_KO if n % 2 else WORDS_EN
                title = f"{rng.choice(words)} {rng.choice(words)} {n}"
                owner = rng.choice(people)
                created = now - datetime.timedelta(days=rng.randint(30, 700))
                roll = rng.random()
                verified = {}
                if roll < 0.6:
                    verified = {
                        "trust_state": TrustState.VERIFIED,
                        "verified_by": owner,
                        "verified_at": now - datetime.timedelta(days=10),
                        "verified_until": today + datetime.timedelta(days=rng.randint(1, 80)),
                    }
                elif roll < 0.7:
                    verified = {
                        "trust_state": TrustState.VERIFIED,
                        "verified_by": owner,
                        "verified_at": now - datetime.timedelta(days=100),
                        "verified_until": today - datetime.timedelta(days=rng.randint(1, 30)),
                    }
                body = BODY.format(title=title, n=n)
                for number in range(1, REVISIONS_PER_PAGE + 1):
                    body += f"- {number}번째 수정: {rng.choice(WORDS_KO)} 항목 보완\n"
                    revisions.append(
                        Revision(
                            pk=next_revision,
                            page_id=pk,
                            number=number,
                            author=rng.choice(people),
                            created_at=created + datetime.timedelta(days=number * 3),
                            title=title,
                            body=body,
                            summary=f"{number}번째 수정",
                            status=RevisionStatus.PUBLISHED,
                            base_number=number - 1 or None,
                        )
                    )
                    next_revision += 1
                pages.append(
                    Page(
                        pk=pk,
                        space=space,
                        parent_id=parent,
                        title=title,
                        owner=owner,
                        created_by=owner,
                        created_at=created,
                        updated_at=created + datetime.timedelta(days=REVISIONS_PER_PAGE * 3),
                        current_revision_id=next_revision - 1,
                        **verified,
                    )
                )
                for tag in rng.sample(tags, 2 if rng.random() < 0.8 else 0):
                    tag_rows.append(Through(page_id=pk, tag_id=tag.pk))
            if len(revisions) >= BATCH * 4:
                self._flush(pages, revisions, tag_rows)
        self._flush(pages, revisions, tag_rows)

    def _flush(self, pages: list[Page], revisions: list[Revision], tag_rows: list[Any]) -> None:
        # Pages first (revisions point at them; the page's current revision is checked at
        # commit, when both are in).
        with transaction.atomic():
            Page.objects.bulk_create(pages, batch_size=BATCH)
            Revision.objects.bulk_create(revisions, batch_size=BATCH)
            Page.tags.through.objects.bulk_create(tag_rows, batch_size=BATCH)
        self.progress(f"{len(pages)} pages, {len(revisions)} revisions")
        pages.clear()
        revisions.clear()
        tag_rows.clear()

    def _big_page(self, space: Space, busy: User) -> None:
        """A page whose last two revisions are 2,000-line runbooks, for the diff."""
        lines = [
            f"- 단계 {n}: `kubectl rollout status deploy/app-{n}` 확인" for n in range(BIG_LINES)
        ]
        changed = [line + (" (재확인)" if n % 10 == 0 else "") for n, line in enumerate(lines)]
        with transaction.atomic():
            page = Page.objects.create(space=space, title=BIG_KEY, owner=busy, created_by=busy)
            now = timezone.now()
            revisions = [
                Revision(page=page, number=n, author=busy, title=BIG_KEY, body=f"# {n}\n")
                for n in range(1, 11)
            ]
            revisions.append(
                Revision(page=page, number=11, author=busy, title=BIG_KEY, body="\n".join(lines))
            )
            revisions.append(
                Revision(
                    page=page,
                    number=12,
                    author=busy,
                    title=BIG_KEY,
                    body="\n".join(changed),
                    created_at=now,
                )
            )
            Revision.objects.bulk_create(revisions)
            page.current_revision = Revision.objects.get(page=page, number=12)
            page.save(update_fields=["current_revision"])
        self.progress(f"the diff page: #{page.pk} in {space.key}")
