from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LevelsConfig(AppConfig):
    name = "workmate.levels"
    verbose_name = _("Levels")

    def ready(self) -> None:
        # The ledger listens to the apps below it (docs/ARCHITECTURE.md).
        from workmate.levels import receivers

        receivers.connect()
        # Who may read a glue-work confirmation's notification (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.levels.services import visible_glue

        visibility.register("glue", visible_glue)
        # Check-ins pre-fill "Done" from the ledger too (workmate/levels/checkin.py).
        from workmate.checkins.services import register_prefill_source
        from workmate.levels.checkin import prefill_lines

        register_prefill_source(prefill_lines)
