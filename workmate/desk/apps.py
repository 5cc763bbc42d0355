from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "workmate.desk"
    verbose_name = _("Customer desk")

    def ready(self) -> None:
        from workmate.accounts import today as home
        from workmate.desk import today

        home.register("desk.at_risk", 20, today.tickets_at_risk)

        # Who may still read a ticket's notifications (workmate/inbox/visibility.py).
        from workmate.desk.visibility import visible_tickets
        from workmate.inbox import visibility

        visibility.register("ticket", visible_tickets)

        # Mail in and out and SLA breaches at /metrics (workmate/ops/metrics.py).
        from workmate.desk.metrics import DeskCollector
        from workmate.ops import metrics

        metrics.register(DeskCollector())
