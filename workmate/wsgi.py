from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from workmate.ops.startup import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
# A malformed setting stops gunicorn at start with one line naming the variable (exit 4:
# gunicorn's "App failed to load", which halts the master instead of respawning workers).
load_settings_or_exit(status=4)
application = get_wsgi_application()
