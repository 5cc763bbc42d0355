"""Where a page's time goes, in CPU time of this process (other processes on a shared
machine do not count): the median CPU time of RUNS requests, then a cProfile of them.

    PROJECT=... .venv/bin/python bench/page_profile.py /work/ [--profile] [--own]

`--own` sorts the profile by each function's own time instead of the cumulative time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time

import benchlib

RUNS = 30


def main() -> None:
    benchlib.setup_django()
    path = sys.argv[1].replace("PROJECT", os.environ.get("PROJECT", ""))
    _anonymous, client, _bearer = benchlib.clients("")
    assert client.get(path).status_code == 200
    cpu = []
    for _ in range(RUNS):
        started = time.process_time()
        client.get(path)
        cpu.append(time.process_time() - started)
    print(f"{path}: CPU median {statistics.median(cpu) * 1000:.1f} ms, min {min(cpu) * 1000:.1f}")
    if "--profile" in sys.argv:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(RUNS):
            client.get(path)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime" if "--own" in sys.argv else "cumulative").print_stats(90)


if __name__ == "__main__":
    main()
