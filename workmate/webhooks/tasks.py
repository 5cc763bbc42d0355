"""The webhooks' background work; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from workmate.webhooks import services


# Ahead of the rules' jobs in the shared queue: a backlog of rule runs must not hold up
# deliveries (a delivery's wait is bounded by its own endpoint's queue, not by others').
@task(priority=10)
def deliver_endpoint(endpoint_id: int) -> int:
    """Send one endpoint's due deliveries, in order, for a few seconds at most."""
    return services.run_endpoint(endpoint_id)


@task()
def sweep_deliveries() -> int:
    """Wake the endpoints whose due deliveries no worker has (the clock, every minute)."""
    return services.sweep()
