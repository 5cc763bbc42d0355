from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessConfig(AppConfig):
    name = "workmate.success"
    verbose_name = _("Customer success")

    def ready(self) -> None:
        from workmate.success import receivers

        receivers.connect()
