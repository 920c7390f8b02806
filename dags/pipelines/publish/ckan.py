"""Creates or updates a dataset, its distributions and its DataStore table, changing only what changed.

* Metadata: only the keys the source configuration manages are compared and patched.
* Files: a distribution is uploaded only when its SHA-256 differs from the ``hash`` of the
  published resource, so an unchanged source uploads nothing.
* DataStore: rows are upserted by the source's key and rows whose key vanished are deleted
  afterwards, so readers never see an empty or half-filled table; a table that is missing (e.g.
  after a crash between upload and load) is loaded on the next run.
* Column types: ``datastore_create`` adds new columns but silently keeps the type of an existing
  one, and the Action API can neither alter nor rename a column. A table whose column types differ
  from the wanted ones (e.g. ``timestamp`` from before timestamps carried their zone) is rebuilt:
  a harvested table is dropped and loaded again from the source's records; a table whose rows exist
  nowhere else (harvest log, occupancy history) is first copied row by row into a backup file,
  then dropped, created with the new types and filled from the backup, which is deleted last. A
  run that stops half-way finds the backup and finishes the job, so no row is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckanapi

from pipelines.config import Field
from pipelines.parking.archive import ARCHIVE
from pipelines.transform import datapackage
from pipelines.transform.files import Output

DATASTORE_TYPES = {
    "string": "text",
    "integer": "int8",
    "number": "float8",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamptz",  # returned by the API with its offset
}
LOG_KEY = "harvest-log"
LOG_DESCRIPTION = "Protokoll der automatischen Übernahmen aus dem Fachverfahren (eine Zeile je Lauf)."
# Rows of tables being rebuilt with new column types (one JSON-lines file per resource), beside the
# occupancy archive: a folder every worker sees and that outlives the run.
BACKUPS = ARCHIVE / "datastore-rebuilds"
PAGE = 10_000  # rows per request when a table is copied out and back


@dataclass
class PublishSummary:
    dataset: str
    dataset_action: str = "unchanged"  # created | updated | unchanged
    resources: dict[str, str] = field(default_factory=dict)  # key -> created | updated | unchanged
    rows_upserted: int = 0
    rows_deleted: int = 0

    @property
    def changed(self) -> bool:
        return self.dataset_action != "unchanged" or any(v != "unchanged" for v in self.resources.values())


def connect(url: str, token: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(url, apikey=token, user_agent="Chemnitz-Open-Data-Pipelines/1.0")


def ensure_dataset(ckan: ckanapi.RemoteCKAN, desired: dict[str, Any], summary: PublishSummary) -> dict[str, Any]:
    """Create the dataset or patch the keys of ``desired`` that differ."""
    try:
        current = ckan.action.package_show(id=desired["name"])
    except ckanapi.NotFound:
        summary.dataset_action = "created"
        return ckan.action.package_create(**desired)
    changed = {key: value for key, value in desired.items() if not _same(key, current, value)}
    if not changed:
        return current
    summary.dataset_action = "updated"
    return ckan.action.package_patch(id=current["id"], **changed)


def _same(key: str, dataset: dict[str, Any], wanted: Any) -> bool:
    """Whether the dataset's ``key`` already has the wanted value (as CKAN returns it)."""
    current = dataset.get(key)
    if key == "owner_org":  # given as the organization's name, returned as its id
        return wanted in (current, (dataset.get("organization") or {}).get("name"))
    if key == "tags":
        return sorted(t["name"] for t in current or []) == sorted(t["name"] for t in wanted or [])
    if key == "extras":
        return {e["key"]: e["value"] for e in current or []} == {e["key"]: e["value"] for e in wanted or []}
    return _normal(current) == _normal(wanted)


def _normal(value: Any) -> Any:
    """Empty values (and empty sub-fields of repeating fields) compare equal to missing ones.

    Lists of plain values (themes, languages …) are sets: ckanext-scheming stores multiple-choice
    values in the order of the field's choices, not in the order they were sent.
    """
    if isinstance(value, dict):
        value = {k: _normal(v) for k, v in value.items() if _normal(v) is not None}
    elif isinstance(value, list):
        value = [_normal(v) for v in value]
        if all(isinstance(v, str) for v in value):
            value = sorted(value)
    return value if value not in ("", None, [], {}) else None


def ensure_resource(
    ckan: ckanapi.RemoteCKAN, dataset: dict[str, Any], output: Output, summary: PublishSummary
) -> dict[str, Any]:
    """Upload ``output`` unless the published resource already has its checksum."""
    existing = next((r for r in dataset.get("resources", []) if r.get("harvest_key") == output.key), None)
    if existing and existing.get("hash") == output.sha256:
        # the same file: only its name or description may have changed (no new upload then)
        texts = {"name": output.name, "description": output.description}
        stale = {key: text for key, text in texts.items() if existing.get(key) != text}
        if not stale:
            summary.resources[output.key] = "unchanged"
            return existing
        summary.resources[output.key] = "updated"
        return ckan.action.resource_patch(id=existing["id"], **stale)
    fields = {
        "name": output.name,
        "description": output.description,
        "format": output.format,
        "mimetype": output.mimetype,
        "hash": output.sha256,
        "size": output.size,
        "harvest_key": output.key,
    }
    with output.path.open("rb") as upload:
        if existing:
            summary.resources[output.key] = "updated"
            return ckan.action.resource_patch(id=existing["id"], upload=upload, **fields)
        summary.resources[output.key] = "created"
        return ckan.action.resource_create(package_id=dataset["id"], upload=upload, **fields)


