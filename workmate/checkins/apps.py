from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "workmate.checkins"
    verbose_name = _("Check-ins")

    def ready(self) -> None:
        from workmate.accounts import today as home
        from workmate.checkins import today

        home.register("checkins.to_answer", 30, today.to_answer)
