"""Time each library page in-process, one request at a time (as bench/service_time.py does).

The fastest and the median of 20 sequential requests through Django's test client, with
the SQL time and the number of queries of one more. bench/run_library.sh runs this after
wrk:
    SPACE=... PAGE=... BIG=... TOKEN=... .venv/bin/python bench/service_time_library.py
PAGES=tree,page times only those pages; SHOW_SQL=1 lists each page's queries.
"""

from __future__ import annotations

import os

import benchlib


def main() -> None:
    benchlib.setup_django()
    space, page, big = os.environ["SPACE"], os.environ["PAGE"], os.environ["BIG"]
    anonymous, client, bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    benchlib.time_pages(
        [
            ("bare", anonymous, "/healthz", {}),
            ("tree", client, f"/library/s/{space}/", {}),
            ("page", client, f"/library/pages/{page}/", {}),
            ("history", client, f"/library/pages/{page}/history/", {}),
            ("diff", client, f"/library/pages/{big}/diff/?from=11&to=12", {}),
            ("diff_inline", client, f"/library/pages/{big}/diff/?from=11&to=12&view=inline", {}),
            ("api_page", anonymous, f"/api/v1/library/pages/{page}", bearer),
            ("api_tree", anonymous, f"/api/v1/library/spaces/{space}/tree", bearer),
        ],
        only=set(filter(None, os.environ.get("PAGES", "").split(","))),
        show_sql=bool(os.environ.get("SHOW_SQL")),
    )


if __name__ == "__main__":
    main()
