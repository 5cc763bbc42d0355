"""Print shell assignments the levels load test needs: a session, a token, the cycle.

Run with the benchmark's environment (bench/run_levels.sh does):
    .venv/bin/python bench/prepare_levels.py  ->  SESSION=... TOKEN=... CYCLE=... TEAM=...

The busy person leads team B01, so their session opens their own ledger and brag
document and the calibration page of their 30-person team.
"""

from __future__ import annotations

import benchlib


def main() -> None:
    benchlib.setup_django()
    from workmate.levels.models import LedgerEntry
    from workmate.reviews.models import ReviewCycle

    busy = benchlib.busy_person()
    benchlib.print_session_and_token(busy, "bench-levels")
    cycle = ReviewCycle.objects.get(name="Bench cycle")
    team = cycle.participants.values_list("team__code", flat=True).first()
    print(f"CYCLE={cycle.pk}")
    print(f"TEAM={team}")
    print(f"ENTRIES={LedgerEntry.objects.filter(person=busy).count()}")


if __name__ == "__main__":
    main()
