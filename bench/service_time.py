"""Time each benchmarked page in-process, one request at a time (no server, no queueing).

wrk's figures on a shared 2-core machine move with whatever else runs; the fastest of
N sequential requests through Django's test client does not, and it splits a page's
cost into SQL and the rest (mostly template rendering). bench/run.sh runs this after wrk:
    PROJECT=... TOKEN=... .venv/bin/python bench/service_time.py
"""

from __future__ import annotations

import os

import benchlib


def main() -> None:
    benchlib.setup_django()
    project = os.environ["PROJECT"]
    anonymous, client, bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    benchlib.time_pages(
        [
            ("bare", anonymous, "/healthz", {}),
            ("signed_in", client, "/inbox/count", {}),
            ("api_me", anonymous, "/api/v1/me", bearer),
            ("my_tasks", client, "/work/", {}),
            ("project_list", client, f"/work/projects/{project}/", {}),
            ("api_tasks", anonymous, f"/api/v1/tasks?project={project}", bearer),
        ]
    )


if __name__ == "__main__":
    main()