def load_datastore(
    ckan: ckanapi.RemoteCKAN,
    resource: dict[str, Any],
    columns: Sequence[dict[str, Any]],
    key: str,
    records: list[dict[str, Any]],
    summary: PublishSummary,
) -> None:
    """Bring the resource's DataStore table to exactly ``records`` (typed columns, primary key).

    The portal's ``chemnitz_datastore_load`` replaces the rows in one transaction (COPY, then a
    merge on the key), so a crash leaves the previous version and a rerun repairs it.
    """
    table = _table(ckan, resource["id"])
    if table and _retyped(table[1], columns):  # the load below refills it from the records
        ckan.action.datastore_delete(resource_id=resource["id"], force=True)
    elif table and summary.resources.get("csv") == "unchanged" and table[0] == len(records):
        return
    ckan.action.datastore_create(resource_id=resource["id"], fields=list(columns), primary_key=[key], force=True)
    loaded = ckan.action.chemnitz_datastore_load(resource_id=resource["id"], records=records)
    summary.rows_upserted = loaded["inserted"] + loaded["updated"]
    summary.rows_deleted = loaded["deleted"]


def datastore_columns(fields: Iterable[Field], extra_numbers: Iterable[str] = ()) -> list[dict[str, Any]]:
    """DataStore column definitions with German label and description in the data dictionary
    (the same as the Data Package's, coordinates included)."""
    return [
        {"id": c.name, "type": DATASTORE_TYPES[c.type], "info": {"label": c.title, "notes": c.description}}
        for c in datapackage.columns(fields, extra_numbers)
    ]


def row_count(ckan: ckanapi.RemoteCKAN, resource_id: str) -> int | None:
    """Rows of a DataStore table, None when the resource has no table."""
    table = _table(ckan, resource_id)
    return table[0] if table else None


def _table(ckan: ckanapi.RemoteCKAN, resource_id: str) -> tuple[int, dict[str, str]] | None:
    """Rows and column types (``{"name": "timestamptz", …}``) of a DataStore table, None without one."""
    try:
        answer = ckan.action.datastore_search(resource_id=resource_id, limit=0)
    except (ckanapi.NotFound, ckanapi.ValidationError):
        return None
    return int(answer["total"]), {f["id"]: f["type"] for f in answer["fields"] if f["id"] != "_id"}


def _retyped(types: dict[str, str], fields: Iterable[dict[str, Any]]) -> bool:
    """Whether a column of the table has another type than ``fields`` wants."""
    return any(types.get(f["id"], f["type"]) != f["type"] for f in fields)


def keep_types(
    ckan: ckanapi.RemoteCKAN, resource_id: str, fields: list[dict[str, Any]], primary_key: list[str]
) -> None:
    """Make the resource's table have ``fields`` with their types, keeping every row.

    Creates a missing table; rebuilds one with other column types through a backup file (see the
    module's docstring), and finishes a rebuild that a crash interrupted.
    """
    backup = BACKUPS / f"{resource_id}.jsonl"
    table = _table(ckan, resource_id)
    if table and _retyped(table[1], fields):
        _back_up(ckan, resource_id, table[1], fields, backup)
        ckan.action.datastore_delete(resource_id=resource_id, force=True)
        table = None
    if backup.exists():
        _restore(ckan, resource_id, fields, primary_key, backup, table is None)
    elif table is None:
        ckan.action.datastore_create(resource_id=resource_id, fields=fields, primary_key=primary_key, force=True)


def _back_up(
    ckan: ckanapi.RemoteCKAN, resource_id: str, types: dict[str, str], fields: list[dict[str, Any]], backup: Path
) -> None:
    """Every row of the table into ``backup`` (written aside, then renamed: complete or absent).

    Read with ``datastore_search_sql`` in ``_id`` order, which returns timestamps with all their
    digits (``datastore_search`` cuts them to seconds); values of a ``timestamp`` column becoming
    ``timestamptz`` get the offset of UTC, the zone the pipelines always stored.
    """
    zoned = [f["id"] for f in fields if f["type"] == "timestamptz" and types.get(f["id"]) == "timestamp"]
    names = ", ".join(_identifier(name) for name in types)
    backup.parent.mkdir(parents=True, exist_ok=True)
    partial = backup.with_name(f".{backup.name}.part")
    last = 0
    with partial.open("w", encoding="utf-8") as out:
        while True:
            sql = f"SELECT _id, {names} FROM {_identifier(resource_id)} WHERE _id > {last} ORDER BY _id LIMIT {PAGE}"
            rows = ckan.action.datastore_search_sql(sql=sql)["records"]
            for row in rows:
                last = int(row.pop("_id"))
                row.update({name: f"{row[name]}+00:00" for name in zoned if row.get(name)})
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            if len(rows) < PAGE:
                break
    os.replace(partial, backup)


