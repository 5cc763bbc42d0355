#!/usr/bin/env bash
# The scale test (issue 17): Workmate on PostgreSQL with two of each process kind, a mixed
# load over both web instances and mail in, faults in the middle, then the invariants.
# Not part of the test suite; ~9 minutes. See bench/README.md ("Scale test").
#
#   bench/scale.sh                      # 240 s of load
#   LOAD_SECONDS=120 bench/scale.sh     # shorter (the clock's moments still fall inside)
#
# 1. A throw-away PostgreSQL cluster (initdb/pg_ctl as ./test does, run as the postgres
#    user when we are root) on a Unix socket in a temp dir; migrate; bench/scale_seed.py.
# 2. Separate processes, each as ./run starts it: gunicorn A and B (2 workers each, the
#    ./run configuration), two `db_worker`s, two `clock`s, `mail_inbound` (SMTP in), and
#    bench/scale_sink.py, the SMTP server Workmate's outgoing mail goes to.
# 3. bench/scale_load.py (a second process) for LOAD_SECONDS. Meanwhile: kill -9 worker 2
#    (at 50 s) and web B's master (at 80 s), each started again 5 s later as a supervisor
#    would; stop PostgreSQL for 30 s (at 110 s) while probing both web instances.
# 4. Let the clocks see the last minute, stop them, let the workers empty the queue, stop
#    everything, and run bench/scale_check.py. Exit status 1 when an invariant fails.
set -euo pipefail
cd "$(dirname "$0")/.."

LOAD_SECONDS="${LOAD_SECONDS:-240}"
PORT_A="${SCALE_PORT_A:-8841}"
PORT_B="${SCALE_PORT_B:-8842}"
SMTP_IN="${SCALE_SMTP_IN:-2641}"
SMTP_OUT="${SCALE_SMTP_OUT:-2642}"
OUT="$PWD/var/scale"
rm -rf "$OUT"
mkdir -p "$OUT"
stamp() { echo "==> $(date -u '+%H:%M:%S') $*"; }

# --- 1. PostgreSQL ---------------------------------------------------------------------
pg_bin=""
for dir in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then pg_bin="$dir"; break; fi
done
[ -n "$pg_bin" ] || { echo "PostgreSQL (initdb/pg_ctl) not found: apt-get install postgresql" >&2; exit 1; }
pg_dir="$(mktemp -d /tmp/workmate-scale-pg.XXXXXX)"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: run the throw-away cluster as the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
pg_ctl() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" "$@"; }
pg_start() {
  pg_ctl -l "$pg_dir/server.log" -w \
    -o "-k $pg_dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
}

pids=()
names=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_ctl -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup INT TERM EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U workmate --auth=trust -E UTF8 \
  --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log"; exit 1; }
pg_start || { cat "$pg_dir/server.log"; exit 1; }
.venv/bin/python -c "import psycopg, sys; psycopg.connect(host=sys.argv[1], user='workmate', dbname='postgres', autocommit=True).execute('CREATE DATABASE workmate_scale')" "$pg_dir"

export DATABASE_URL="postgres://workmate@/workmate_scale?host=$pg_dir"
export DEBUG=false
export SECRET_KEY="scale-only-secret-key-not-for-production-use-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_COOKIES=false
export SITE_URL="http://127.0.0.1:$PORT_A"
export STATIC_ROOT="$PWD/var/bench-static"
export EMAIL_URL="smtp://127.0.0.1:$SMTP_OUT"
export DESK_INBOUND_HOST=127.0.0.1
export DESK_INBOUND_PORT="$SMTP_IN"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
export PYTHONUNBUFFERED=1
manage() { .venv/bin/python manage.py "$@"; }

stamp "Migrating a throw-away cluster ($pg_dir)"
manage migrate --no-input -v0
# Collecting static files takes minutes on a busy machine: only when a source changed.
if [ ! -f "$STATIC_ROOT/staticfiles.json" ] ||
  [ -n "$(find static -newer "$STATIC_ROOT/staticfiles.json" -print -quit)" ]; then
  manage collectstatic --no-input -v0
fi

# --- 2. The processes --------------------------------------------------------------------
# start NAME COMMAND...: in the background, its output in var/scale/NAME.log.
start() {
  local name="$1"
  shift
  "$@" >>"$OUT/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  eval "pid_${name//-/_}=$!"
}
py=(.venv/bin/python)
worker=(.venv/bin/python manage.py db_worker)
clock=(.venv/bin/python manage.py clock)
# web PORT NAME: gunicorn as ./run starts it (its control socket beside the logs).
web() {
  echo .venv/bin/gunicorn workmate.wsgi:application --bind "127.0.0.1:$1" --workers 2 \
    --graceful-timeout 10 --control-socket "$OUT/$2.ctl" --log-level warning \
    --config python:workmate.ops.gunicorn_conf
}
# Each is started directly (no shell between), so $! is the process that kill -9 hits.
start sink "${py[@]}" bench/scale_sink.py "$SMTP_OUT" "$OUT/sent.jsonl"
# shellcheck disable=SC2046  # web prints a command line without spaces inside words.
start web-a $(web "$PORT_A" web-a)
# shellcheck disable=SC2046
start web-b $(web "$PORT_B" web-b)
start worker-1 "${worker[@]}"
start worker-2 "${worker[@]}"
start clock-1 "${clock[@]}"
start clock-2 "${clock[@]}"
start mail-in "${py[@]}" manage.py mail_inbound
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.3
  done
done
# The load starts this long after seeding; the seeded moments (digests, reply-bys, the
# check-in, SLA targets) are placed after that start.
stamp "Seeding"
.venv/bin/python bench/scale_seed.py "$OUT/setup.json" 20
start_at="$(.venv/bin/python -c "import datetime, json, sys; print(int(datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))['start']).timestamp()))" "$OUT/setup.json")"
while [ "$(date +%s)" -lt "$start_at" ]; do sleep 0.5; done

