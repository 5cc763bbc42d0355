from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "workmate.pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        # Who may still read a PoC's notifications (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.pipeline.access import visible_pocs

        visibility.register("poc", visible_pocs)

        # The proposal page shows the PoC made of it, or offers to make one.
        from workmate.pipeline.views import proposal_panel
        from workmate.voice import panels

        panels.register("pipeline.poc", proposal_panel)
