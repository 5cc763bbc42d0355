"""Print shell assignments the desk load test needs: a session cookie, an API token, a ticket.

Run with the benchmark's environment (bench/run_desk.sh does):
    .venv/bin/python bench/prepare_desk.py  ->  SESSION=... TOKEN=... TICKET=... MINE=...

Steps:
1. Find the busy agent the seeders made (busy@bench.example, in the support team).
2. Create a logged-in session for them directly in the session store, as the login view
   would, so wrk can send `Cookie: sessionid=...` without driving the login form.
3. Create (or reuse) a personal API token named "bench-desk": only its digest is stored.
4. Pick a ticket of their queue with ten timeline entries for the ticket page.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from workmate.accounts.models import ApiToken, User  # noqa: E402
from workmate.desk.models import Ticket, TicketEntry  # noqa: E402
from workmate.work.management.commands.bench_seed import BUSY_EMAIL  # noqa: E402


def main() -> None:
    busy = User.objects.get(email=BUSY_EMAIL)

    session = SessionStore()
    session[SESSION_KEY] = str(busy.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = busy.get_session_auth_hash()
    session.create()

    secret = "wm_bench_" + secrets.token_urlsafe(24)
    ApiToken.objects.filter(user=busy, name="bench-desk").delete()
    ApiToken.objects.create(
        user=busy,
        name="bench-desk",
        prefix=secret[:12],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
    )

    mine = list(Ticket.objects.active().filter(assignee=busy).values_list("pk", flat=True))
    assert mine, "Seed the desk first (bench/run_desk.sh does)."
    ticket = mine[0]
    for pk in mine:
        if TicketEntry.objects.filter(ticket_id=pk).count() == 10:
            ticket = pk
            break
    print(f"COOKIE_NAME={settings.SESSION_COOKIE_NAME}")
    print(f"SESSION={session.session_key}")
    print(f"TOKEN={secret}")
    print(f"TICKET={ticket}")
    print(f"TICKETS={Ticket.objects.count()}")
    print(f"MINE={len(mine)}")


if __name__ == "__main__":
    main()
