"""Replace the rows of a DataStore table in one transaction, with PostgreSQL ``COPY``.

``datastore_upsert`` sends one UPDATE and one INSERT per record; a harvest of 10,000 features
then takes seconds, and a crash half-way leaves a table that is neither the old nor the new
version. Here the records go into a temporary table with ``COPY``, and a single statement merges
them into the published table (inserting new keys, updating only rows whose values changed),
followed by the deletion of keys that vanished from the source — all in one transaction, so
readers see either the old or the new version. Ideas from ckanext-xloader (COPY) and
PostgreSQL's ``INSERT … ON CONFLICT``.

``_full_text`` (what ``datastore_search?q=`` searches) is computed in the merge with the
expression of CKAN's ``populate_full_text_trigger``, once for all rows instead of one trigger
call per row; the trigger leaves a row alone whose ``_full_text`` is set. An updated row gets its
new text too (CKAN's own upsert sets it to NULL for the trigger to refill).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from psycopg2 import errors as pg_errors

# Columns CKAN's DataStore manages itself.
_INTERNAL = ("_id", "_full_text")
_STAGING = "chemnitz_datastore_load"
# CKAN's populate_full_text_trigger (ckanext/datastore/set_permissions.sql) for a staged row, whose
# columns are the table's own in the table's order; the table's _id and _full_text are left out there.
_FULL_TEXT = (
    "(SELECT to_tsvector(string_agg(value, ' ')) FROM json_each_text(row_to_json(staged)) WHERE key NOT LIKE '\\_%')"
)


class LoadError(ValueError):
    """Records that cannot be loaded; ``field`` names what is wrong (``records``, ``resource_id``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LoadResult:
    inserted: int
    updated: int
    deleted: int
    unchanged: int


def replace_rows(connection: sa.Connection, table: str, records: Sequence[dict[str, Any]]) -> LoadResult:
    """Make ``table`` hold exactly ``records`` (matched on its unique key). Runs in the caller's transaction."""
    columns = _columns(connection, table)
    if not columns:
        raise LoadError("resource_id", f"{table}: no DataStore table; create it with datastore_create first")
    key = _unique_key(connection, table)
    if not key:
        raise LoadError("resource_id", f"{table}: the table has no primary key (datastore_create primary_key)")
    unknown = sorted({name for record in records for name in record} - set(columns))
    if unknown:
        raise LoadError("records", f"columns not in the table: {', '.join(unknown)}")

    quoted = {name: _identifier(name) for name in columns}
    column_list = ", ".join(quoted.values())
    target = _identifier(table)
    connection.execute(
        sa.text(f"CREATE TEMP TABLE {_STAGING} ON COMMIT DROP AS SELECT {column_list} FROM {target} WITH NO DATA")
    )
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {_STAGING} ({column_list}) FROM STDIN", _copy_text(records, list(columns)))
    except (pg_errors.DataError, pg_errors.IntegrityError) as error:
        raise LoadError("records", _first_line(error)) from None

    keys = ", ".join(quoted[name] for name in key)
    others = [quoted[name] for name in columns if name not in key]
    if others:
        targets = ", ".join([*others, "_full_text"])
        excluded = ", ".join(f"EXCLUDED.{name}" for name in [*others, "_full_text"])
        changed = ", ".join(f"EXCLUDED.{name}" for name in others)
        current = ", ".join(f"{target}.{name}" for name in others)
        on_conflict = (
            f"DO UPDATE SET ({targets}) = ROW({excluded}) WHERE ROW({current}) IS DISTINCT FROM ROW({changed})"
        )
    else:
        on_conflict = "DO NOTHING"
    try:
        inserted, updated = connection.execute(
            sa.text(
                f"WITH merged AS (INSERT INTO {target} ({column_list}, _full_text) "
                f"SELECT {column_list}, {_FULL_TEXT} FROM {_STAGING} staged "
                f"ON CONFLICT ({keys}) {on_conflict} RETURNING (xmax = 0) AS inserted) "
                "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged"
            )
        ).one()
    except sa.exc.ProgrammingError as error:  # e.g. the same key twice in the records
        raise LoadError("records", _first_line(error.orig)) from None
    match = " AND ".join(f"s.{quoted[name]} = t.{quoted[name]}" for name in key)
    deleted = connection.execute(
        sa.text(f"DELETE FROM {target} t WHERE NOT EXISTS (SELECT 1 FROM {_STAGING} s WHERE {match})")
    ).rowcount
    return LoadResult(inserted, updated, deleted, len(records) - inserted - updated)


def _columns(connection: sa.Connection, table: str) -> dict[str, str]:
    rows = connection.execute(
        sa.text(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :table ORDER BY ordinal_position"
        ),
        {"table": table},
    )
    return {name: kind for name, kind in rows if name not in _INTERNAL}


def _unique_key(connection: sa.Connection, table: str) -> list[str]:
    """The columns of the unique index ``datastore_create`` made from ``primary_key``."""
    rows = connection.execute(
        sa.text(
            "SELECT a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
            "WHERE t.relname = :table AND t.relkind = 'r' AND i.indisunique AND NOT i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)"
        ),
        {"table": table},
    )
    return [name for (name,) in rows]


def _copy_text(records: Iterable[dict[str, Any]], names: list[str]) -> io.StringIO:
    """The records in COPY's text format (tab-separated, ``\\N`` for NULL)."""
    buffer = io.StringIO()
    for record in records:
        buffer.write("\t".join(_copy_value(record.get(name)) for name in names))
        buffer.write("\n")
    buffer.seek(0)
    return buffer


def _copy_value(value: Any) -> str:
    if value is None or value == "":
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0]
