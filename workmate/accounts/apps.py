from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "workmate.accounts"
    verbose_name = _("People and teams")

    def ready(self) -> None:
        from workmate.accounts import signals  # noqa: F401
