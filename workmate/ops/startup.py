"""Refuse to start, in one line naming the variable, when a setting is malformed.

settings.py raises ImproperlyConfigured with a message naming the variable (DATABASE_URL,
STORAGE_URL, SECRET_KEY, …). Django's manage.py would defer it and print a traceback
when a command first touches settings, and gunicorn would print one per worker; every
entry point (manage.py, python -m workmate, wsgi.py) loads the settings first instead,
so a bad deployment stops before it serves a request and says why in one line.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings_or_exit(status: int = 2) -> None:
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading it imports settings.py)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Workmate cannot start: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(status) from None
