#!/usr/bin/env bash
# Time the daily digests: 300 people, 50,000 pending notifications, a fresh SQLite file.
# See bench/README.md ("Daily digests").
#
#   bench/digests.sh                                  the figure in the README
#   bench/digests.sh --people 30 --notifications 500  smaller
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DB="${BENCH_DB:-var/bench-digests.sqlite3}"
mkdir -p var
rm -f "$BENCH_DB" "$BENCH_DB-wal" "$BENCH_DB-shm"
export DATABASE_URL="sqlite:///$PWD/$BENCH_DB"
export DEBUG=false
export SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export LOG_LEVEL=WARNING
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py bench_digests "$@"
