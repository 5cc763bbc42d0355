"""What automation tells the apps above it (e.g. `webhooks`).

- event_recorded: an Event row was just written; sender=Event, instance=the event. Sent
  INSIDE the transaction of the change that caused it (the transactional outbox): rows a
  receiver writes (a delivery per endpoint) commit or roll back with the change. Receivers
  must not do network I/O here; enqueue work with `transaction.on_commit`.
"""

from __future__ import annotations

import django.dispatch

event_recorded = django.dispatch.Signal()
