"""Creates the search index's schema in the CKAN database, once per process and idempotently."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import ckan.model as model
import sqlalchemy as sa

log = logging.getLogger(__name__)

# Bump when schema.sql changes incompatibly: the index is then dropped and must be rebuilt.
SCHEMA_VERSION = 2
TEXT_CONFIG = "chemnitz_search.german"
TABLE = "chemnitz_search.package_index"
TEXT_TABLE = "chemnitz_search.package_text"
TERM_TABLE = "chemnitz_search.package_term"
DOCUMENT_TABLE = "chemnitz_search.package_document"
GENERATION_TABLE = "chemnitz_search.generation"

_LOCK_KEY = 0x43484D53  # pg_advisory_xact_lock key shared by all CKAN processes ("CHMS")
_ready = False
_guard = threading.Lock()


def ensure_schema() -> None:
    """Create schema, text search configuration, table and functions if they are missing."""
    global _ready
    if _ready:
        return
    with _guard:
        if _ready:
            return
        with model.meta.engine.begin() as connection:
            _create(connection)
        _ready = True


def forget() -> None:
    """Make the next ``ensure_schema`` check the database again (after it was dropped)."""
    global _ready
    _ready = False


def _create(connection: sa.Connection) -> None:
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    unaccent_schema = connection.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    ).scalar_one()
    existing = _installed_version(connection)
    if existing is not None and existing != SCHEMA_VERSION:
        log.warning(
            "Search index schema %s is outdated (now %s): dropping it; run `ckan search-index rebuild`.",
            existing,
            SCHEMA_VERSION,
        )
        connection.execute(sa.text("DROP SCHEMA chemnitz_search CASCADE"))
    script = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")
    dictionary = f'"{unaccent_schema}".unaccent'
    connection.exec_driver_sql(script.replace("{unaccent}", dictionary))
    connection.execute(sa.text("DELETE FROM chemnitz_search.schema_version"))
    connection.execute(sa.text("INSERT INTO chemnitz_search.schema_version VALUES (:v)"), {"v": SCHEMA_VERSION})


def _installed_version(connection: sa.Connection) -> int | None:
    exists = connection.execute(
        sa.text("SELECT to_regclass('chemnitz_search.schema_version') IS NOT NULL")
    ).scalar_one()
    if not exists:
        return None
    return connection.execute(sa.text("SELECT max(version) FROM chemnitz_search.schema_version")).scalar()
