from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "workmate.inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from workmate.accounts import today as home
        from workmate.inbox import today

        home.register("inbox.unread", 60, today.unread)
