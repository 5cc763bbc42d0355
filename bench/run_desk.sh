#!/usr/bin/env bash
# Seed the desk into the benchmark database if it holds no tickets, then measure the agent
# queues, a ticket page and the ticket API with wrk, as bench/run.sh does for tasks.
# Loopback only, bounded in time; the server is stopped on exit. See bench/README.md.
#
#   bench/run_desk.sh                          seed (first time, ~4 min) and measure
#   DURATION=10s CONNECTIONS="2" bench/run_desk.sh   (one table per connection count)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8766}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-8 2}"
THREADS="${THREADS:-1}"
WORKERS="${WORKERS:-2}"
BENCH_DB="${BENCH_DB:-var/bench.sqlite3}"
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> Installing wrk (a benchmark dependency, not a CI one)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi

mkdir -p var
# The benchmark server runs as production does (DEBUG off) on its own database file,
# so it never touches the development database.
export DATABASE_URL="sqlite:///$PWD/$BENCH_DB"
export DEBUG=false
export SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_COOKIES=false
export STATIC_ROOT="$PWD/var/bench-static"
export LOG_LEVEL=WARNING
manage() { .venv/bin/python manage.py "$@"; }

manage migrate --no-input -v0
sqlite_count() {
  .venv/bin/python -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$BENCH_DB" "$1"
}
# The task seed first (it makes the bench people and refuses a file that has them), so
# both benchmarks share one file and one busy person.
if [ "$(sqlite_count 'select count(*) from work_task')" = 0 ]; then
  echo "==> Seeding $BENCH_DB (1,000,000 tasks)"
  manage bench_seed
fi
if [ "$(sqlite_count 'select count(*) from desk_ticket')" = 0 ]; then
  echo "==> Seeding $BENCH_DB (200,000 tickets, 2,000,000 timeline entries)"
  manage bench_seed_desk
fi
# Planner statistics for indexes that migrations added after seeding.
.venv/bin/python -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('ANALYZE'); c.commit()" "$BENCH_DB"
manage collectstatic --no-input -v0
eval "$(.venv/bin/python bench/prepare_desk.py)"
echo "==> $TICKETS tickets; the busy agent has $MINE active; ticket page: #$TICKET"

server_pid=""
stop() {
  trap - INT TERM EXIT
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

.venv/bin/gunicorn workmate.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --threads 1 --log-level warning &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

COOKIE="Cookie: $COOKIE_NAME=$SESSION"
AUTH="Authorization: Bearer $TOKEN"
# name | path | header
targets=(
  "bare|/healthz|X-Bench: bare"
  "mine|/desk/mine/|$COOKIE"
  "unassigned|/desk/unassigned/|$COOKIE"
  "at_risk|/desk/at-risk/|$COOKIE"
  "breached|/desk/breached/|$COOKIE"
  "pending|/desk/pending/|$COOKIE"
  "all|/desk/all/|$COOKIE"
  "ticket|/desk/tickets/$TICKET/|$COOKIE"
  "api_tickets|/api/v1/desk/tickets|$AUTH"
)

for connections in $CONNECTIONS; do
  results=()
  echo "==> Load average before $connections connections: $(cut -d' ' -f1-3 /proc/loadavg)"
  for target in "${targets[@]}"; do
    IFS='|' read -r name path header <<<"$target"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$BASE$path")"
    if [ "$status" != 200 ]; then
      echo "==> $name ($path) answers $status, not 200: skipped"
      continue
    fi
    echo "==> $name: $path (warm-up $WARMUP, then $DURATION, $connections connections)"
    wrk -t"$THREADS" -c"$connections" -d"$WARMUP" -H "$header" "$BASE$path" >/dev/null
    line="$(BENCH_NAME="$name" wrk -t"$THREADS" -c"$connections" -d"$DURATION" --timeout 10s --latency \
      -s bench/report.lua -H "$header" "$BASE$path" | grep '^RESULT')"
    results+=("$line $(cut -d' ' -f1 /proc/loadavg)")
  done

  echo
  echo "$connections connections, $WORKERS workers, $DURATION each, $(date -u '+%Y-%m-%d %H:%M UTC')"
  printf '%-14s %9s %9s %9s %9s %9s %7s %6s\n' page "req/s" "p50 ms" "p95 ms" "p99 ms" "% bare" errors load
  bare_rps=""
  for line in "${results[@]}"; do
    read -r _ name rps p50 p95 p99 _requests errors load <<<"$line"
    [ "$name" = bare ] && bare_rps="$rps"
    share="$(awk -v r="$rps" -v b="${bare_rps:-0}" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * r / b; else print "-" }')"
    printf '%-14s %9s %9s %9s %9s %9s %7s %6s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$share" "$errors" "$load"
  done
  echo
done
echo "==> Load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "==> In-process service time: one request at a time, fastest and median of 20"
TICKET="$TICKET" TOKEN="$TOKEN" .venv/bin/python bench/service_time_desk.py
