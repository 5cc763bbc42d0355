from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "workmate.automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        # Events are written by receivers of the lower apps' signals (docs/ARCHITECTURE.md).
        from workmate.automation import receivers

        receivers.connect()
        # The actions Workmate's own apps offer; others register theirs (actions.py).
        from workmate.automation.builtin import register_builtin

        register_builtin()
