"""The digest benchmark (bench/README.md), run tiny so the suite notices when it breaks."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from workmate.accounts.models import User
from workmate.inbox.models import Digest, Notification


def test_refuses_a_database_not_named_bench(db):
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_digests", "--people", "5", "--notifications", "50")
    assert not User.objects.exists()


def test_seeds_and_sends_every_digest(transactional_db, monkeypatch):
    # Committed, as in the benchmark: each digest is sent when its claim commits.
    if connection.vendor != "sqlite":
        pytest.skip("the benchmark seeds a SQLite file only")
    # The command only fills a database whose file name says "bench": rename the open
    # connection's (opening it first, so that it stays on the test database).
    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/bench-digests-test.sqlite3")
    out = io.StringIO()

    call_command(
        "bench_digests", "--people", "5", "--notifications", "50", "--tasks", "20", stdout=out
    )

    assert User.objects.count() == 5
    assert Notification.objects.filter(digest__isnull=False).count() == 50
    assert Digest.objects.filter(sent_at__isnull=False).count() == 5
    assert "5 digests sent (5 mails)" in out.getvalue()
