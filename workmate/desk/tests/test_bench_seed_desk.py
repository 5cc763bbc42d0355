"""The desk benchmark seeder (bench/README.md), run small so the suite notices when it breaks."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from workmate.accounts.models import Membership, User, WorkProfile
from workmate.desk import sla
from workmate.desk.models import (
    Contact,
    Customer,
    DeskActiveCount,
    SLAPolicy,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.desk.tests.test_active_counts import active_counts, counted
from workmate.testing.factories import make_ticket
from workmate.work.management.commands.bench_seed import BUSY_EMAIL

SMALL = [
    "--tickets", "600", "--customers", "6", "--contacts", "40", "--agents", "5",
    "--busy-active", "8", "--entries-per-ticket", "4",
]  # fmt: skip


@pytest.fixture
def bench_database(db, monkeypatch):
    # The seeder only fills a database whose name says "bench" (SQLite or PostgreSQL).
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/bench-desk-test.sqlite3")


def test_refuses_a_database_not_named_bench(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/workmate.sqlite3")
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_seed_desk", *SMALL)
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_seeds_a_desk_on_a_fresh_database(bench_database):
    call_command("bench_seed_desk", *SMALL)

    busy = User.objects.get(email=BUSY_EMAIL)
    assert busy.check_password("bench-password-2026")
    assert WorkProfile.objects.filter(user=busy).exists()
    assert Membership.objects.filter(team__code="TE").count() == 5
    assert Customer.objects.count() == 6
    assert Contact.objects.count() == 40
    assert SLAPolicy.objects.count() == 12
    assert Ticket.objects.count() == 600
    entries = TicketEntry.objects.count()
    assert 600 * 2 <= entries <= 600 * 6
    assert not Ticket.objects.filter(entries__isnull=True).exists()
    # The default shape: 30 % of the tickets active (a busy desk's backlog).
    assert 170 <= Ticket.objects.active().count() <= 190
    assert Ticket.objects.filter(status=Status.CLOSED).count() > 400
    assert Ticket.objects.active().filter(customer__isnull=True).exists()  # triage
    assert Ticket.objects.filter(status=Status.PENDING, paused_since__isnull=False).exists()
    assert 2 <= Ticket.objects.active().filter(assignee=busy).count() <= 16
    # The dashboard's active counts, kept by the triggers through bulk_create and updates.
    assert counted() == active_counts()
    assert DeskActiveCount.objects.count() == len(counted())  # folded
    # The due moments are those the real calendar gives (to the millisecond).
    for ticket in Ticket.objects.exclude(sla_policy=None).select_related("customer")[:40]:
        stored = ticket.resolution_due, ticket.first_response_risk_at
        sla.schedule(ticket)
        assert abs(ticket.resolution_due - stored[0]) < datetime.timedelta(milliseconds=1)
        assert abs(ticket.first_response_risk_at - stored[1]) < datetime.timedelta(milliseconds=1)
    latest = TicketEntry.objects.filter(ticket=ticket).order_by("-created_at").first()
    assert Ticket.objects.get(pk=ticket.pk).updated_at == latest.created_at


def test_active_share_and_history_are_options(bench_database):
    call_command("bench_seed_desk", *SMALL, "--active-share", "0.05", "--history-days", "730")

    assert 25 <= Ticket.objects.active().count() <= 35
    oldest = Ticket.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - datetime.timedelta(days=400)


def test_tickets_arrive_at_an_even_rate_and_the_backlog_reaches_back(bench_database):
    """Today holds a day's tickets, not the backlog (issue 18: the seeder used to open
    ~16 % of all tickets on the last day, which made the reports' live part that big)."""
    call_command("bench_seed_desk", *SMALL)

    now = timezone.now()
    per_day = 600 / 365
    last_week = Ticket.objects.filter(created_at__gte=now - datetime.timedelta(days=7)).count()
    assert last_week <= 7 * per_day * 3
    active = Ticket.objects.active()
    older = active.filter(created_at__lt=now - datetime.timedelta(days=30)).count()
    assert older > active.count() / 2
    # New and triage tickets are the youngest of the backlog.
    newest_open = active.exclude(status=Status.NEW).order_by("created_at").last().created_at
    oldest_new = active.filter(status=Status.NEW).order_by("created_at").first().created_at
    assert oldest_new >= newest_open


def test_refuses_an_active_share_outside_zero_to_one(bench_database):
    with pytest.raises(CommandError, match="--active-share"):
        call_command("bench_seed_desk", *SMALL, "--active-share", "30")
    assert not Ticket.objects.exists()


def test_reuses_bench_people_and_refuses_to_seed_twice(bench_database):
    call_command("bench_seed", "--tasks", "100", "--projects", "10", "--people", "30")
    people = User.objects.count()
    call_command("bench_seed_desk", *SMALL)
    assert User.objects.count() == people
    with pytest.raises(CommandError, match="already holds tickets"):
        call_command("bench_seed_desk", *SMALL)
    assert Ticket.objects.count() == 600


def test_the_desk_takes_new_tickets_after_seeding(bench_database):
    # The seeder numbers tickets and entries itself; on PostgreSQL the sequences must
    # then be moved past them, or the app's next ticket collides with a seeded one.
    call_command("bench_seed_desk", *SMALL)
    seeded = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()

    ticket = make_ticket(customer=Customer.objects.first())

    assert ticket.pk > seeded
    assert TicketEntry.objects.filter(ticket=ticket).exists()
