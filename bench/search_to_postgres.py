"""Copy what search reads from the SQLite bench file into a PostgreSQL database, so
bench/search.py can measure PostgreSQL on the same rows (bench_seed writes SQLite only).

    DATABASE_URL=postgres://…/wm_search_bench .venv/bin/python manage.py migrate
    .venv/bin/python bench/search_to_postgres.py var/bench.sqlite3 "dbname=… host=…"

Tables: people, teams, memberships, projects and their members, library spaces and the
search index itself (without PostgreSQL's generated `tsv`, which it computes on insert).
"""

from __future__ import annotations

import sqlite3
import sys
import time

import psycopg

TABLES = [
    "accounts_team",
    "accounts_user",
    "accounts_membership",
    "work_project",
    "work_projectmember",
    "library_space",
    "library_spacemembership",
    "search_entry",
]


def main(sqlite_path: str, dsn: str) -> None:
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(dsn) as target:
        for table in TABLES:
            started = time.monotonic()
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            with target.cursor() as cursor:
                cursor.execute(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_name = %s",
                    [table],
                )
                types = dict(cursor.fetchall())
                booleans = {c for c in columns if types.get(c) == "boolean"}
                cursor.execute(f"TRUNCATE {table} CASCADE")
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in source.execute(f"SELECT {names} FROM {table}"):
                        copy.write_row(
                            [
                                bool(v) if c in booleans and v is not None else v
                                for c, v in zip(columns, row, strict=True)
                            ]
                        )
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 1) FROM {table}))"
                )
            target.commit()
            print(f"{table}: {time.monotonic() - started:.0f} s")
        target.execute("ANALYZE")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
