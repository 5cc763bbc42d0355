#!/usr/bin/env bash
# Seed the library benchmark database if it holds no pages, then measure the space tree,
# a page, its history, a diff of two 2,000-line revisions and the page API with wrk, as
# bench/run.sh does for tasks. Loopback only, bounded in time; the server is stopped on
# exit. See bench/README.md, "Library".
#
#   bench/run_library.sh                             seed (first time, ~1 min) and measure
#   DURATION=10s CONNECTIONS="2" bench/run_library.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8767}"
# Its own file: the library needs no million tasks, and the seed takes a minute.
BENCH_DB="${BENCH_DB:-var/bench-library.sqlite3}"
source bench/lib.sh
if [ "$(db_count 'select count(*) from library_page')" = 0 ]; then
  echo "==> Seeding $BENCH_DB (50 spaces, 20,000 pages, 200,000 revisions)"
  manage bench_seed_library
fi
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare_library.py)"
echo "==> space $SPACE ($TREE pages), page #$PAGE (depth $DEPTH), diff page #$BIG"

start_server

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
AUTH="Authorization: Bearer $TOKEN"
# name | path | header
targets=(
  "bare|/healthz|X-Bench: bare"
  "tree|/library/s/$SPACE/|$COOKIE"
  "page|/library/pages/$PAGE/|$COOKIE"
  "history|/library/pages/$PAGE/history/|$COOKIE"
  "diff|/library/pages/$BIG/diff/?from=11&to=12|$COOKIE"
  "api_page|/api/v1/library/pages/$PAGE|$AUTH"
  "api_tree|/api/v1/library/spaces/$SPACE/tree|$AUTH"
)

measure --load
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
SPACE="$SPACE" PAGE="$PAGE" BIG="$BIG" TOKEN="$TOKEN" .venv/bin/python bench/service_time_library.py
