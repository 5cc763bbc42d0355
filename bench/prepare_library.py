"""Print shell assignments the library load test needs: a session, a token, a space, pages.

Run with the benchmark's environment (bench/run_library.sh does):
    .venv/bin/python bench/prepare_library.py  ->  SESSION=... TOKEN=... SPACE=... PAGE=...

Steps:
1. Find the busy person (busy@bench.example) and make their session and API token.
2. Pick the first team space of their team (400 pages), a page three levels deep with
   siblings and ten revisions for the page and history, and the 2,000-line diff page.
"""

from __future__ import annotations

import benchlib


def main() -> None:
    benchlib.setup_django()
    from workmate.library.management.commands.bench_seed_library import BIG_KEY
    from workmate.library.models import Page
    from workmate.library.services import ancestors

    busy = benchlib.busy_person()
    benchlib.print_session_and_token(busy, "bench-library")
    big = Page.objects.select_related("space").get(title=BIG_KEY)
    space = big.space
    page = None
    for candidate in Page.objects.filter(space=space, parent__isnull=False).order_by("pk"):
        if len(ancestors(candidate)) == 3:
            page = candidate
            break
    assert page is not None, "Seed the library first (bench/run_library.sh does)."
    print(f"SPACE={space.key}")
    print(f"TREE={Page.objects.filter(space=space).count()}")
    print(f"PAGE={page.pk}")
    print(f"DEPTH={len(ancestors(page))}")
    print(f"BIG={big.pk}")


if __name__ == "__main__":
    main()