def _restore(
    ckan: ckanapi.RemoteCKAN,
    resource_id: str,
    fields: list[dict[str, Any]],
    primary_key: list[str],
    backup: Path,
    missing: bool,
) -> None:
    """The backup's rows into the table, created with ``fields`` when ``missing``; then the backup goes.

    A missing table is created together with the first ``PAGE`` rows, in one transaction (a small
    table is never seen half-filled); the rest, and everything when a crash left the table half
    restored, is upserted by the key, so rows already back are not doubled.
    """
    pages = _pages(backup)
    first = next(pages, []) if missing else []
    ckan.action.datastore_create(
        resource_id=resource_id, fields=fields, primary_key=primary_key, records=first, force=True
    )
    for rows in pages:
        ckan.action.datastore_upsert(resource_id=resource_id, records=rows, method="upsert", force=True)
    backup.unlink()


def _pages(backup: Path) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    with backup.open(encoding="utf-8") as rows:
        for line in rows:
            page.append(json.loads(line))
            if len(page) == PAGE:
                yield page
                page = []
    if page:
        yield page


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


LOG_FIELDS = [
    {"id": "run_at", "type": "timestamptz", "info": {"label": "Zeitpunkt"}},
    {"id": "run_id", "type": "text", "info": {"label": "Lauf"}},
    {"id": "source_url", "type": "text", "info": {"label": "Quelle"}},
    {"id": "status", "type": "text", "info": {"label": "Ergebnis"}},
    {"id": "fetched", "type": "int4", "info": {"label": "abgerufen"}},
    {"id": "rejected", "type": "int4", "info": {"label": "abgelehnt"}},
    {"id": "changes", "type": "text", "info": {"label": "Änderungen"}},
    {"id": "fingerprint", "type": "text", "info": {"label": "Prüfsumme von Quelldaten und Konfiguration"}},
    {"id": "source_version", "type": "text", "info": {"label": "Datenstand laut Quelle (ETag, lastEditDate)"}},
]


def record_run(ckan: ckanapi.RemoteCKAN, dataset: dict[str, Any], run: dict[str, Any]) -> None:
    """Append the run summary to the dataset's harvest log (a DataStore-only resource).

    Adding a row changes neither the dataset's metadata nor its files, so an unchanged source
    still leaves the dataset untouched while the log shows the successful run.
    """
    resource_id = datastore_table(
        ckan, dataset, LOG_KEY, "Ernteprotokoll", LOG_FIELDS, ["run_id"],
        description=LOG_DESCRIPTION, resource_type=LOG_KEY,
    )  # fmt: skip
    row = dict(run, run_at=run.get("run_at") or dt.datetime.now(dt.timezone.utc).isoformat())
    try:
        ckan.action.datastore_upsert(resource_id=resource_id, records=[row], method="upsert", force=True)
    except ckanapi.ValidationError:  # a log written before a column was added: add it, then append
        ckan.action.datastore_create(resource_id=resource_id, fields=LOG_FIELDS, force=True)
        ckan.action.datastore_upsert(resource_id=resource_id, records=[row], method="upsert", force=True)


def datastore_table(
    ckan: ckanapi.RemoteCKAN,
    dataset: dict[str, Any],
    key: str,
    name: str,
    fields: list[dict[str, Any]],
    primary_key: list[str],
    **resource: str,
) -> str:
    """Id of the dataset's DataStore-only resource ``key`` (``harvest_key``), created with its table
    if missing; a resource whose table was dropped gets an empty table again, one with other column
    types is rebuilt with its rows (``keep_types``)."""
    existing = _keyed_resource(dataset, key)
    if existing:
        keep_types(ckan, existing["id"], fields, primary_key)
        return str(existing["id"])
    created = ckan.action.datastore_create(
        resource={"package_id": dataset["id"], "name": name, "harvest_key": key, "format": "CSV", **resource},
        fields=fields,
        primary_key=primary_key,
    )
    return str(created["resource_id"])


def last_run(ckan: ckanapi.RemoteCKAN, dataset_name: str) -> dict[str, Any] | None:
    """The newest row of the dataset's harvest log (the last successful run) with the number of
    rows its table holds now (``published_rows``); None before the first harvest."""
    try:
        dataset = ckan.action.package_show(id=dataset_name)
    except ckanapi.NotFound:
        return None
    log = _keyed_resource(dataset, LOG_KEY)
    if log is None:
        return None
    try:
        rows = ckan.action.datastore_search(resource_id=log["id"], sort="run_at desc", limit=1)["records"]
    except (ckanapi.NotFound, ckanapi.ValidationError):
        return None
    if not rows:
        return None
    table = _keyed_resource(dataset, "csv")
    return dict(rows[0], published_rows=row_count(ckan, table["id"]) if table else None)


def _keyed_resource(dataset: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((r for r in dataset.get("resources", []) if r.get("harvest_key") == key), None)
