"""settings.py: the environment helpers, and start-up refusing an unsafe production setup."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from workmate.settings import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_true(monkeypatch, raw):
    monkeypatch.setenv("WORKMATE_FLAG", raw)

    assert env_bool("WORKMATE_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off"])
def test_env_bool_false(monkeypatch, raw):
    monkeypatch.setenv("WORKMATE_FLAG", raw)

    assert env_bool("WORKMATE_FLAG", True) is False


def test_env_bool_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("WORKMATE_FLAG", raising=False)
    assert env_bool("WORKMATE_FLAG", True) is True
    monkeypatch.setenv("WORKMATE_FLAG", "")
    assert env_bool("WORKMATE_FLAG", False) is False


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("WORKMATE_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match=r"WORKMATE_FLAG must be true or false.*maybe"):
        env_bool("WORKMATE_FLAG")


def test_env_int(monkeypatch):
    monkeypatch.setenv("WORKMATE_NUMBER", "42")
    assert env_int("WORKMATE_NUMBER", 7) == 42
    monkeypatch.setenv("WORKMATE_NUMBER", "")
    assert env_int("WORKMATE_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["five", "1.5", "10m"])
def test_env_int_refuses_a_non_number_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("WORKMATE_NUMBER", raw)

    with pytest.raises(ImproperlyConfigured, match=r"WORKMATE_NUMBER must be a whole number"):
        env_int("WORKMATE_NUMBER", 7)


def test_env_list_and_str(monkeypatch):
    monkeypatch.setenv("WORKMATE_LIST", " a.example , ,b.example,")
    monkeypatch.delenv("WORKMATE_MISSING", raising=False)

    assert env_list("WORKMATE_LIST") == ["a.example", "b.example"]
    assert env_list("WORKMATE_MISSING", "x,y") == ["x", "y"]
    assert env_str("WORKMATE_MISSING", "fallback") == "fallback"


def test_tests_run_with_the_fast_hasher():
    assert django_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Start-up as production sees it: a fresh interpreter with only the variables given here, so
# neither WORKMATE_TESTING nor an imported pytest can relax the checks.


def start(tmp_path, *command: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "WORKMATE_VAR_DIR": str(tmp_path),
        **variables,
    }
    assert "WORKMATE_TESTING" not in environment
    return subprocess.run(
        [sys.executable, "-m", "workmate", *command],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "work.example.com"}


def test_deploy_check_passes_with_secret_key_and_allowed_hosts(tmp_path):
    result = start(
        tmp_path, "check", "--deploy", SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_refuses_to_start_without_secret_key(tmp_path):
    result = start(tmp_path, "check", **PRODUCTION)

    assert result.returncode != 0
    assert "Workmate cannot start: SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path):
    result = start(tmp_path, "check", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "Workmate cannot start: ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_refuses_to_start_with_a_malformed_value(tmp_path):
    result = start(
        tmp_path,
        "check",
        SECRET_KEY=secrets.token_urlsafe(50),
        AXES_FAILURE_LIMIT="five",
        **PRODUCTION,
    )

    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT must be a whole number, not 'five'" in result.stderr


def test_email_url_file_writes_each_message_into_that_folder(tmp_path):
    outbox = tmp_path / "outbox"
    send = (
        "from django.core.mail import send_mail; "
        "send_mail('Hello', 'Body', 'a@example.com', ['b@example.com'])"
    )

    result = start(
        tmp_path,
        "shell",
        "-c",
        send,
        SECRET_KEY=secrets.token_urlsafe(50),
        EMAIL_URL=f"file://{outbox}",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    [written] = list(outbox.iterdir())
    assert "Subject: Hello" in written.read_text()
