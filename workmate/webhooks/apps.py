from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "workmate.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Every event becomes deliveries in the change's own transaction (the outbox).
        from workmate.automation.models import Event
        from workmate.automation.signals import event_recorded
        from workmate.webhooks import actions, services

        def on_event(sender, instance, **kwargs) -> None:
            services.fan_out(instance)

        event_recorded.connect(on_event, sender=Event, weak=False, dispatch_uid="webhooks.fan_out")
        actions.register()
