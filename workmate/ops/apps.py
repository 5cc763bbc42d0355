from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Keeping an installation running: start-up, the worker's heartbeat, backups."""

    name = "workmate.ops"
    verbose_name = _("Operations")
