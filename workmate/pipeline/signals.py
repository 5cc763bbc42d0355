"""What the pipeline tells other apps (sent inside the transaction of the change).

- poc_decided: a PoC's decision record was written (go or no-go); sender=PoC, instance=poc,
  actor=user.
"""

from __future__ import annotations

import django.dispatch

poc_decided = django.dispatch.Signal()
