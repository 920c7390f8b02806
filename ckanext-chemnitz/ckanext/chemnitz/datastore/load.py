"""Replace the rows of a DataStore table in one transaction, with PostgreSQL ``COPY``.

``datastore_upsert`` sends one UPDATE and one INSERT per record; a harvest of 10,000 features
then takes seconds, and a crash half-way leaves a table that is neither the old nor the new
version. Here the records go into a temporary table with ``COPY`` (an idea of ckanext-xloader),
and three set-based statements bring the published table to them: keys that vanished from the
source are deleted, rows whose values changed are updated, new keys are inserted; unchanged rows
are not touched. All in one transaction, so readers see either the old or the new version.

``_full_text`` (what ``datastore_search?q=`` searches) is computed in those statements with the
expression of CKAN's ``populate_full_text_trigger``, for the written rows only; the trigger
leaves a row alone whose ``_full_text`` is set. An updated row gets its new text too (CKAN's own
upsert sets it to NULL for the trigger to refill).
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
# Characters COPY's text format escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


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
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None, "a connection in use has its DBAPI connection"
    cursor = dbapi_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {_STAGING} ({column_list}) FROM STDIN", _copy_text(records, list(columns)))
    except (pg_errors.DataError, pg_errors.IntegrityError) as error:
        raise LoadError("records", _first_line(error)) from None

    keys = ", ".join(quoted[name] for name in key)
    missing = " OR ".join(f"{quoted[name]} IS NULL" for name in key)
    without_key = connection.execute(sa.text(f"SELECT count(*) FROM {_STAGING} WHERE {missing}")).scalar_one()
    if without_key:
        raise LoadError("records", f"{without_key} of the records have no value for the key {', '.join(key)}")
    duplicated = (
        connection.execute(
            sa.text(
                f"SELECT concat_ws(', ', {keys}) FROM {_STAGING} "
                f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY {keys} LIMIT 5"
            )
        )
        .scalars()
        .all()
    )
    if duplicated:
        raise LoadError("records", f"the key {', '.join(key)} is not unique: {'; '.join(duplicated)}")

    # Deleted first (less for the indexes to do), then changed rows, then new ones; the full text
    # is computed only for rows that are written.
    match = " AND ".join(f"s.{quoted[name]} = t.{quoted[name]}" for name in key)
    deleted = connection.execute(
        sa.text(f"DELETE FROM {target} t WHERE NOT EXISTS (SELECT 1 FROM {_STAGING} s WHERE {match})")
    ).rowcount
    others = [quoted[name] for name in columns if name not in key]
    updated = 0
    if others:
        current = ", ".join(f"t.{name}" for name in others)
        staged = ", ".join(f"s.{name}" for name in others)
        updated = connection.execute(
            sa.text(
                f"UPDATE {target} t SET ({', '.join(others)}, _full_text) = ROW({staged}, {_full_text('s')}) "
                f"FROM {_STAGING} s WHERE {match} AND ROW({current}) IS DISTINCT FROM ROW({staged})"
            )
        ).rowcount
    try:
        inserted = connection.execute(
            sa.text(
                f"INSERT INTO {target} ({column_list}, _full_text) SELECT {column_list}, {_full_text('s')} "
                f"FROM {_STAGING} s WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})"
            )
        ).rowcount
    except sa.exc.IntegrityError as error:  # a concurrent writer added one of the new keys first
        message = f"written at the same time by someone else, load again: {_first_line(error.orig or error)}"
        raise LoadError("records", message) from None
    return LoadResult(inserted, updated, deleted, len(records) - inserted - updated)


def _full_text(staged: str) -> str:
    """CKAN's ``populate_full_text_trigger`` (ckanext/datastore/set_permissions.sql) for a staged row.

    The staging table has the table's own columns in the table's order, so the text is the one
    the trigger would index; ``_id`` and ``_full_text``, which the trigger leaves out, are not there.
    """
    return f"(SELECT to_tsvector(string_agg(value, ' ')) FROM json_each_text(row_to_json({staged})))"


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
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_COPY_ESCAPES)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0]