# --- 3. Load and faults ------------------------------------------------------------------
stamp "Load for ${LOAD_SECONDS}s over web A (:$PORT_A) and B (:$PORT_B), mail in on :$SMTP_IN"
load_started=$SECONDS
.venv/bin/python bench/scale_load.py "$OUT/setup.json" "$OUT" "$LOAD_SECONDS" \
  "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" "$SMTP_IN" >"$OUT/load.txt" 2>&1 &
load_pid=$!
at() { while [ $((SECONDS - load_started)) -lt "$1" ]; do sleep 0.5; done; }
session="$(.venv/bin/python -c "import json, sys; s = json.load(open(sys.argv[1])); print(s['cookie_name'] + '=' + s['people'][0]['session'])" "$OUT/setup.json")"
# probe LABEL: one line of status codes from both web instances: a signed-in page, and
# /healthz and /readyz as a load balancer asks them (no cookie).
probe() {
  local line="$1" port path code cookie
  for port in "$PORT_A" "$PORT_B"; do
    for path in /work/ /healthz /readyz; do
      cookie="X-Probe: 1"
      [ "$path" = /work/ ] && cookie="Cookie: $session"
      code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H "$cookie" "http://127.0.0.1:$port$path" || true)"
      line="$line $port$path=$code"
    done
  done
  echo "$line" | tee -a "$OUT/probes.txt"
}

at 50
killed_worker="$pid_worker_2"
stamp "kill -9 worker 2 (pid $killed_worker)"
kill -9 "$killed_worker"
sleep 5
start worker-2b "${worker[@]}"
stamp "worker 2 started again (pid $pid_worker_2b)"

at 80
stamp "kill -9 web B's gunicorn master (pid $pid_web_b)"
kill -9 "$pid_web_b"
probe "   web B killed:"
sleep 5
# shellcheck disable=SC2046
start web-b2 $(web "$PORT_B" web-b2)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT_B/healthz" >/dev/null 2>&1 && break; sleep 0.3; done
stamp "web B started again (pid $pid_web_b2)"

at 110
stamp "Stopping PostgreSQL for 30 s"
pg_ctl -m fast stop >/dev/null
stopped_at=$SECONDS
while [ $((SECONDS - stopped_at)) -lt 30 ]; do
  probe "   t+$((SECONDS - stopped_at))s:"
  sleep 4
done
pg_start
stamp "PostgreSQL started again"
probe "   after restart:"

wait "$load_pid" || true
stamp "Load finished"
cat "$OUT/load.txt"

# --- 4. Drain and check --------------------------------------------------------------------
# The seeded moments all lie within 4 minutes of the start: let the clocks tick past the
# last of them (and the minute after the load), then stop them and let the workers finish.
at $((LOAD_SECONDS > 230 ? LOAD_SECONDS : 230))
while [ "$(date +%S)" -gt 5 ]; do sleep 1; done  # the next minute's tick
sleep 15
alive=()
for i in "${!pids[@]}"; do
  if kill -0 "${pids[$i]}" 2>/dev/null; then alive+=("${names[$i]}"); fi
done
stamp "Still running before the stop: ${alive[*]}"
kill -TERM "$pid_clock_1" "$pid_clock_2" 2>/dev/null || true
stamp "Clocks stopped; waiting for the queue to drain"
for _ in $(seq 60); do
  waiting="$(.venv/bin/python -c "import psycopg, sys; print(psycopg.connect(host=sys.argv[1], user='workmate', dbname='workmate_scale').execute(\"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')\").fetchone()[0])" "$pg_dir" 2>/dev/null || echo '?')"
  [ "$waiting" = 0 ] && break
  sleep 2
done
stamp "Queue: $waiting waiting or running"
sleep 3  # the last mails reach the sink
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

stamp "Invariants"
status=0
expected="sink web-a worker-1 worker-2b clock-1 clock-2 mail-in web-b2"
missing=""
for name in $expected; do
  case " ${alive[*]} " in *" $name "*) ;; *) missing="$missing $name" ;; esac
done
if [ -z "$missing" ]; then
  echo "PASS  every process but the two killed ran to the end  (${alive[*]})"
else
  echo "FAIL  every process but the two killed ran to the end  (ended early:$missing; see var/scale/*.log)"
  status=1
fi
web_5xx="$(grep -c '=500' "$OUT/probes.txt" || true)"
web_503="$(grep -o '/work/=503' "$OUT/probes.txt" | wc -l || true)"
echo "INFO  pages while PostgreSQL was stopped: $web_503 answers 503, $web_5xx probes with a 500 (var/scale/probes.txt)"
.venv/bin/python bench/scale_check.py "$OUT/setup.json" "$OUT" "$killed_worker" || status=1
echo "==> Logs, load and probes in var/scale/"
exit "$status"
