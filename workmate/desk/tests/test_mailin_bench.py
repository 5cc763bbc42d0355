"""The mail-ingest benchmark (bench/mail_ingest.py) still runs, with a handful of mails."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_mail_ingest_bench_runs_end_to_end(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [
            sys.executable,
            "bench/mail_ingest.py",
            "--count",
            "40",
            "--connections",
            "2",
            "--db",
            str(tmp_path / "bench-mail.sqlite3"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored 40;" in done.stdout
    assert "'ticket':" in done.stdout and "'threaded':" in done.stdout
