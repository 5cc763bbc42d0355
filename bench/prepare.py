"""Print shell assignments the load test needs: a session cookie, an API token, ids.

Run with the benchmark's environment (bench/run.sh does):
    .venv/bin/python bench/prepare.py  ->  SESSION=... TOKEN=... PROJECT=... OPEN=...

Steps:
1. Find the busy person the seeder made (busy@bench.example).
2. Create a logged-in session for them directly in the session store, as the login view
   would, so wrk can send `Cookie: sessionid=...` without driving the login form.
3. Create (or reuse) a personal API token: only its SHA-256 digest is stored.
4. Pick the busy person's team project with the most top-level tasks (~450 of its 500).
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
from django.db.models import Count, Q  # noqa: E402

from workmate.accounts.models import ApiToken, User  # noqa: E402
from workmate.work.management.commands.bench_seed import BUSY_EMAIL  # noqa: E402
from workmate.work.models import Project, Task, Visibility  # noqa: E402


def main() -> None:
    busy = User.objects.get(email=BUSY_EMAIL)

    session = SessionStore()
    session[SESSION_KEY] = str(busy.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = busy.get_session_auth_hash()
    session.create()

    secret = "wm_bench_" + secrets.token_urlsafe(24)
    ApiToken.objects.filter(user=busy, name="bench").delete()
    ApiToken.objects.create(
        user=busy,
        name="bench",
        prefix=secret[:12],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
    )

    project = (
        Project.objects.filter(team__members=busy, visibility=Visibility.TEAM)
        .annotate(top=Count("tasks", filter=Q(tasks__parent=None)))
        .order_by("-top", "pk")
        .first()
    )
    assert project is not None, "Seed the benchmark database first (bench/run.sh does)."
    open_tasks = Task.objects.visible_to(busy).assigned_to(busy).open().count()
    total = project.tasks.count()
    print(f"COOKIE_NAME={settings.SESSION_COOKIE_NAME}")
    print(f"SESSION={session.session_key}")
    print(f"TOKEN={secret}")
    print(f"PROJECT={project.pk}")
    print(f"PROJECT_TASKS={total}")
    print(f"BUSY_OPEN={open_tasks}")


if __name__ == "__main__":
    main()
