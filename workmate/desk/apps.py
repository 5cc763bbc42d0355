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
        # Report aggregates: a ticket or CSAT change marks its day for a new roll-up.
        from django.db.models.signals import post_delete, post_save

        from workmate.desk import stats
        from workmate.desk.models import Satisfaction, Ticket

        post_save.connect(stats.ticket_saved, sender=Ticket, dispatch_uid="desk_stats_ticket")
        post_delete.connect(stats.ticket_deleted, sender=Ticket, dispatch_uid="desk_stats_del")
        post_save.connect(stats.satisfaction_changed, sender=Satisfaction, dispatch_uid="ds_sat")
        post_delete.connect(
            stats.satisfaction_changed, sender=Satisfaction, dispatch_uid="ds_sat_del"
        )
