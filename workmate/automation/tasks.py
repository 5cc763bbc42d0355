"""The worker's side of automation: rules run after the change commits.

- run_event_rules(event_id): enqueued after commit by `events.record_event` when a rule
  listens to the event's type.
- sweep_automation: the clock's minute job (workmate/inbox/clock.py): events the wake-up
  missed (a worker killed before it ran), the clock's own events (SLA at risk or
  breached, reply-by passed), time-based and scheduled rules.
"""

from __future__ import annotations

from django_tasks import task

from workmate.automation import clockwork, engine


@task()
def run_event_rules(event_id: int) -> int:
    return engine.handle_event(event_id)


@task()
def sweep_automation() -> dict[str, int]:
    return clockwork.sweep()
