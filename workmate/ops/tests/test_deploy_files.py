"""The shipped process definitions name commands, modules and files that exist."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.management import get_commands

DEPLOY = settings.BASE_DIR / "deploy" / "systemd"


def commands_in(text: str) -> list[str]:
    return re.findall(r"manage\.py (\w+)", text)


def test_every_unit_runs_a_command_that_exists_with_the_environment_file():
    units = sorted(DEPLOY.glob("*.service"))
    assert {unit.name for unit in units} == {
        "workmate-web.service",
        "workmate-worker@.service",
        "workmate-clock.service",
        "workmate-mail.service",
        "workmate-migrate.service",
    }
    known = get_commands()
    for unit in units:
        text = unit.read_text()
        assert "EnvironmentFile=/etc/workmate/workmate.env" in text, unit.name
        for command in commands_in(text):
            assert command in known, (unit.name, command)
    web = (DEPLOY / "workmate-web.service").read_text()
    assert "--config python:workmate.ops.gunicorn_conf" in web
    assert "PROMETHEUS_MULTIPROC_DIR=/run/workmate-web" in web
    assert "RuntimeDirectory=workmate-web" in web


def test_the_processes_are_the_ones_run_starts():
    run = (settings.BASE_DIR / "run").read_text()
    units = " ".join(unit.read_text() for unit in DEPLOY.glob("*.service"))
    for command in ("db_worker", "clock", "prepare"):
        assert f"manage.py {command}" in run or f"manage {command}" in run
        assert f"manage.py {command}" in units


def test_the_container_file_copies_what_exists_and_runs_the_web_by_default():
    text = (settings.BASE_DIR / "Containerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", text, flags=re.MULTILINE):
        assert (settings.BASE_DIR / source).exists(), source
    assert "--config python:workmate.ops.gunicorn_conf" in text
    for command in commands_in(text):
        assert command in get_commands(), command


def test_the_example_environment_sets_what_production_requires():
    names = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "workmate.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "STORAGE_URL", "METRICS_TOKEN"} <= names
