"""The webhooks' background work; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from workmate.webhooks import services


@task()
def deliver_endpoint(endpoint_id: int) -> int:
    """Send one endpoint's due deliveries, in order, for a few seconds at most."""
    return services.run_endpoint(endpoint_id)


@task()
def sweep_deliveries() -> int:
    """Wake the endpoints whose due deliveries no worker has (the clock, every minute)."""
    return services.sweep()
