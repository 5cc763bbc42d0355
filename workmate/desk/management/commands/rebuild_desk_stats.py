"""`manage.py rebuild_desk_stats`: recompute the reports' per-day aggregates and the
dashboard's active counts and SLA moments from the tickets.

Run it after loading tickets outside the services (an import, a restored backup). The
clock's `roll_up_desk_stats` keeps them current otherwise; a changed support calendar
(zone, hours, days off) is noticed and rebuilt by the next roll-up on its own.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from workmate.desk import stats
from workmate.desk.models import DeskDay


class Command(BaseCommand):
    help = "Recompute the desk reports' per-day aggregates and active counts from all tickets."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        days = stats.rebuild()
        counts = stats.rebuild_active_counts()
        moments = stats.rebuild_sla_counts()
        self.stdout.write(
            f"Rolled up {days} days into {DeskDay.objects.count()} rows "
            f"and counted active tickets into {counts} rows "
            f"and their SLA moments into {moments} rows "
            f"in {time.monotonic() - started:.1f} s."
        )
