# What bench/run.sh and bench/run_desk.sh share; sourced by them from the repository root
# with PORT set. See bench/README.md.
#
# Sourcing it installs wrk if missing, exports the production-like environment of the
# benchmark database and migrates it; then the script seeds what it needs
# (`db_count`), calls `analyze_and_collect_static`, `start_server`, sets `targets`
# and calls `measure`.
#
# The database is the SQLite file BENCH_DB (var/bench.sqlite3), or the PostgreSQL database
# BENCH_DATABASE_URL names (postgres://user@host/NAME; the seeders refuse a NAME without
# "bench"). BENCH_DATABASE_URL, not DATABASE_URL, so that a development database set in
# the shell is never the one seeded.

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
# The benchmark server runs as production does (DEBUG off) on its own database, so it
# never touches the development database.
export DATABASE_URL="${BENCH_DATABASE_URL:-sqlite:///$PWD/$BENCH_DB}"
# For messages: the file, or the URL without its password.
BENCH_DB_NAME="$(sed -E 's#//([^:@/]*):[^@/]*@#//\1@#' <<<"${BENCH_DATABASE_URL:-$BENCH_DB}")"
export DEBUG=false
export SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_COOKIES=false
export STATIC_ROOT="$PWD/var/bench-static"
export LOG_LEVEL=WARNING
manage() { .venv/bin/python manage.py "$@"; }

manage migrate --no-input -v0
# db_count SQL: the number the query returns, on SQLite or PostgreSQL.
db_count() {
  BENCH_SQL="$1" manage shell --no-imports -c "import os; from django.db import connection; c = connection.cursor(); c.execute(os.environ['BENCH_SQL']); print(c.fetchone()[0])"
}

analyze_and_collect_static() {
  # Planner statistics for indexes that migrations added after seeding.
  manage shell -c "from django.db import connection; connection.cursor().execute('ANALYZE')"
  manage collectstatic --no-input -v0
}

server_pid=""
stop() {
  trap - INT TERM EXIT
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}

# Start gunicorn on PORT (stopped when the script exits) and wait until it answers.
start_server() {
  trap stop INT TERM EXIT
  .venv/bin/gunicorn workmate.wsgi:application --bind "127.0.0.1:$PORT" \
    --workers "$WORKERS" --threads 1 --log-level warning \
    --config python:workmate.ops.gunicorn_conf &
  server_pid=$!
  for _ in $(seq 50); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
}

# measure [--load]: for each connection count in CONNECTIONS, warm up and run wrk on each
# of `targets` ("name|path|header"), then print a table; --load adds the load average
# before each connection count and after each page (a column).
measure() {
  local with_load="" connections target name path header status line bare_rps share
  local rps p50 p95 p99 errors load
  [ "${1:-}" = --load ] && with_load=1
  for connections in $CONNECTIONS; do
    local results=()
    if [ -n "$with_load" ]; then
      echo "==> Load average before $connections connections: $(cut -d' ' -f1-3 /proc/loadavg)"
    fi
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
      if [ -n "$with_load" ]; then line="$line $(cut -d' ' -f1 /proc/loadavg)"; fi
      results+=("$line")
    done

    echo
    echo "$connections connections, $WORKERS workers, $DURATION each, $(date -u '+%Y-%m-%d %H:%M UTC')"
    if [ -n "$with_load" ]; then
      printf '%-14s %9s %9s %9s %9s %9s %7s %6s\n' page "req/s" "p50 ms" "p95 ms" "p99 ms" "% bare" errors load
    else
      printf '%-14s %9s %9s %9s %9s %9s %7s\n' page "req/s" "p50 ms" "p95 ms" "p99 ms" "% bare" errors
    fi
    bare_rps=""
    for line in "${results[@]}"; do
      read -r _ name rps p50 p95 p99 _ errors load <<<"$line"
      [ "$name" = bare ] && bare_rps="$rps"
      share="$(awk -v r="$rps" -v b="${bare_rps:-0}" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * r / b; else print "-" }')"
      if [ -n "$with_load" ]; then
        printf '%-14s %9s %9s %9s %9s %9s %7s %6s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$share" "$errors" "$load"
      else
        printf '%-14s %9s %9s %9s %9s %9s %7s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$share" "$errors"
      fi
    done
    echo
  done
}
