"""What the benchmark's Python helpers share (bench/prepare*.py, bench/service_time*.py).

`setup_django()` first, with the benchmark's environment (bench/run.sh and
bench/run_desk.sh export it); then `print_session_and_token()` for wrk's cookie and
bearer token, or `time_pages()` for the in-process service-time table.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

    from workmate.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20

# name, client, path, extra request headers (as Client.get keywords)
Page = tuple[str, "Client", str, dict[str, str]]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
    import django

    django.setup()


def busy_person() -> User:
    """The busy person the seeders made (busy@bench.example, also a support agent)."""
    from workmate.accounts.models import User
    from workmate.work.management.commands.bench_seed import BUSY_EMAIL

    return User.objects.get(email=BUSY_EMAIL)


def print_session_and_token(busy: User, token_name: str) -> None:
    """Print COOKIE_NAME, SESSION and TOKEN assignments for `busy`.

    The session is created directly in the session store, as the login view would, so wrk
    can send `Cookie: sessionid=...` without driving the login form. The personal API token
    `token_name` is made anew (an older one of that name is deleted): only its SHA-256
    digest is stored.
    """
    import hashlib
    import secrets

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from workmate.accounts.models import ApiToken

    session = SessionStore()
    session[SESSION_KEY] = str(busy.pk)
    session[BACKEND_SESSION_KEY] = "workmate.accounts.backends.UserBackend"
    session[HASH_SESSION_KEY] = busy.get_session_auth_hash()
    session.create()

    secret = "wm_bench_" + secrets.token_urlsafe(24)
    ApiToken.objects.filter(user=busy, name=token_name).delete()
    ApiToken.objects.create(
        user=busy,
        name=token_name,
        prefix=secret[:12],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
    )
    print(f"COOKIE_NAME={settings.SESSION_COOKIE_NAME}")
    print(f"SESSION={session.session_key}")
    print(f"TOKEN={secret}")


def clients(token: str) -> tuple[Client, Client, dict[str, str]]:
    """An anonymous client, one logged in as the busy person, and the API's bearer header.

    As in the wrk run: the bare view and the API get no session cookie.
    """
    from django.test import Client

    anonymous = Client(HTTP_HOST="127.0.0.1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(busy_person())
    return anonymous, client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def one_team_agent(team_id: int = 1) -> User:
    """A person whose only team is `team_id` (the unassigned queue's "team 1 alone" viewer:
    in the seeded desk that team holds no unassigned ticket)."""
    from workmate.accounts.models import Membership, User

    return User.objects.get(
        pk=next(
            user
            for user in Membership.objects.filter(team_id=team_id).values_list("user_id", flat=True)
            if Membership.objects.filter(user_id=user).count() == 1
        )
    )


def time_pages(pages: Sequence[Page], only: Collection[str] = (), show_sql: bool = False) -> None:
    """Print, for each page, the fastest and median of RUNS sequential requests, and the SQL
    time, query count and size of one more. `only` names the pages to time (all if empty).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"{'page':14} {'min ms':>8} {'median':>8} {'SQL ms':>8} {'queries':>8} {'KiB':>6}")
    for name, client, path, headers in pages:
        if only and name not in only:
            continue
        response = client.get(path, **headers)
        if response.status_code != 200:
            print(f"{name:14} answers {response.status_code}: skipped")
            continue
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(path, **headers)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **headers)
        sql = sum(float(query["time"]) for query in queries.captured_queries)
        print(
            f"{name:14} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:8.1f} "
            f"{sql * 1000:8.1f} {len(queries):8d} {len(response.content) // 1024:6d}"
        )
        if show_sql:
            for query in queries.captured_queries:
                print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
