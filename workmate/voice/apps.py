from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "workmate.voice"
    verbose_name = _("Voice")

    def ready(self) -> None:
        from workmate.accounts import today as home
        from workmate.voice import today

        home.register("voice.waiting", 35, today.waiting_for_answer)

        # Who may still read a proposal's notifications (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.voice.visibility import visible_proposals

        visibility.register("proposal", visible_proposals)
