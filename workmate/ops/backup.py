"""Backups of a running installation, and their restore onto an empty one.

A backup is a folder:

    manifest.json        what is in it: row counts per table, size and SHA-256 of each file
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    database.dump        PostgreSQL: `pg_dump --format=custom`
    media/...            every uploaded file (MEDIA_ROOT)
    secret_key           var/secret_key when there is one (sessions and signed links need it)

`make_backup` steps:
1. copy the database while the app runs: SQLite's backup API copies a consistent
   snapshot page by page; for PostgreSQL a REPEATABLE READ transaction exports its
   snapshot and `pg_dump --snapshot` dumps exactly that;
2. count the rows of every table in that same snapshot (the copy for SQLite, the open
   transaction for PostgreSQL), so the manifest describes the copy and nothing newer;
3. copy the uploaded files after the snapshot, so every file a copied row points to was
   there already, hashing each one;
4. write the manifest, all into `DEST.partial`, renamed to DEST at the end: a backup
   that failed half way is never taken for a good one.

`restore_backup` steps:
1. check the backup against its manifest (each file's SHA-256) before touching anything;
2. refuse an installation that holds data (rows beyond what migrations create, or
   uploaded files) unless told to replace it;
3. put the database back (SQLite: the backup API in the other direction, in one write
   transaction; PostgreSQL: `pg_restore --clean --single-transaction`), then the files;
4. count the rows and hash the files again and compare them with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
SECRET_KEY_FILE = "secret_key"
# Rows that `migrate` itself writes: an installation with only these is empty.
MIGRATION_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int
    notes: list[str] = field(default_factory=list)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _vendor() -> str:
    return connection.vendor


def _sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


# --- PostgreSQL's tools ---------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    if found:
        return found
    raise BackupError(f"{name} was not found: install the PostgreSQL client (postgresql-client).")


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    """pg_dump's connection options: those Django's own connection uses."""
    connection.ensure_connection()
    info = connection.connection.info
    args = ["--dbname", info.dbname, "--host", info.host, "--port", str(info.port)]
    args += ["--username", info.user]
    env = {**os.environ}
    if info.password:
        env["PGPASSWORD"] = info.password
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


# --- Backup ---------------------------------------------------------------------------


def _backup_sqlite(folder: Path) -> dict[str, int]:
    target = folder / SQLITE_FILE
    path = _sqlite_path()
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    source = sqlite3.connect(path, timeout=60)
    copy = sqlite3.connect(target)
    try:
        # One step copies every page under a read transaction: a consistent snapshot that
        # writers (WAL) are not blocked by.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # One self-contained file.
        return _count_rows(copy.cursor(), _sqlite_tables(copy))
    finally:
        copy.close()
        source.close()


def _backup_postgresql(folder: Path) -> dict[str, int]:
    args, env = _pg_args_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={folder / PG_FILE}",
            ],
            env,
        )
        return _count_rows(cursor, _tables(cursor))


def _copy_media(source: Path, target: Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    if not source.is_dir():
        return files
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(source).as_posix()
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files[relative] = {"size": destination.stat().st_size, "sha256": sha256(destination)}
    return files


def make_backup(dest: Path) -> Summary:
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty folder.")
    partial = dest.with_name(dest.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True, mode=0o700)
    try:
        vendor = _vendor()
        if vendor == "sqlite":
            database_file = SQLITE_FILE
            tables = _backup_sqlite(partial)
        elif vendor == "postgresql":
            database_file = PG_FILE
            tables = _backup_postgresql(partial)
        else:
            raise BackupError(f"Backups of {vendor} databases are not supported.")
        files = _copy_media(Path(settings.MEDIA_ROOT), partial / MEDIA)
        secret = Path(settings.VAR_DIR) / SECRET_KEY_FILE
        if secret.is_file():
            shutil.copy2(secret, partial / SECRET_KEY_FILE)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": vendor,
                "file": database_file,
                "sha256": sha256(partial / database_file),
            },
            "tables": tables,
            "files": files,
            "secret_key": (
                sha256(partial / SECRET_KEY_FILE) if (partial / SECRET_KEY_FILE).exists() else None
            ),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Summary(
        tables=len(tables),
        rows=sum(tables.values()),
        files=len(files),
        bytes=sum(entry["size"] for entry in files.values()),
    )


# --- Restore --------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, after checking every file of the backup against it."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST}.") from None
    except ValueError as error:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a backup in an unknown format.")
    damaged = []
    database = source / manifest["database"]["file"]
    if not database.is_file() or sha256(database) != manifest["database"]["sha256"]:
        damaged.append(manifest["database"]["file"])
    for relative, entry in manifest["files"].items():
        path = source / MEDIA / relative
        if not path.is_file() or sha256(path) != entry["sha256"]:
            damaged.append(f"{MEDIA}/{relative}")
    if manifest.get("secret_key"):
        path = source / SECRET_KEY_FILE
        if not path.is_file() or sha256(path) != manifest["secret_key"]:
            damaged.append(SECRET_KEY_FILE)
    if damaged:
        shown = ", ".join(damaged[:5]) + (" …" if len(damaged) > 5 else "")
        raise BackupError(f"The backup is damaged: {shown} do(es) not match the manifest.")
    return manifest


def _tables(cursor: Any) -> list[str]:
    """The database's tables, without SQLite's own (sqlite_stat1 after an ANALYZE)."""
    names = connection.introspection.table_names(cursor)
    return [name for name in names if not name.startswith("sqlite_")]


def current_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_rows(cursor, _tables(cursor))


def installation_contents() -> list[str]:
    """What this installation holds beyond a fresh one (empty list: nothing)."""
    # A fresh clone has no SQLite file (nor var/ to hold it) before its first ./run:
    # opening one would fail, or create an empty file where the backup is to go.
    fresh = _vendor() == "sqlite" and not _sqlite_path().exists()
    held = [
        f"{table}: {count} rows"
        for table, count in ({} if fresh else current_rows()).items()
        if count and table not in MIGRATION_TABLES
    ]
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        uploaded = sum(1 for path in media.rglob("*") if path.is_file())
        if uploaded:
            held.append(f"{media}: {uploaded} files")
    return held


def _restore_sqlite(source: Path) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    backup = sqlite3.connect(source)
    live = sqlite3.connect(target, timeout=60)
    try:
        # The destination is written in one transaction: all of the backup or nothing.
        backup.backup(live)
    finally:
        live.close()
        backup.close()


def _restore_postgresql(source: Path) -> None:
    args, env = _pg_args_env()
    connections.close_all()
    _run(
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        ],
        env,
    )


def restore_backup(source: Path, *, replace: bool = False) -> Summary:
    source = Path(source)
    manifest = read_manifest(source)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"The backup is of a {manifest['database']['vendor']} database; "
            f"this installation uses {vendor}."
        )
    held = installation_contents()
    if held and not replace:
        raise BackupError(
            "This installation is not empty ("
            + "; ".join(held[:5])
            + (" …" if len(held) > 5 else "")
            + "). Restore onto an empty installation, or pass --replace to overwrite it."
        )
    database = source / manifest["database"]["file"]
    if vendor == "sqlite":
        _restore_sqlite(database)
    else:
        _restore_postgresql(database)

    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for path in media.iterdir():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    media.mkdir(parents=True, exist_ok=True)
    if (source / MEDIA).is_dir():
        shutil.copytree(source / MEDIA, media, dirs_exist_ok=True)

    notes = []
    if manifest.get("secret_key"):
        secret = Path(settings.VAR_DIR) / SECRET_KEY_FILE
        if not secret.exists():
            secret.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / SECRET_KEY_FILE, secret)
            secret.chmod(0o600)
            notes.append(f"The backup's secret key is in {secret}.")
        elif sha256(secret) != manifest["secret_key"]:
            notes.append(
                f"{secret} differs from the backup's key (kept in {source / SECRET_KEY_FILE}): "
                "sessions and links signed before the backup only work with that key."
            )

    # ./run loads the demo division into a new installation only; this one is not new.
    seeded = Path(settings.VAR_DIR) / "demo-seeded"
    if not seeded.exists():
        seeded.parent.mkdir(parents=True, exist_ok=True)
        seeded.touch()

    problems = verify(manifest)
    if problems:
        raise BackupError("The restore does not match the manifest: " + "; ".join(problems))
    tables = manifest["tables"]
    return Summary(
        tables=len(tables),
        rows=sum(tables.values()),
        files=len(manifest["files"]),
        bytes=sum(entry["size"] for entry in manifest["files"].values()),
        notes=notes,
    )


def verify(manifest: dict[str, Any]) -> list[str]:
    """How this installation differs from the manifest (empty list: not at all)."""
    problems = []
    rows = current_rows()
    for table, count in manifest["tables"].items():
        if rows.get(table) != count:
            problems.append(f"{table} has {rows.get(table)} rows, the backup {count}")
    media = Path(settings.MEDIA_ROOT)
    for relative, entry in manifest["files"].items():
        path = media / relative
        if not path.is_file() or sha256(path) != entry["sha256"]:
            problems.append(f"{relative} differs from the backup")
    return problems
