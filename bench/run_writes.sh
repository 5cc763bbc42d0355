#!/usr/bin/env bash
# The write path: creating tasks and comments through the web form and the API with many
# concurrent writers (default 50), on the benchmark database bench/run.sh seeds. Then the
# in-process cost of one create (bench/write_time.py). See bench/README.md.
#
#   bench/run_writes.sh                          (seed with bench/run.sh first)
#   WRITERS=50 DURATION=20s bench/run_writes.sh
#
# The tasks go to another project of the busy person's team than the one bench/run.sh
# lists, and the comments to one task of it, so the read benchmark keeps its shape; each
# run adds rows (a few thousand), which the read pages do not show.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8766}"
WRITERS="${WRITERS:-50}"
source bench/lib.sh
analyze_and_collect_static
eval "$(.venv/bin/python bench/prepare.py)"
echo "==> Writing to project $WRITE_PROJECT, comments on task $WRITE_TASK"

start_server

# Any 32-character secret, sent as the CSRF cookie and header, passes Django's check.
CSRF="benchbenchbenchbenchbenchbench12"
WEB="Cookie: $COOKIE_NAME=$SESSION; csrftoken=$CSRF"
# name | path | header | content type | body
writes=(
  "web_task|/work/projects/$WRITE_PROJECT/tasks/|$WEB|application/x-www-form-urlencoded|title=Bench+write"
  "api_task|/api/v1/tasks|Authorization: Bearer $TOKEN|application/json|{\"project_id\": $WRITE_PROJECT, \"title\": \"Bench write\"}"
  "web_comment|/work/tasks/$WRITE_TASK/comments/|$WEB|application/x-www-form-urlencoded|body=Bench+comment"
  "api_comment|/api/v1/tasks/$WRITE_TASK/comments|Authorization: Bearer $TOKEN|application/json|{\"body\": \"Bench comment\"}"
)

echo "==> Load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for write in "${writes[@]}"; do
  IFS='|' read -r name path header type body <<<"$write"
  echo "==> $name: POST $path ($WRITERS writers, warm-up $WARMUP, then $DURATION)"
  export BENCH_NAME="$name" BENCH_BODY="$body" BENCH_TYPE="$type"
  wrk -t"$THREADS" -c"$WRITERS" -d"$WARMUP" --timeout 20s -s bench/write.lua \
    -H "$header" -H "X-CSRFToken: $CSRF" "$BASE$path" >/dev/null
  results+=("$(wrk -t"$THREADS" -c"$WRITERS" -d"$DURATION" --timeout 20s --latency \
    -s bench/write.lua -H "$header" -H "X-CSRFToken: $CSRF" "$BASE$path" | grep '^RESULT') $(cut -d' ' -f1 /proc/loadavg)")
done
echo
echo "$WRITERS writers, $WORKERS workers, $DURATION each, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-12s %9s %9s %9s %9s %7s %6s\n' create "req/s" "p50 ms" "p95 ms" "p99 ms" errors load
for line in "${results[@]}"; do
  read -r _ name rps p50 p95 p99 _ errors load <<<"$line"
  printf '%-12s %9s %9s %9s %9s %7s %6s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$errors" "$load"
done
echo
stop

echo "==> In-process cost of one create (CPU and wall clock, statements, after-commit work)"
WRITE_PROJECT="$WRITE_PROJECT" WRITE_TASK="$WRITE_TASK" TOKEN="$TOKEN" \
  .venv/bin/python bench/write_time.py
