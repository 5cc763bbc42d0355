from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "workmate.work"
    verbose_name = _("Work")

    def ready(self) -> None:
        from workmate.accounts import today as home
        from workmate.work import today

        # The home page's sections (workmate/accounts/today.py); lower order comes first.
        home.register("work.needs_reply", 10, today.needs_reply)
        home.register("work.due", 40, today.due_soon)
        home.register("work.waiting_on", 50, today.waiting_on)
        home.register("work.quick_add", 5, today.quick_add)

        # Who may still read a task's notifications (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.work.visibility import visible_tasks

        visibility.register("task", visible_tasks)
