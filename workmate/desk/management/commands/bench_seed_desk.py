"""Fill the benchmark database with a year of support desk (see bench/README.md).

Steps:
1. Refuse to run unless the database file's name contains "bench" (as `bench_seed`), and
   refuse a database that already holds tickets.
2. Loosen SQLite's durability for the load (WAL, synchronous=OFF, a large page cache).
3. The support team (settings.DESK_SUPPORT_TEAM) and its agents: the bench people
   `bench_seed` made when they exist (the busy person is the busy agent), else new ones.
4. ~60 customers across the tiers, the SLA policies of every tier and priority, ~2,000
   contacts.
5. 200,000 tickets over the last 12 months (`--history-days`): `--active-share` of them
   active (30 % by default, as a busy MSP desk: new, open, on hold, waiting on the
   customer, triage), the rest closed or solved, across the agents, the busy agent with
   `--busy-active` (150) active. Tickets arrive at an even rate over the history (200,000
   over two years is ~270 a day): a ticket of age `a` is still active with probability
   exp(-a/τ), τ = the active tickets / the daily rate, so the backlog reaches back months
   as a real one does and today holds a day's tickets, not the backlog; new and triage
   tickets are the youngest of the active ones. The SLA moments come from the real
   support calendar, but through a table of its working intervals built once (a bisect
   per moment) rather than `add_working_time` per ticket.
6. ~2,000,000 timeline entries (10 a ticket on average), in batches of 10,000 rows, each
   batch in its own transaction; then each ticket's `updated_at` is its last entry's
   moment, the active-count ledger the triggers wrote folded, and `ANALYZE`.

Ids are assigned here, so entries can point at tickets of the same batch.
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from workmate.accounts.models import Membership, Team, TeamRole, User, WorkProfile
from workmate.desk import sla, stats
from workmate.desk.demo import SLA_POLICIES
from workmate.desk.models import (
    Category,
    Contact,
    ContactMembership,
    ContractTier,
    Customer,
    EntryKind,
    Industry,
    SLAPolicy,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.lib.benchseed import SeedCommand
from workmate.work.management.commands.bench_seed import BENCH_PASSWORD, BUSY_EMAIL

TICKETS = 200_000
ENTRIES_PER_TICKET = 10
CUSTOMERS = 60
CONTACTS = 2000
AGENTS = 40
BUSY_ACTIVE = 150
BATCH = 10_000
# Share of tickets active (a busy MSP desk's backlog; issue 18), and of the active tickets
# in each state; the rest of the history is solved or closed.
ACTIVE_SHARE = 0.30
HISTORY_DAYS = 365
ACTIVE_STATES = [
    ("triage", 0.045),
    (Status.NEW, 0.17),
    (Status.OPEN, 0.57),
    (Status.ON_HOLD, 0.06),
    (Status.PENDING, 0.155),
]
SOLVED_SHARE = 0.0075

WORDS = (  # noqa: SIM905 (a sentence reads better than forty quoted words)
    "backup restore migrate patch upgrade audit review deploy monitor alert billing invoice "
    "instance outage error timeout vpn dns certificate kubernetes cluster database replica "
    "storage quota report dashboard contract renewal incident latency login password access "
    "network cost estimate disk memory cpu load balancer firewall rule bucket snapshot"
).split()
PRIORITY_WEIGHTS = [5, 20, 55, 20]
CATEGORY_WEIGHTS = [55, 25, 10, 5, 5]
EVENT_FIELDS = [
    ("status", "Open", "Pending customer"),
    ("status", "Pending customer", "Open"),
    ("priority", "P3 · normal", "P2 · high"),
    ("assignee", "", "Bench agent"),
    ("tags", "", "vpn"),
]


class WorkingClock:
    """A calendar's working intervals over a span, for adding working time by bisection.

    `starts[i]`/`ends[i]` are the i-th interval (UTC) and `before[i]` the working seconds
    in the intervals before it. Adding working time to a moment is two bisections instead
    of a walk over the days (which `add_working_time` does, ~100 µs a call).
    """

    def __init__(self, calendar: Any, start: datetime.datetime, end: datetime.datetime):
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []
        total = 0.0
        for low, high in calendar.intervals_from(start):
            if low >= end:
                break
            self.starts.append(low.timestamp())
            self.ends.append(high.timestamp())
            self.before.append(total)
            total += (high - low).total_seconds()
        self.total = total

    def add(self, moment: float, seconds: float) -> float:
        """The moment (a timestamp) when `seconds` of working time have passed after `moment`."""
        index = bisect.bisect_right(self.ends, moment)
        if index >= len(self.starts):
            raise ValueError("Outside the clock's span.")
        target = self.before[index] + max(0.0, moment - self.starts[index]) + seconds
        if target > self.total:
            raise ValueError("Outside the clock's span.")
        # The interval where the target fits, an end counting as inside (as add_working_time:
        # work that ends at closing time is due at closing time, not the next opening).
        found = max(0, bisect.bisect_left(self.before, target) - 1)
        return self.starts[found] + (target - self.before[found])


class Command(SeedCommand):
    help = "Fill the benchmark database (a file named '*bench*') with 200,000 desk tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=TICKETS)
        parser.add_argument("--entries-per-ticket", type=int, default=ENTRIES_PER_TICKET)
        parser.add_argument("--customers", type=int, default=CUSTOMERS)
        parser.add_argument("--contacts", type=int, default=CONTACTS)
        parser.add_argument("--agents", type=int, default=AGENTS)
        parser.add_argument("--busy-active", type=int, default=BUSY_ACTIVE)
        parser.add_argument(
            "--active-share", type=float, default=ACTIVE_SHARE, help="share of active tickets"
        )
        parser.add_argument(
            "--history-days", type=int, default=HISTORY_DAYS, help="how far back tickets go"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        name = self.check_bench_database("bench/run_desk.sh")
        if Ticket.objects.exists():
            raise CommandError(
                f"{name} already holds tickets; delete them (or the file) to seed again."
            )
        if not 0 <= options["active_share"] <= 1:
            raise CommandError("--active-share is a share between 0 and 1 (0.3: 30 %).")
        if options["history_days"] < 10:
            raise CommandError("--history-days is at least 10.")
        self.rng = random.Random(options["seed"])
        self.history = options["history_days"] * 86400
        self.now = timezone.now()
        with self.bulk_load():
            team, busy, agents = self._agents(options["agents"])
            policies = self._policies()
            customers, contacts = self._customers(agents, options["customers"], options["contacts"])
            self._tickets(
                team,
                busy,
                agents,
                policies,
                customers,
                contacts,
                count=options["tickets"],
                per_ticket=options["entries_per_ticket"],
                busy_active=options["busy_active"],
                active_share=options["active_share"],
            )
            self.progress("last change of each ticket = its last entry")
            last_entry = (
                TicketEntry.objects.filter(ticket=OuterRef("pk"))
                .order_by("-created_at")
                .values("created_at")[:1]
            )
            with transaction.atomic():
                Ticket.objects.update(updated_at=Coalesce(Subquery(last_entry), "created_at"))
            self.progress("the dashboard's active counts and passed SLA moments folded")
            stats.compact_active_counts()
            stats.compact_sla_counts()
        self.progress(f"done; the busy agent is {busy.email} / {BENCH_PASSWORD}")

    # --- People ------------------------------------------------------------------------

    def _agents(self, count: int) -> tuple[Team, User, list[User]]:
        """The support team with `count` agents; bench people are reused when present."""
        emails = [BUSY_EMAIL] + [f"person{n}@bench.example" for n in range(1, count)]
        with transaction.atomic():
            team, _created = Team.objects.get_or_create(
                code=settings.DESK_SUPPORT_TEAM, defaults={"name": "Technical Engineering"}
            )
            found = {user.email: user for user in User.objects.filter(email__in=emails)}
            missing = [email for email in emails if email not in found]
            if missing:
                password = make_password(BENCH_PASSWORD)
                made = User.objects.bulk_create(
                    User(
                        email=email,
                        full_name="Busy Bench" if email == BUSY_EMAIL else f"Bench agent {n}",
                        language="en",
                        password=password,
                        date_joined=self.now,
                    )
                    for n, email in enumerate(missing)
                )
                WorkProfile.objects.bulk_create(WorkProfile(user=user) for user in made)
                found.update((user.email, user) for user in made)
            agents = [found[email] for email in emails]
            members = set(team.memberships.values_list("user_id", flat=True))
            Membership.objects.bulk_create(
                Membership(
                    user=user,
                    team=team,
                    role=TeamRole.LEAD if n == 1 else TeamRole.MEMBER,
                )
                for n, user in enumerate(agents)
                if user.pk not in members
            )
        self.progress(f"support team {team.code}: {len(agents)} agents ({len(missing)} new)")
        return team, agents[0], agents

    def _policies(self) -> dict[tuple[str, int], SLAPolicy]:
        policies = {}
        for tier, targets in SLA_POLICIES.items():
            for priority, (first, resolution, around) in targets.items():
                policy, _created = SLAPolicy.objects.get_or_create(
                    tier=tier,
                    priority=priority,
                    defaults={
                        "first_response_minutes": first,
                        "resolution_minutes": resolution,
                        "around_the_clock": around,
                    },
                )
                policies[(tier, priority)] = policy
        return policies

    def _customers(
        self, agents: list[User], count: int, contact_count: int
    ) -> tuple[list[Customer], list[list[int]]]:
        """Customers (a sixth enterprise, a third business) and their contacts' ids."""
        rng = self.rng
        industries = Industry.values
        customers = []
        for n in range(count):
            share = n / max(1, count)
            if share < 1 / 6:
                tier = ContractTier.ENTERPRISE
            elif share < 0.5:
                tier = ContractTier.BUSINESS
            else:
                tier = ContractTier.STANDARD
            customers.append(
                Customer(
                    name=f"Bench customer {n + 1}",
                    industry=industries[n % len(industries)],
                    tier=tier,
                    se_owner=rng.choice(agents),
                    le_architect=rng.choice(agents),
                    email_domains=[f"c{n + 1}.bench.example"],
                    shared_tickets=rng.random() < 0.3,
                )
            )
        with transaction.atomic():
            customers = Customer.objects.bulk_create(customers)
            contacts = []
            owners = []
            for n in range(contact_count):
                # Bigger customers (the first ones) have more contacts.
                index = min(count - 1, int(rng.paretovariate(1.2)) - 1) if n >= count else n
                index = index % count
                owners.append(index)
                contacts.append(
                    Contact(
                        email=f"contact{n + 1}@c{index + 1}.bench.example",
                        full_name=f"Contact {n + 1}",
                        language="ko" if rng.random() < 0.6 else "en",
                        created_at=self.now,
                    )
                )
            contacts = Contact.objects.bulk_create(contacts, batch_size=BATCH)
            ContactMembership.objects.bulk_create(
                (
                    ContactMembership(customer=customers[index], contact=contact)
                    for contact, index in zip(contacts, owners, strict=True)
                ),
                batch_size=BATCH,
            )
        by_customer: list[list[int]] = [[] for _ in customers]
        for contact, index in zip(contacts, owners, strict=True):
            by_customer[index].append(contact.pk)
        self.progress(f"{len(customers)} customers, {len(contacts)} contacts")
        return customers, by_customer

    # --- Tickets -----------------------------------------------------------------------

    def _clocks(self, policies: dict[tuple[str, int], SLAPolicy]) -> dict[bool, WorkingClock]:
        year = datetime.timedelta(seconds=self.history) + datetime.timedelta(days=15)
        business = next(p for p in policies.values() if not p.around_the_clock)
        start, end = self.now - year, self.now + datetime.timedelta(days=120)
        clocks = {False: WorkingClock(sla.support_calendar(business), start, end)}
        around = [p for p in policies.values() if p.around_the_clock]
        if around:
            clocks[True] = WorkingClock(sla.support_calendar(around[0]), start, end)
        return clocks

    def _tickets(
        self,
        team: Team,
        busy: User,
        agents: list[User],
        policies: dict[tuple[str, int], SLAPolicy],
        customers: list[Customer],
        contacts: list[list[int]],
        *,
        count: int,
        per_ticket: int,
        busy_active: int,
        active_share: float,
    ) -> None:
        rng = self.rng
        now = self.now
        now_ts = now.timestamp()
        clocks = self._clocks(policies)
        risk = settings.DESK_AT_RISK_PERCENT / 100
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."
            for _ in range(500)
        ]
        subjects = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
            for _ in range(2000)
        ]
        others = [agent.pk for agent in agents[1:]] or [busy.pk]
        # Customers with more contacts write more tickets.
        weights = [max(1, len(pool)) for pool in contacts]
        active_total = max(len(ACTIVE_STATES), round(count * active_share))
        solved_total = round(count * SOLVED_SHARE)
        # Which tickets are active: the newest ones mostly, by index below.
        states: list[str] = []
        for state, share in ACTIVE_STATES:
            states += [state] * max(1, round(active_total * share))
        rng.shuffle(states)
        active_assigned = sum(1 for state in states if state not in {"triage", Status.NEW})
        busy_share = min(1.0, busy_active / max(1, active_assigned))
        kinds = [*states, *[Status.SOLVED] * solved_total]
        kinds += [Status.CLOSED] * max(0, count - len(kinds))
        rng.shuffle(kinds)
        # Ages: an even arrival rate, each ticket still active with probability exp(-a/τ).
        # τ makes the active tickets a day's arrivals times τ; new and triage tickets take
        # the youngest of the active ages.
        tau = min(float(self.history), len(states) * self.history / max(1, count))
        ages = sorted(self._active_age(tau) for _ in states)
        young = sum(1 for state in states if state in {Status.NEW, "triage"})
        young_ages, older_ages = ages[:young], ages[young:]
        rng.shuffle(young_ages)
        rng.shuffle(older_ages)

        tickets: list[Ticket] = []
        entries: list[TicketEntry] = []
        next_entry = 1
        written = entry_count = reported = 0
        for number in range(1, count + 1):
            state = kinds[number - 1]
            customer_index = rng.choices(range(len(customers)), weights)[0]
            customer = customers[customer_index]
            pool = contacts[customer_index]
            requester_id = rng.choice(pool) if pool else None
            priority = rng.choices((1, 2, 3, 4), PRIORITY_WEIGHTS)[0]
            if state in {Status.CLOSED}:
                age = self._closed_age(tau)
            elif state == Status.SOLVED:
                age = rng.uniform(86400, 10 * 86400)
            elif state in {Status.NEW, "triage"}:
                age = young_ages.pop()
            else:
                age = older_ages.pop()
            created = now_ts - age
            ticket: dict[str, Any] = {
                "id": number,
                "subject": f"{rng.choice(subjects)} #{number}",
                "description": rng.choice(sentences),
                "priority": priority,
                "category": rng.choices(Category.values, CATEGORY_WEIGHTS)[0],
                "team_id": team.pk,
                "tags": rng.sample(["vpn", "billing", "aws", "urgent", "network"], 1)
                if rng.random() < 0.15
                else [],
            }
            if state == "triage":
                ticket.update(
                    status=Status.NEW,
                    from_email=f"someone{number}@unknown-{number % 97}.example",
                )
                requester_id = None
                customer = None
            else:
                ticket.update(status=state, customer_id=customer.pk, requester_id=requester_id)
                policy = policies[(customer.tier, priority)]
                clock = clocks[policy.around_the_clock]
                first = policy.first_response_minutes * 60
                resolution = policy.resolution_minutes * 60
                ticket.update(
                    sla_policy_id=policy.pk,
                    first_response_due=clock.add(created, first),
                    first_response_risk_at=clock.add(created, first * risk),
                    resolution_due=clock.add(created, resolution),
                    resolution_risk_at=clock.add(created, resolution * risk),
                )
                if state in {Status.SOLVED, Status.CLOSED}:
                    # Mostly within target; about one in ten late.
                    late = rng.random() < 0.1
                    target = resolution * (rng.uniform(1.0, 3.0) if late else rng.uniform(0.1, 1))
                    solved = clock.add(created, target)
                    if state == Status.SOLVED:
                        solved = min(solved, now_ts - rng.uniform(600, 3 * 86400))
                    solved = max(solved, created + 600)
                    responded = min(solved, clock.add(created, first * rng.uniform(0.1, 1.1)))
                    ticket.update(
                        first_responded_at=responded,
                        acknowledged_at=responded,
                        solved_at=solved,
                        closed_at=solved + 4 * 86400 if state == Status.CLOSED else None,
                    )
                elif state != Status.NEW and rng.random() < 0.85:
                    responded = min(now_ts - 60, clock.add(created, first * rng.uniform(0.1, 1.2)))
                    ticket.update(first_responded_at=responded, acknowledged_at=responded)
                if state == Status.PENDING:
                    since = created + (now_ts - created) * rng.uniform(0.3, 0.95)
                    ticket["paused_since"] = since
            # Assignee: closed ones across the team; active ones mostly assigned, the busy
            # agent holding ~busy_active of them; new and triage ones mostly not yet.
            assignee_id = None
            if state in {Status.SOLVED, Status.CLOSED}:
                assignee_id = rng.choice(others) if rng.random() > 0.03 else busy.pk
            elif state == Status.NEW:
                assignee_id = rng.choice(others) if rng.random() < 0.3 else None
            elif state != "triage":
                assignee_id = busy.pk if rng.random() < busy_share else rng.choice(others)
            ticket["assignee_id"] = assignee_id
            for key in (
                "first_response_due",
                "first_response_risk_at",
                "resolution_due",
                "resolution_risk_at",
                "first_responded_at",
                "acknowledged_at",
                "solved_at",
                "closed_at",
                "paused_since",
            ):
                if ticket.get(key) is not None:
                    ticket[key] = _moment(ticket[key])
            ticket["created_at"] = _moment(created)
            tickets.append(Ticket(**ticket))

            # The timeline: the customer's message first, then replies, notes and changes.
            end = ticket.get("closed_at") or ticket.get("solved_at") or now
            end_ts = min(end.timestamp(), now_ts)
            if state in {"triage", Status.NEW}:
                length = rng.randint(1, 3)
            else:
                length = rng.randint(2, max(2, 2 * per_ticket - 2))
            moments = sorted(rng.uniform(created, end_ts) for _ in range(length - 1))
            author = assignee_id or rng.choice(others)
            for position, moment in enumerate([created, *moments]):
                entry = TicketEntry(
                    id=next_entry,
                    ticket_id=number,
                    created_at=_moment(moment),
                )
                next_entry += 1
                roll = rng.random()
                if position == 0 or (roll < 0.3 and state != "triage"):
                    entry.kind = EntryKind.CUSTOMER
                    entry.contact_id = requester_id
                    entry.body = rng.choice(sentences)
                elif roll < 0.65:
                    entry.kind = EntryKind.REPLY
                    entry.author_id = author
                    entry.body = rng.choice(sentences)
                    entry.minutes = rng.choice((0, 5, 10, 15, 30, 60))
                    entry.billable = entry.minutes > 0 and rng.random() < 0.5
                elif roll < 0.8:
                    entry.kind = EntryKind.NOTE
                    entry.author_id = author
                    entry.body = rng.choice(sentences)
                    entry.minutes = rng.choice((0, 0, 5, 15))
                else:
                    entry.kind = EntryKind.EVENT
                    entry.author_id = author
                    entry.field, entry.old_value, entry.new_value = rng.choice(EVENT_FIELDS)
                entries.append(entry)
            if len(entries) >= BATCH:
                entry_count += len(entries)
                written += self._flush(tickets, entries)
                if written >= reported + 20_000:
                    reported = written
                    self.progress(f"{written:,} / {count:,} tickets, {entry_count:,} entries")
        entry_count += len(entries)
        written += self._flush(tickets, entries)
        self.progress(f"{written:,} tickets, {entry_count:,} entries written")

    def _active_age(self, tau: float) -> float:
        """How long ago an active ticket arrived: exponential with mean τ, within history."""
        while True:
            age = self.rng.expovariate(1 / tau) + 120
            if age < self.history:
                return age

    def _closed_age(self, tau: float) -> float:
        """How long ago a closed ticket arrived: an even rate of arrivals, less those still
        active at that age (density ∝ 1 - exp(-a/τ)); at least 5 days (closed 4 days after
        being solved)."""
        while True:
            age = self.rng.uniform(5 * 86400, self.history)
            if self.rng.random() < 1 - math.exp(-age / tau):
                return age

    def _flush(self, tickets: list[Ticket], entries: list[TicketEntry]) -> int:
        written = len(tickets)
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets)
            TicketEntry.objects.bulk_create(entries)
        tickets.clear()
        entries.clear()
        return written


def _moment(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
