"""Seed the scale test's modest data set and write what the load tool needs (bench/scale.sh).

Run with the scale test's environment (DATABASE_URL on the throw-away cluster):
    .venv/bin/python bench/scale_seed.py OUT.json START_IN_SECONDS

Steps:
1. The support team (DESK_SUPPORT_TEAM) of PEOPLE people, two of them leads, all working
   every day around the clock (so the clock's moments fall inside their working time on a
   Saturday too), in Seoul (a check-in is asked at its wall-clock time in each member's
   zone); each with a personal API token and a signed-in session (made in the session
   store, as bench/benchlib.py does).
2. Four team projects of 500 tasks each (bulk), for the reads.
3. The moments the clock must act on during the run, each at a known time after the load
   starts (START = now + START_IN_SECONDS):
   - each person's daily digest time, one minute apart over the first minutes;
   - REQUESTS written requests (through the service, as the app makes them) whose reply-by
     passes during the run: "reply-by approaching" and "reply-by passed" each once;
   - a weekly check-in for today at START + 2 min (every member pinged once);
   - tickets on round-the-clock SLA policies whose resolution target passes during the run,
     and P1 tickets nobody acknowledges, turning 15 minutes old during the run: each
     escalation once.
4. Customers with contacts (the senders of the mail the load tool sends).
"""

from __future__ import annotations

import datetime
import json
import sys
import zoneinfo

import benchlib

PEOPLE = 20
ZONE = "Asia/Seoul"
PROJECTS = 4
TASKS_PER_PROJECT = 500
REQUESTS = 30
BREACHING_TICKETS = 12
UNACKNOWLEDGED_P1 = 6
CUSTOMERS = 4
CONTACTS_PER_CUSTOMER = 3
# A check-in or digest moment this long after the load starts is sure to be seen by a
# clock tick while the load runs.
CHECKIN_AFTER = datetime.timedelta(minutes=2)


