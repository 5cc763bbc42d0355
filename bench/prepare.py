"""Print shell assignments the load test needs: a session cookie, an API token, ids.

Run with the benchmark's environment (bench/run.sh does):
    .venv/bin/python bench/prepare.py  ->  SESSION=... TOKEN=... PROJECT=... OPEN=...

Steps:
1. Find the busy person the seeder made (busy@bench.example).
2. Create a logged-in session for them directly in the session store, as the login view
   would, so wrk can send `Cookie: sessionid=...` without driving the login form.
3. Create (or reuse) a personal API token: only its SHA-256 digest is stored.
4. Pick the busy person's team project with the most top-level tasks (~450 of its 500).
5. For the write benchmark (bench/run_writes.sh): a project of their own in their team
   ("Bench writes", made the first time) where the created tasks go, and a task in it for
   the comments; it is never the project measured above, however many tasks it gathers.
"""

from __future__ import annotations

import benchlib

WRITES_PROJECT = "Bench writes"


def main() -> None:
    benchlib.setup_django()
    from django.db.models import Count, Q

    from workmate.work.models import Project, Task, Visibility

    busy = benchlib.busy_person()
    benchlib.print_session_and_token(busy, "bench")

    project = (
        Project.objects.filter(team__members=busy, visibility=Visibility.TEAM)
        .exclude(name=WRITES_PROJECT)
        .annotate(top=Count("tasks", filter=Q(tasks__parent=None)))
        .order_by("-top", "pk")
        .first()
    )
    assert project is not None, "Seed the benchmark database first (bench/run.sh does)."
    open_tasks = Task.objects.visible_to(busy).assigned_to(busy).open().count()
    total = project.tasks.count()
    print(f"PROJECT={project.pk}")
    print(f"PROJECT_TASKS={total}")
    print(f"BUSY_OPEN={open_tasks}")
    writes, _ = Project.objects.get_or_create(
        name=WRITES_PROJECT,
        defaults={"team": project.team, "owner": busy, "visibility": Visibility.TEAM},
    )
    target = writes.tasks.order_by("pk").first()
    if target is None:
        target = Task.objects.create(project=writes, title="Comments go here", created_by=busy)
    print(f"WRITE_PROJECT={writes.pk}")
    print(f"WRITE_TASK={target.pk}")


if __name__ == "__main__":
    main()
