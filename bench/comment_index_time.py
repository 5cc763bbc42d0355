"""What indexing one new task comment costs, at a task's comment count (bench/README.md,
"Search").

    DATABASE_URL=sqlite:///$PWD/var/copy.sqlite3 WORKMATE_TESTING=1 \
        .venv/bin/python bench/comment_index_time.py [--comments 700] [--repeat 30]

Gives one task `--comments` comments (≈ 120 characters each, Korean and English), then
indexes `--repeat` new comments on it each way and prints the median CPU and wall time:
re-indexing the whole task (`indexing.refresh`, what every comment did before) and adding
the comment to the entry (`indexing.append_comments`). Each comment is written and
indexed in its own transaction, as after a request's commit. Run it on a copy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from workmate.search import indexing  # noqa: E402
from workmate.work.models import Comment, Task  # noqa: E402

BODY = "{n}번째 확인: API서버 로그를 다시 봤고 DB 연결 풀 설정을 바꿨습니다. Deploy moved to 22:00."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--task", type=int, default=0, help="the n-th task by id")
    args = parser.parse_args()
    # The comments are indexed by hand below, not by the receiver after each commit.
    post_save.disconnect(sender=Comment, dispatch_uid="search-comment-s")
    task = Task.objects.order_by("pk").select_related("project")[args.task]
    author = task.project.owner
    have = Comment.objects.filter(task=task).count()
    if have < args.comments:
        Comment.objects.bulk_create(
            Comment(task=task, author=author, body=BODY.format(n=n))
            for n in range(have, args.comments)
        )
    indexing.refresh("task", [task.pk])
    print(f"task {task.pk}: {Comment.objects.filter(task=task).count()} comments")
    for name, index in (
        ("re-index the task", lambda comment: indexing.refresh("task", [task.pk])),
        ("append the comment", lambda comment: indexing.append_comments(task.pk, [comment.pk])),
    ):
        cpu, wall = [], []
        for n in range(args.repeat + 1):
            with transaction.atomic():
                comment = Comment.objects.create(task=task, author=author, body=BODY.format(n=n))
            if n == args.repeat:  # one more, counting its statements
                with CaptureQueriesContext(connection) as queries:
                    index(comment)
                statements = len(queries)
                break
            started, cpu_started = time.perf_counter(), time.process_time()
            index(comment)
            cpu.append((time.process_time() - cpu_started) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:20} CPU {statistics.median(cpu):6.2f} ms,"
            f" wall {statistics.median(wall):6.2f} ms (median of {args.repeat}),"
            f" {statements} statements"
        )


if __name__ == "__main__":
    main()