def main() -> None:
    out, start_in = sys.argv[1], int(sys.argv[2])
    benchlib.setup_django()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from workmate.accounts.models import ApiToken, Membership, Team, TeamRole, User, WorkProfile
    from workmate.checkins.models import Checkin, Frequency
    from workmate.desk import services as desk
    from workmate.desk.models import (
        Contact,
        ContactMembership,
        ContractTier,
        Customer,
        Priority,
        SLAPolicy,
    )
    from workmate.inbox.models import InboxSettings
    from workmate.work import services as work
    from workmate.work.models import Project, Task

    with transaction.atomic():
        team, _ = Team.objects.get_or_create(
            code=settings.DESK_SUPPORT_TEAM, defaults={"name": "Technical Engineering"}
        )
        people = []
        for n in range(PEOPLE):
            person = User.objects.create_user(
                email=f"scale{n}@scale.example",
                full_name=f"Scale Person {n}",
                password="scale-password-2026",
                language="en" if n % 2 else "ko",
            )
            Membership.objects.create(
                team=team, user=person, role=TeamRole.LEAD if n < 2 else TeamRole.MEMBER
            )
            # The clocks already run: without a digest time (the day's start) they would
            # send today's digest now, empty, before the moments below exist.
            InboxSettings.objects.update_or_create(
                user=person, defaults={"digest_time": datetime.time(23, 58)}
            )
            people.append(person)
        WorkProfile.objects.filter(user__in=people).update(
            time_zone=ZONE,
            work_days=[0, 1, 2, 3, 4, 5, 6],
            work_start=datetime.time(0, 0),
            work_end=datetime.time(23, 59),
            quiet_start=None,
            quiet_end=None,
            holiday_country="",
        )
        # Read again: each person still holds the default profile made when they were.
        people = list(User.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))

        projects = [
            Project.objects.create(name=f"Scale project {n}", team=team, owner=people[n % PEOPLE])
            for n in range(PROJECTS)
        ]
        Task.objects.bulk_create(
            Task(
                project=project,
                title=f"Seeded task {project.pk}-{i}",
                assignee=people[i % PEOPLE],
                created_by=project.owner,
                position=i,
            )
            for project in projects
            for i in range(TASKS_PER_PROJECT)
        )

    policies = {}
    for tier in ContractTier.values:
        for priority in Priority.values:
            policies[tier, priority] = SLAPolicy.objects.create(
                tier=tier,
                priority=priority,
                first_response_minutes=30,
                resolution_minutes=60,
                around_the_clock=True,
            )
    customers, contacts = [], []
    for n in range(CUSTOMERS):
        customer = Customer.objects.create(
            name=f"Scale customer {n}",
            industry=Customer._meta.get_field("industry").choices[0][0],
            tier=ContractTier.ENTERPRISE,
            se_owner=people[2 + n],
            email_domains=[f"c{n}.scale.example"],
        )
        customers.append(customer)
        for m in range(CONTACTS_PER_CUSTOMER):
            contact = Contact.objects.create(
                email=f"contact{m}@c{n}.scale.example", full_name=f"Contact {n}-{m}"
            )
            ContactMembership.objects.create(customer=customer, contact=contact)
            contacts.append({"id": contact.pk, "customer_id": customer.pk, "email": contact.email})

    # The moments below are counted from START, set only now: seeding the rest takes a
    # while on a busy machine, and a reply-by must still be in the future when it is set.
    start = timezone.now() + datetime.timedelta(seconds=start_in)
    for n, person in enumerate(people):
        # One minute apart from START + 1 min: all digests go out while the load runs.
        moment = start + datetime.timedelta(minutes=1 + n % 3)
        local = moment.astimezone(zoneinfo.ZoneInfo(ZONE))
        InboxSettings.objects.update_or_create(
            user=person, defaults={"digest_time": local.time().replace(second=0, microsecond=0)}
        )

    # Requests through the service, as the app makes them (reply-by during the run).
    request_tasks = []
    for n in range(REQUESTS):
        requester, assignee = people[n % PEOPLE], people[(n + 1) % PEOPLE]
        task = work.do_create_task(
            requester,
            projects[n % PROJECTS],
            title=f"Scale request {n}",
            assignee=assignee,
            request_message="Please look at this during the scale test.",
            request_reply_by=start + datetime.timedelta(seconds=30 + n * 6),
        )
        request_tasks.append(task.pk)

    checkin_at = (start + CHECKIN_AFTER).astimezone(zoneinfo.ZoneInfo(ZONE))
    Checkin.objects.create(
        team=team,
        title="Scale check-in",
        frequency=Frequency.WEEKLY,
        weekday=checkin_at.weekday(),
        time_of_day=checkin_at.time().replace(second=0, microsecond=0),
        created_by=people[0],
    )

    # Breaching during the run: resolution due (created + 60 min) at START + 20 s ... + 200 s.
    for n in range(BREACHING_TICKETS):
        customer = customers[n % CUSTOMERS]
        due = start + datetime.timedelta(seconds=20 + n * 15)
        desk.do_create_ticket(
            subject=f"Scale breach {n}",
            customer=customer,
            requester=customer.contacts.first(),
            priority=Priority.P3,
            created_at=due - datetime.timedelta(minutes=60),
        )
    # P1 nobody acknowledges, 15 minutes old at START + 20 s ... + 120 s.
    for n in range(UNACKNOWLEDGED_P1):
        customer = customers[n % CUSTOMERS]
        old = start + datetime.timedelta(seconds=20 + n * 20) - datetime.timedelta(minutes=15)
        desk.do_create_ticket(
            subject=f"Scale P1 {n}",
            customer=customer,
            requester=customer.contacts.first(),
            priority=Priority.P1,
            created_at=old,
        )

    import hashlib
    import secrets

    logins = []
    for person in people:
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "workmate.accounts.backends.UserBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        secret = "wm_scale_" + secrets.token_urlsafe(24)
        ApiToken.objects.create(
            user=person,
            name="scale",
            prefix=secret[:12],
            digest=hashlib.sha256(secret.encode()).hexdigest(),
        )
        logins.append(
            {
                "id": person.pk,
                "email": person.email,
                "handle": person.email.split("@")[0],
                "session": session.session_key,
                "token": secret,
            }
        )
    setup = {
        "start": start.isoformat(),
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "people": logins,
        "projects": [project.pk for project in projects],
        "request_tasks": request_tasks,
        "customers": [customer.pk for customer in customers],
        "contacts": contacts,
        "support_email": settings.DESK_SUPPORT_EMAIL,
    }
    with open(out, "w") as f:
        json.dump(setup, f, indent=1)
    print(f"seeded {PEOPLE} people, {PROJECTS * TASKS_PER_PROJECT + REQUESTS} tasks, ", end="")
    print(f"{BREACHING_TICKETS + UNACKNOWLEDGED_P1} tickets; the load starts at {start:%H:%M:%S}")


if __name__ == "__main__":
    main()
