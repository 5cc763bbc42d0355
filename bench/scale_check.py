"""The scale test's invariants, checked against the database after the run (bench/scale.sh).

    .venv/bin/python bench/scale_check.py SETUP.json OUT_DIR [KILLED_WORKER_PID]

Prints one line per invariant, PASS or FAIL with the evidence, and exits 1 when any fails:

1. every write the load tool got its success answer for is in the database, once;
2. every mail the SMTP listener accepted was ingested exactly once (one InboundMessage
   placed, one timeline entry with its Message-ID; a reply threaded onto the ticket of
   the mail it answers);
3. each person got exactly one digest (one row, one mail), each written request's
   "reply-by approaching" and "reply-by passed" reminder went out once per person, each
   member's check-in was opened and pinged once, each escalation fired once per ticket and
   person, and no notification was mailed twice (mails counted at the SMTP sink);
4. no job ran twice: a job claimed more than once is only one that was handed back (its
   worker was killed, or lost the database mid-job; `workmate.ops.jobs` logs each), and no
   periodic task was queued twice for one minute;
5. the queue drained: nothing waiting or running, no job failed but those the killed
   worker lost.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter, defaultdict

import benchlib

results: list[tuple[bool, str, str]] = []
# The line workmate.ops.jobs logs when it hands a job back (run again or failed).
HANDED_BACK = re.compile(r"Job ([0-9a-f-]{36}) \(.*?\) lost its worker")


def check(name: str, ok: bool, detail: str) -> None:
    results.append((ok, name, detail))


def read_jsonl(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> None:
    setup_path, out_dir = sys.argv[1], sys.argv[2]
    killed_pid = sys.argv[3] if len(sys.argv) > 3 else ""
    benchlib.setup_django()
    from django.db.models import Count, Q
    from django_tasks_db.models import DBTaskResult

    from workmate.accounts.models import User
    from workmate.checkins.models import CheckinResponse
    from workmate.desk.mailin import DONE_OUTCOMES
    from workmate.desk.models import InboundMessage, Ticket, TicketEntry
    from workmate.inbox.clock import DAILY_TASKS, PERIODIC_TASKS
    from workmate.inbox.models import Digest, Kind, Notification
    from workmate.work.models import Comment, Task, WorkRequest

    with open(setup_path) as f:
        setup = json.load(f)
    writes = read_jsonl(os.path.join(out_dir, "writes.jsonl"))
    sent = read_jsonl(os.path.join(out_dir, "sent.jsonl"))
    people = User.objects.filter(pk__in=[p["id"] for p in setup["people"]])

    # 1. Every acknowledged write is in the database, once.
    by_kind = defaultdict(list)
    for write in writes:
        by_kind[write["kind"]].append(write)
    missing = []
    for write in by_kind["task"]:
        if not Task.objects.filter(pk=write["id"], title=write["marker"]).exists():
            missing.append(write)
    for write in by_kind["web_task"]:
        if Task.objects.filter(title=write["marker"], project_id=write["project"]).count() != 1:
            missing.append(write)
    for write in by_kind["comment"]:
        found = Comment.objects.filter(pk=write["id"], task_id=write["task"]).first()
        if found is None or write["marker"] not in found.body:
            missing.append(write)
    for write in by_kind["web_comment"]:
        found = Comment.objects.filter(task_id=write["task"], body__contains=write["marker"])
        if found.count() != 1:
            missing.append(write)
    for write in by_kind["ticket"]:
        if not Ticket.objects.filter(pk=write["id"], subject=write["marker"]).exists():
            missing.append(write)
    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items()))
    check(
        "every 2xx write is in the database",
        not missing and bool(writes),
        f"{len(writes) - len(missing)} of {len(writes)} found ({counts})"
        + (f"; missing: {missing[:5]}" if missing else ""),
    )
    # ... and each mention told the person mentioned, once.
    mention_writes = by_kind["comment"] + by_kind["web_comment"]
    told = 0
    for write in mention_writes:
        comment = Comment.objects.filter(task_id=write["task"], body__contains=write["marker"])
        if comment.filter(mentions=write["mentioned"]).exists():
            told += 1
    check(
        "every mention in an acknowledged comment was recorded",
        told == len(mention_writes),
        f"{told} of {len(mention_writes)}",
    )

    # 2. Mail in: ingested exactly once.
    mails = by_kind["mail"]
    wrong = []
    ticket_of: dict[str, int | None] = {}
    for write in mails:
        inbound = InboundMessage.objects.filter(message_id=write["message_id"])
        placed = inbound.filter(status__in=DONE_OUTCOMES)
        entries = TicketEntry.objects.filter(message_id=write["message_id"])
        if placed.count() != 1 or entries.count() != 1:
            wrong.append((write["message_id"], placed.count(), entries.count()))
            continue
        ticket_of[write["message_id"]] = entries.get().ticket_id
    threaded_wrong = [
        w["message_id"]
        for w in mails
        if w["reply_to"]
        and w["message_id"] in ticket_of
        and ticket_of[w["message_id"]] != ticket_of.get(w["reply_to"])
    ]
    check(
        "every accepted mail ingested exactly once",
        not wrong and bool(mails),
        f"{len(mails) - len(wrong)} of {len(mails)} accepted mails placed once"
        + (f"; wrong (id, placed, entries): {wrong[:5]}" if wrong else ""),
    )
    check(
        "every reply threaded onto its ticket",
        not threaded_wrong,
        f"{sum(1 for w in mails if w['reply_to'])} replies"
        + (f"; on another ticket: {threaded_wrong[:5]}" if threaded_wrong else ""),
    )

    # 3. Moments: once per person and moment.
    mails_to: dict[str, list[dict]] = defaultdict(list)
    for mail in sent:
        for address in mail["to"]:
            mails_to[address].append(mail)

    def is_digest(mail: dict) -> bool:
        return "Workmate digest" in mail["subject"] or "Workmate 다이제스트" in mail["subject"]

    digest_rows = Counter(Digest.objects.filter(user__in=people).values_list("user_id", flat=True))
    sent_rows = Digest.objects.filter(user__in=people, sent_at__isnull=False).count()
    digest_mails = {p.pk: sum(is_digest(m) for m in mails_to[p.email]) for p in people}
    bad = [
        (p.email, digest_rows[p.pk], digest_mails[p.pk])
        for p in people
        if digest_rows[p.pk] != 1 or digest_mails[p.pk] != 1
    ]
    check(
        "one digest per person (row and mail)",
        not bad,
        f"{len(people)} people, {sum(digest_rows.values())} digest rows, {sent_rows} sent, "
        f"{sum(digest_mails.values())} digest mails" + (f"; wrong: {bad[:5]}" if bad else ""),
    )

    requests = WorkRequest.objects.filter(task_id__in=setup["request_tasks"])
    bad = []
    for request in requests:
        # "Approaching" may be skipped rightly: when the first reminder run after the
        # request came after its reply-by, only "passed" is due. Never twice.
        for prefix, recipients, allowed in (
            ("replyby-soon:", [request.assignee_id], {0, 1}),
            ("replyby-passed:", [request.assignee_id, request.requester_id], {1}),
        ):
            for recipient in recipients:
                n = Notification.objects.filter(
                    recipient_id=recipient, dedupe_key=f"{prefix}{request.pk}"
                ).count()
                if n not in allowed:
                    bad.append((prefix + str(request.pk), recipient, n))
    check(
        "each reply-by reminder at most once per person ('passed' exactly once)",
        not bad and requests.exists(),
        f"{requests.count()} requests: 'passed' once to both, 'approaching' at most once"
        + (f"; wrong (key, person, count): {bad[:5]}" if bad else ""),
    )

    responses = CheckinResponse.objects.filter(person__in=people)
    per = Counter(responses.values_list("checkin_id", "person_id", "occurrence"))
    pings = Counter(
        Notification.objects.filter(recipient__in=people, kind=Kind.CHECKIN).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    check(
        "each member's check-in opened and pinged once",
        len(per) == len(people) and set(per.values()) == {1} and set(pings.values()) == {1}
        and len(pings) == len(people),
        f"{len(per)} responses for {len(people)} members, {sum(pings.values())} pings",
    )  # fmt: skip

    seeded = Ticket.objects.filter(
        Q(subject__startswith="Scale breach") | Q(subject__startswith="Scale P1")
    )
    breached = seeded.filter(subject__startswith="Scale breach")
    unacknowledged = seeded.filter(subject__startswith="Scale P1")
    escalations = Counter(
        Notification.objects.filter(
            kind=Kind.TICKET, group_key__in=[f"ticket:{t.pk}" for t in seeded]
        ).values_list("recipient_id", "group_key")
    )
    fired = (
        breached.filter(escalated_breach_at__isnull=False).count()
        + unacknowledged.filter(escalated_unacknowledged_at__isnull=False).count()
    )
    # Each seeded ticket meets exactly one rule during the run, so one notification per
    # recipient and ticket.
    check(
        "each escalation once per ticket and person",
        fired == seeded.count() and bool(escalations) and set(escalations.values()) == {1},
        f"{fired} of {seeded.count()} tickets escalated, {sum(escalations.values())} "
        f"notifications, most per (person, ticket): {max(escalations.values(), default=0)}",
    )

    emailed = Counter(
        Notification.objects.filter(recipient__in=people, emailed_at__isnull=False).values_list(
            "recipient__email", flat=True
        )
    )
    bad = [
        (p.email, emailed[p.email], len(mails_to[p.email]) - digest_mails[p.pk])
        for p in people
        if emailed[p.email] != len(mails_to[p.email]) - digest_mails[p.pk]
    ]
    check(
        "no notification mailed twice (mails = notifications marked e-mailed)",
        not bad,
        f"{sum(emailed.values())} notifications e-mailed, "
        f"{sum(len(mails_to[p.email]) - digest_mails[p.pk] for p in people)} such mails"
        + (f"; per person (email, marked, mails): {bad[:5]}" if bad else ""),
    )

    # 4. No job ran twice.
    jobs = DBTaskResult.objects.all()
    twice = [
        (str(job.pk), job.task_path, job.worker_ids)
        for job in jobs.filter(~Q(worker_ids=[])).only("id", "task_path", "worker_ids")
        if len(job.worker_ids) > 1
    ]
    # A job is claimed again only after it was handed back: its worker was killed (the
    # clock's recovery) or lost the database mid-job (the worker itself); both log it.
    handed_back = set()
    for name in os.listdir(out_dir):
        if name.endswith(".log"):
            with open(os.path.join(out_dir, name), errors="replace") as f:
                handed_back.update(HANDED_BACK.findall(f.read()))
    unexplained = [t for t in twice if t[0] not in handed_back]
    by_kill = [t for t in twice if killed_pid and any(f":{killed_pid}:" in w for w in t[2][:-1])]
    check(
        "no job ran twice (claimed again only after it was handed back)",
        not unexplained,
        f"{jobs.count()} jobs; claimed again after being handed back: {len(twice)} "
        f"({len(by_kill)} from the killed worker, {len(twice) - len(by_kill)} cut off by "
        f"the database stop)" + (f"; claimed twice: {unexplained[:5]}" if unexplained else ""),
    )
    per_minute = Counter(
        (job.task_path, job.enqueued_at.replace(second=0, microsecond=0))
        for job in jobs.filter(task_path__in=PERIODIC_TASKS + DAILY_TASKS).only(
            "task_path", "enqueued_at"
        )
    )
    doubled = [(path, f"{minute:%H:%M}", n) for (path, minute), n in per_minute.items() if n > 1]
    check(
        "no periodic task queued twice in one minute (two clocks)",
        not doubled and bool(per_minute),
        f"{len(per_minute)} (task, minute) pairs" + (f"; twice: {doubled[:5]}" if doubled else ""),
    )

    # 5. The queue drained.
    waiting = jobs.filter(status__in=["READY", "RUNNING"]).count()
    failed = list(
        jobs.filter(status="FAILED").values_list("task_path", "exception_class_path", "worker_ids")
    )
    lost = [f for f in failed if f[1].endswith("WorkerLost")]
    other = [f for f in failed if f not in lost]
    by_status = dict(jobs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    check(
        "the queue drained (nothing waiting or running)",
        waiting == 0,
        f"jobs by status: {by_status}",
    )
    check(
        "no job failed but periodic ones whose worker was lost",
        not other,
        f"{len(lost)} failed as lost (the next tick queued them again)"
        + (f"; failed: {[(p, e) for p, e, _ in other][:5]}" if other else ""),
    )

    width = max(len(name) for _, name, _ in results)
    for ok, name, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name:{width}}  {detail}")
    sys.exit(0 if all(ok for ok, _, _ in results) else 1)


if __name__ == "__main__":
    main()
