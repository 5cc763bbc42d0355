#!/usr/bin/env python
"""Benchmark: deliver N e-mails over SMTP to `manage.py mail_inbound` on a fresh SQLite file.

    .venv/bin/python bench/mail_ingest.py                 # 10,000 mails, 4 SMTP connections
    .venv/bin/python bench/mail_ingest.py --count 500 --connections 2

Steps:
1. make a fresh database file (var/bench-mail.sqlite3 unless --db), migrate, seed the
   support team, 20 customers with their domains and SLA policies, 200 contacts;
2. start the real `manage.py mail_inbound` as its own process (DEBUG off, the database
   task backend, as in production) on a free loopback port;
3. compose the mails up front: 60 % new tickets from known contacts, 15 % replies that
   thread by In-Reply-To onto earlier ones, 10 % from unknown people at a customer's
   domain (new contacts), 5 % from unknown domains (triage), 5 % auto-replies, 5 %
   duplicates of earlier mails; a third carry HTML, one in ten a 20 kB attachment;
4. deliver them over `--connections` SMTP sessions in parallel, timing from the first
   MAIL FROM to the last 250;
5. check that every mail is stored (one InboundMessage each) and print the outcomes, the
   time and mails/s; exit 1 when it took longer than --limit seconds (default 120).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_COOKIES": "false",
    "LOG_LEVEL": "WARNING",
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "DESK_SUPPORT_EMAIL": "support@bench.example",
}
CUSTOMERS = 20
CONTACTS = 200


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_database(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ.update(ENV, DATABASE_URL=f"sqlite:///{db}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed()


def seed() -> None:
    from workmate.accounts.models import Team
    from workmate.desk.models import Contact as ContactModel
    from workmate.desk.models import (
        ContactMembership,
        ContractTier,
        Customer,
        Industry,
        SLAPolicy,
    )

    Team.objects.get_or_create(code="TE", defaults={"name": "Technical Engineering"})
    for tier in ContractTier.values:
        for priority in (1, 2, 3, 4):
            SLAPolicy.objects.get_or_create(
                tier=tier,
                priority=priority,
                defaults={"first_response_minutes": 60 * priority, "resolution_minutes": 480},
            )
    tiers = ContractTier.values
    customers = [
        Customer.objects.create(
            name=f"Bench customer {n}",
            industry=Industry.OTHER,
            tier=tiers[n % len(tiers)],
            email_domains=[f"c{n}.bench.example"],
        )
        for n in range(CUSTOMERS)
    ]
    for n in range(CONTACTS):
        contact = ContactModel.objects.create(
            email=f"person{n}@c{n % CUSTOMERS}.bench.example", full_name=f"Person {n}"
        )
        ContactMembership.objects.create(contact=contact, customer=customers[n % CUSTOMERS])


def compose(n: int, rng: random.Random, sent: list[tuple[str, str]]) -> tuple[str, bytes]:
    """Mail number n: (envelope sender, raw bytes); `sent` collects reusable Message-IDs."""
    kind = rng.random()
    msg = EmailMessage()
    message_id = f"<bench-{n}@client.bench.example>"
    person = rng.randrange(CONTACTS)
    sender = f"person{person}@c{person % CUSTOMERS}.bench.example"
    subject = f"Bench alert {n}: disk usage over 90 %"
    if kind < 0.60:
        pass
    elif kind < 0.75 and sent:
        # The same person answers on their own thread.
        reply_to, sender = rng.choice(sent)
        msg["In-Reply-To"] = reply_to
        subject = f"Re: {subject}"
    elif kind < 0.85:
        sender = f"new{n}@c{rng.randrange(CUSTOMERS)}.bench.example"
    elif kind < 0.90:
        sender = f"someone{n}@elsewhere.example"
    elif kind < 0.95:
        msg["Auto-Submitted"] = "auto-replied"
        subject = f"Out of office: {subject}"
    elif sent:
        message_id, sender = rng.choice(sent)  # A duplicate delivery of an earlier mail.
    msg["From"] = f"Bench Person <{sender}>"
    msg["To"] = "support@bench.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    body = f"Mail {n}.\n" + "The volume /data is at 93 %. Please have a look.\n" * 10
    msg.set_content(body)
    if n % 3 == 0:
        msg.add_alternative(f"<p>{body}</p><script>alert(1)</script>", subtype="html")
    if n % 10 == 0:
        msg.add_attachment(
            os.urandom(20_000),
            maintype="application",
            subtype="octet-stream",
            filename=f"log-{n}.bin",
        )
    if kind < 0.60:
        sent.append((message_id, sender))
    return sender, msg.as_bytes(policy=SMTP_POLICY)


def start_server(port: int, log: Path) -> subprocess.Popen[str]:
    # Its output goes to a file: a pipe nobody reads would fill up and stall the server.
    with log.open("w") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "mail_inbound",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise SystemExit(f"mail_inbound did not start:\n{log.read_text()}")


def deliver(port: int, mails: list[tuple[str, bytes]], errors: list[str]) -> None:
    client = smtplib.SMTP("127.0.0.1", port, timeout=60)
    try:
        for sender, raw in mails:
            try:
                client.sendmail(sender, ["support@bench.example"], raw)
            except smtplib.SMTPException as exc:
                errors.append(repr(exc))
    finally:
        client.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench-mail.sqlite3")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds allowed")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if "bench" not in args.db.name:
        raise SystemExit("The database file name must contain 'bench' (it is deleted first).")
    args.db.parent.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    setup_database(args.db)
    print(f"Fresh database {args.db} migrated and seeded in {time.monotonic() - started:.1f} s")
    rng = random.Random(args.seed)
    sent: list[tuple[str, str]] = []
    mails = [compose(n, rng, sent) for n in range(args.count)]
    megabytes = sum(len(raw) for _sender, raw in mails) / 1e6

    port = free_port()
    log = args.db.with_suffix(".log")
    server = start_server(port, log)
    errors: list[str] = []
    try:
        shares = [mails[i :: args.connections] for i in range(args.connections)]
        threads = [threading.Thread(target=deliver, args=(port, s, errors)) for s in shares]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    output = log.read_text()

    from workmate.desk.models import InboundMessage, Ticket

    outcomes = Counter(InboundMessage.objects.values_list("status", flat=True))
    stored = sum(outcomes.values())
    print(f"{args.count} mails ({megabytes:.1f} MB) over {args.connections} SMTP connections")
    print(f"  took {elapsed:.1f} s: {args.count / elapsed:.0f} mails/s")
    print(f"  stored {stored}; outcomes: {dict(sorted(outcomes.items()))}")
    print(f"  tickets: {Ticket.objects.count()}")
    if errors:
        print(f"  {len(errors)} SMTP errors, first: {errors[0]}")
    if server.returncode not in (0, None) or "Traceback" in output:
        print(f"mail_inbound output ({log}):\n{output[-5000:]}")
    ok = not errors and stored == args.count and elapsed <= args.limit
    print("OK" if ok else f"FAILED (limit {args.limit:.0f} s, all {args.count} stored)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
