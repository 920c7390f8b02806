"""`make backup` / `make restore`: the embedded portal's state saved and brought back without loss.

A backup is a folder ``var/backups/<UTC time>/`` holding a ``pg_dump`` (custom format, with
``--create`` so the database's own grants come back) of the CKAN database, the DataStore database
and, for the demo, Airflow's database; a tar of CKAN's file store (uploads); and ``manifest.json``:
the counts and checksums a restore is verified against (datasets by state, every resource with the
SHA-256 of its uploaded file, every DataStore table with its row count).

A restore replaces the databases and the file store with the backup's, after moving the current
file store aside, and then compares the restored state with the manifest: any difference is an
error. It refuses while the portal is running (``make stop`` first).

Usage (CKAN's Python; ``scripts/backup.sh`` runs it)::

    backup.py backup  [--ini var/ckan.ini] [--to DIR]
    backup.py restore [--ini var/ckan.ini] [--from DIR]     (default: the newest backup)
"""

from __future__ import annotations

import argparse
import configparser
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
BACKUPS = ROOT / "var" / "backups"
AIRFLOW_PORT = int(os.environ.get("AIRFLOW_PORT", "8080"))


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


@dataclass
class Portal:
    ini: Path
    ckan_url: str
    datastore_url: str
    storage: Path
    port: int
    airflow_database: str | None  # only the demo's Airflow keeps its state in PostgreSQL here

    @property
    def databases(self) -> list[str]:
        names = [_database(self.ckan_url), _database(self.datastore_url)]
        return names + ([self.airflow_database] if self.airflow_database else [])


def _database(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def load_portal(ini: Path) -> Portal:
    parser = configparser.RawConfigParser(strict=False)
    if not parser.read(ini):
        raise BackupError(f"{ini} does not exist: run `make demo` once (or name another --ini).")
    app = parser["app:main"]
    airflow = "airflow" if ini.resolve() == (ROOT / "var" / "ckan.ini").resolve() else None
    return Portal(
        ini=ini,
        ckan_url=app["sqlalchemy.url"],
        datastore_url=app["ckan.datastore.write_url"],
        storage=Path(app["ckan.storage_path"]),
        port=urllib.parse.urlsplit(app["ckan.site_url"]).port or 80,
        airflow_database=airflow,
    )


def manifest(portal: Portal) -> dict[str, Any]:
    """What must be identical after a restore."""
    with psycopg2.connect(portal.ckan_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT type, state, private, count(*) FROM package GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        datasets = {f"{kind}/{state}/{'private' if private else 'public'}": n for kind, state, private, n in cursor}
        cursor.execute("SELECT id, url_type, url FROM resource WHERE state = 'active' ORDER BY id")
        resources = {rid: _upload_checksum(portal, rid) if kind == "upload" else url for rid, kind, url in cursor}
    with psycopg2.connect(portal.datastore_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall() if not name.startswith("_")]
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            rows[table] = cursor.fetchone()[0]
    return {"datasets": datasets, "resources": resources, "datastore_rows": rows}


def _upload_checksum(portal: Portal, resource_id: str) -> str:
    path = portal.storage / "resources" / resource_id[:3] / resource_id[3:6] / resource_id[6:]
    if not path.is_file():
        return "missing upload"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def _as_postgres(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """A PostgreSQL client run as the database superuser (peer authentication, as scripts/lib.sh)."""
    switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    host = os.environ.get("PGHOST", "")
    socket_dir = ["env", "PGHOST=/var/run/postgresql"] if host in ("", "127.0.0.1", "localhost", "::1") else []
    result = subprocess.run(switch + socket_dir + command, capture_output="stdout" not in kwargs, **kwargs)
    if result.returncode != 0:
        message = (result.stderr or b"").decode(errors="replace").strip()
        raise BackupError(f"{' '.join(command)} failed: {message}")
    return result


def backup(portal: Portal, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=False)
    state = manifest(portal)
    for database in portal.databases:
        with (target / f"{database}.dump").open("wb") as dump:
            _as_postgres(["pg_dump", "--format=custom", "--create", database], stdout=dump, stderr=subprocess.PIPE)
    with tarfile.open(target / "storage.tar.gz", "w:gz") as archive:
        if portal.storage.exists():
            archive.add(portal.storage, arcname="storage")
    if manifest(portal) != state:  # a harvest or an editor changed the portal while it was saved
        shutil.rmtree(target)
        raise BackupError("The portal changed during the backup; run it again when no harvest is running.")
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    document = {"created": created, "ini": str(portal.ini), "databases": portal.databases, **state}
    (target / "manifest.json").write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


def restore(portal: Portal, source: Path) -> dict[str, Any]:
    saved = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    for port in [portal.port] + ([AIRFLOW_PORT] if portal.airflow_database else []):
        if _port_in_use(port):
            raise BackupError(f"The portal still answers on port {port}: stop it first (make stop).")
    missing = [name for name in saved["databases"] if not (source / f"{name}.dump").is_file()]
    if missing or not (source / "storage.tar.gz").is_file():
        raise BackupError(
            f"{source} is incomplete (missing: {', '.join(missing) or 'storage.tar.gz'}); nothing was changed."
        )
    # The file store is unpacked first: an unreadable archive stops the restore before anything changes.
    unpacked = portal.storage.with_name(portal.storage.name + ".restoring")
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(source / "storage.tar.gz") as archive:
        archive.extractall(unpacked, filter="data")
    (unpacked / "storage").mkdir(parents=True, exist_ok=True)  # a portal without uploads yet
    for database in saved["databases"]:
        drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        _as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", drop])
        with (source / f"{database}.dump").open("rb") as dump:
            _as_postgres(["pg_restore", "--create", "--exit-on-error", "--dbname=postgres"], stdin=dump)
    if portal.storage.exists():
        aside = portal.storage.with_name(f"{portal.storage.name}.before-restore-{dt.datetime.now():%Y%m%dT%H%M%S}")
        portal.storage.rename(aside)
        print(f"The file store before the restore was moved to {aside}")
    (unpacked / "storage").rename(portal.storage)
    unpacked.rmdir()
    restored = manifest(portal)
    differences = {key: (saved[key], restored[key]) for key in restored if saved[key] != restored[key]}
    if differences:
        raise BackupError(f"The restored state differs from the backup's manifest: {sorted(differences)}")
    return restored


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def newest_backup() -> Path:
    found = sorted(path for path in BACKUPS.glob("*") if (path / "manifest.json").is_file())
    if not found:
        raise BackupError(f"No backup in {BACKUPS}: make backup writes one.")
    return found[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["backup", "restore"])
    parser.add_argument("--ini", type=Path, default=ROOT / "var" / "ckan.ini")
    parser.add_argument("--to", type=Path, help="backup folder to write (default var/backups/<UTC time>)")
    parser.add_argument("--from", dest="source", type=Path, help="backup folder to restore (default: the newest)")
    args = parser.parse_args(argv)
    try:
        portal = load_portal(args.ini)
        if args.command == "backup":
            target = args.to or BACKUPS / dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            done = backup(portal, target)
            state = json.loads((done / "manifest.json").read_text(encoding="utf-8"))
            print(f"Backup in {done}: {sum(state['datasets'].values())} datasets, {len(state['resources'])} "
                  f"resources, {len(state['datastore_rows'])} DataStore tables")  # fmt: skip
        else:
            source = args.source or newest_backup()
            state = restore(portal, source)
            print(f"Restored {source}: {sum(state['datasets'].values())} datasets, {len(state['resources'])} "
                  "resources and every DataStore table as in its manifest")  # fmt: skip
    except BackupError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
