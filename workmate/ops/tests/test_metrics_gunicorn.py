"""Metrics under gunicorn with several worker processes (PROMETHEUS_MULTIPROC_DIR): a
scrape answered by any worker counts the requests every worker served, and a worker that
dies takes none of its counts with it.

One real gunicorn (./run's configuration, two workers) against the test database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "gunicorn-metrics"
TIMEOUT = 60
REQUESTS = 24


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers: str) -> bytes:
    request = urllib.request.Request(url, headers={"Connection": "close", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def _healthz_count(base: str) -> float:
    text = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}").decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "workmate_http_requests_total" and sample.labels == {
                "view": "healthz",
                "method": "GET",
                "status": "200",
            }:
                return sample.value
    return 0


def _worker_pids(directory: Path) -> set[int]:
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob("counter_*.db")}


@pytest.mark.django_db(transaction=True)
def test_a_scrape_adds_up_every_gunicorn_worker_and_keeps_a_dead_ones_counts(tmp_path):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "WORKMATE_TESTING": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "METRICS_TOKEN": TOKEN,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "workmate.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--config",
            "python:workmate.ops.gunicorn_conf",
            "--control-socket",
            str(tmp_path / "gunicorn.ctl"),
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{server.stderr.read()}")
                time.sleep(0.1)
        # Both workers must have answered before the counts can prove anything.
        for _ in range(2000):
            if len(_worker_pids(directory)) >= 2:
                break
            _get(f"{base}/healthz")
        else:
            pytest.fail("one worker answered everything")
        before = _healthz_count(base)
        for _ in range(REQUESTS):
            _get(f"{base}/healthz")
        # Whichever worker answers the scrape, it reports all of them.
        assert {_healthz_count(base) for _ in range(4)} == {before + REQUESTS}

        # A worker killed outright: gunicorn starts another; the dead one's counts stay.
        os.kill(min(_worker_pids(directory)), signal.SIGKILL)
        sent = before + REQUESTS
        deadline = time.monotonic() + TIMEOUT
        while len(_worker_pids(directory)) < 3:
            _get(f"{base}/healthz")  # The surviving worker answers meanwhile.
            sent += 1
            assert time.monotonic() < deadline, "no new worker replaced the killed one"
            time.sleep(0.05)
        assert {_healthz_count(base) for _ in range(4)} == {sent}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
