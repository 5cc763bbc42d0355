"""Time each desk page in-process, one request at a time (as bench/service_time.py does).

The fastest and the median of 20 sequential requests through Django's test client, with
the SQL time and the number of queries of one more. bench/run_desk.sh runs this after wrk:
    TICKET=... TOKEN=... .venv/bin/python bench/service_time_desk.py
PAGES=mine,ticket times only those pages; SHOW_SQL=1 lists each page's queries.
"""

from __future__ import annotations

import os

import benchlib


def main() -> None:
    benchlib.setup_django()
    ticket = os.environ["TICKET"]
    anonymous, client, bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    benchlib.time_pages(
        [
            ("bare", anonymous, "/healthz", {}),
            ("mine", client, "/desk/mine/", {}),
            ("unassigned", client, "/desk/unassigned/", {}),
            ("at_risk", client, "/desk/at-risk/", {}),
            ("breached", client, "/desk/breached/", {}),
            ("pending", client, "/desk/pending/", {}),
            ("all", client, "/desk/all/", {}),
            ("ticket", client, f"/desk/tickets/{ticket}/", {}),
            ("api_tickets", anonymous, "/api/v1/desk/tickets", bearer),
        ],
        only=set(filter(None, os.environ.get("PAGES", "").split(","))),
        show_sql=bool(os.environ.get("SHOW_SQL")),
    )


if __name__ == "__main__":
    main()
