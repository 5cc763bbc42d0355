"""Time the levels and calibration pages in-process, one request at a time (as
bench/service_time.py does): the fastest and the median of 20, with the SQL time and the
number of queries of one more. bench/run_levels.sh runs this after wrk:
    CYCLE=... TEAM=... .venv/bin/python bench/service_time_levels.py
PAGES=ledger,brag times only those pages; SHOW_SQL=1 lists each page's queries.
"""

from __future__ import annotations

import os

import benchlib


def main() -> None:
    benchlib.setup_django()
    cycle, team = os.environ["CYCLE"], os.environ["TEAM"]
    anonymous, client, _bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    benchlib.time_pages(
        [
            ("bare", anonymous, "/healthz", {}),
            ("ledger", client, "/levels/ledger/", {}),
            ("brag", client, "/levels/brag/", {}),
            ("calibration", client, f"/reviews/cycles/{cycle}/calibration/{team}/", {}),
        ],
        only=set(filter(None, os.environ.get("PAGES", "").split(","))),
        show_sql=bool(os.environ.get("SHOW_SQL")),
    )


if __name__ == "__main__":
    main()
