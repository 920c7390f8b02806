"""The search index of the PostgreSQL backend (schema ``chemnitz_search``), until now made on first use.

Revision ID: 0b0b0ec0e4a3
Revises: aecdd293be55
Create Date: 2026-12-03

Before this revision the backend ran ``search/schema.sql`` at its first request in every process and
dropped the schema when the number in ``chemnitz_search.schema_version`` changed. This revision makes
the same schema where it is missing and adopts it where it is there: an index of that file's last
layout (version 2) keeps its rows; an older layout is dropped first, as the backend did, and
``ckan search-index rebuild`` fills it again. ``ckan db clean`` and CKAN's test fixtures drop the
extension's version table but not this schema (as they leave a Solr core alone), so the revision runs
again over the index it made: it leaves that alone (later revisions of the index must do the same).

The statements are those of ``search/schema.sql`` as the backend ran them (moved here unchanged:
``0b0b0ec0e4a3_search_index.sql``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0b0b0ec0e4a3"
down_revision = "aecdd293be55"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# The layout of search/schema.sql this revision takes over without rebuilding.
ADOPTED_VERSION = 2

# search/schema.sql as the backend ran it, unchanged; its version table is dropped afterwards.
SCHEMA = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    connection = op.get_bind()
    version = _made_on_first_use(connection)
    if version is None and _exists(connection, "chemnitz_search.package_index"):
        return  # made by this revision before the version table was dropped
    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    unaccent_schema = connection.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    ).scalar_one()
    if version is not None and version != ADOPTED_VERSION:
        log.warning("Search index layout %s is outdated: dropped; run `ckan search-index rebuild`.", version)
        connection.execute(sa.text("DROP SCHEMA chemnitz_search CASCADE"))
    script = SCHEMA.read_text(encoding="utf-8")
    connection.exec_driver_sql(script.replace("{unaccent}", f'"{unaccent_schema}".unaccent'))
    connection.execute(sa.text("DROP TABLE IF EXISTS chemnitz_search.schema_version"))


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS chemnitz_search CASCADE")


def _made_on_first_use(connection: sa.Connection) -> int | None:
    """The layout number of an index the backend made itself, None if there is none."""
    if not _exists(connection, "chemnitz_search.schema_version"):
        return None
    return connection.execute(sa.text("SELECT max(version) FROM chemnitz_search.schema_version")).scalar()


def _exists(connection: sa.Connection, table: str) -> bool:
    return bool(connection.execute(sa.text("SELECT to_regclass(:table) IS NOT NULL"), {"table": table}).scalar_one())
