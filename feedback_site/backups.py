"""Backups of the PostgreSQL database and the uploaded files, and restoring them.

A backup is a folder: `database.dump` (pg_dump's custom format), `media/` (a copy of
MEDIA_ROOT) and `manifest.json` (rows per table and the SHA-256 of every file), so that a restore
can prove it brought everything back."""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections

DUMP = "database.dump"
MEDIA = "media"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    mismatches: list[str] = field(default_factory=list)


def _database_settings(name: str | None) -> dict:
    default = connections["default"]
    if default.vendor != "postgresql":
        raise BackupError(
            "Backups need PostgreSQL (set DATABASE_URL). For the SQLite file, stop the service "
            "and copy db.sqlite3 and the media folder."
        )
    return {**default.settings_dict, "NAME": name or default.settings_dict["NAME"]}


@contextmanager
def _connection(database: dict) -> Iterator:
    wrapper = connections["default"].__class__(database, alias="backups")
    try:
        yield wrapper
    finally:
        wrapper.close()


def _count_rows(wrapper, cursor) -> dict[str, int]:
    counts = {}
    for table in sorted(wrapper.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {wrapper.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def row_counts(database: dict) -> dict[str, int]:
    """Rows in each table of the database."""
    with _connection(database) as wrapper, wrapper.cursor() as cursor:
        return _count_rows(wrapper, cursor)


def file_hashes(root: Path) -> dict[str, str]:
    """The SHA-256 of each file under root, by its path relative to root."""
    hashes = {}
    for path in sorted(root.rglob("*") if root.exists() else []):
        if path.is_file():
            hashes[path.relative_to(root).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return hashes


def _run(program: str, database: dict, *arguments: str) -> None:
    """Run a PostgreSQL client program against the database; the password goes by environment."""
    command = [program, "--no-password", f"--dbname={database['NAME']}"]
    for option, key in [("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")]:
        if database.get(key):
            command.append(f"{option}={database[key]}")
    environment = {**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""}
    try:
        subprocess.run([*command, *arguments], env=environment, check=True, capture_output=True)
    except FileNotFoundError as error:
        raise BackupError(f"{program} is missing: apt-get install postgresql-client") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program} failed: {error.stderr.decode(errors='replace')}") from error


def backup_create(*, to: Path, database_name: str | None = None) -> dict:
    """Dump the database and copy the uploaded files into the folder `to`, which must not exist
    yet, with a manifest; returns the manifest."""
    database = _database_settings(database_name)
    to.mkdir(parents=True)
    with _connection(database) as wrapper, wrapper.cursor() as cursor:
        # The dump and the row counts read one snapshot, so writes during the backup cannot
        # make the manifest disagree with the dump.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            "pg_dump",
            database,
            "--format=custom",
            "--no-owner",
            f"--snapshot={snapshot}",
            f"--file={to / DUMP}",
        )
        tables = _count_rows(wrapper, cursor)
        cursor.execute("COMMIT")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.copytree(media_root, to / MEDIA)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": database["NAME"],
        "tables": tables,
        "files": file_hashes(to / MEDIA),
        "dump_sha256": hashlib.sha256((to / DUMP).read_bytes()).hexdigest(),
    }
    (to / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def backup_restore(
    *, source: Path, database_name: str | None = None, force: bool = False
) -> RestoreReport:
    """Restore a backup into an empty database (or, with force, over an existing one) and copy
    the files back into MEDIA_ROOT, then check rows and file hashes against the manifest."""
    database = _database_settings(database_name)
    manifest = json.loads((source / MANIFEST).read_text())
    if hashlib.sha256((source / DUMP).read_bytes()).hexdigest() != manifest["dump_sha256"]:
        raise BackupError(f"{source / DUMP} does not match its manifest: it is damaged")
    tables_before = row_counts(database)
    if tables_before and not force:
        raise BackupError(
            f"The database {database['NAME']} already has {len(tables_before)} tables. Restore "
            "into an empty database, or force it (make restore FORCE=1, or --force) to replace "
            "what is there."
        )
    clean = ["--clean", "--if-exists"] if tables_before else []
    _run(
        "pg_restore",
        database,
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        *clean,
        str(source / DUMP),
    )
    media_root = Path(settings.MEDIA_ROOT)
    if (source / MEDIA).exists():
        shutil.copytree(source / MEDIA, media_root, dirs_exist_ok=True)
    return restore_check(manifest, database=database, media_root=media_root)


def restore_check(manifest: dict, *, database: dict, media_root: Path) -> RestoreReport:
    """Compare the restored rows and files with the manifest; each difference is a mismatch."""
    counts = row_counts(database)
    hashes = file_hashes(media_root)
    mismatches = [
        f"table {table}: {counts.get(table)} rows, expected {rows}"
        for table, rows in manifest["tables"].items()
        if counts.get(table) != rows
    ] + [
        f"file {name}: missing or changed"
        for name, digest in manifest["files"].items()
        if hashes.get(name) != digest
    ]
    return RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]),
        mismatches=mismatches,
    )
