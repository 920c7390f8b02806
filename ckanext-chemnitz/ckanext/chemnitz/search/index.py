"""Writes datasets into the PostgreSQL search index.

Index writes go through CKAN's own database session, so they commit or roll back together with
the dataset change that caused them: a failed ``package_update`` never leaves a half-updated
search entry behind, and a committed one is searchable at once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchIndexError, make_connection
from ckan.lib.search.index import PackageSearchIndex
from sqlalchemy.exc import SQLAlchemyError

from ckanext.chemnitz.search import backend, errors, solr, tables
from ckanext.chemnitz.search.document import build_document, to_row
from ckanext.chemnitz.search.reference import dataset_reference

log = logging.getLogger(__name__)

_CONFIG = f"'{tables.TEXT_CONFIG}'::regconfig"

# A new index starts from the current time in milliseconds, so generations never repeat even
# when the index is dropped and created again while old cache entries are still alive.
_BUMP_GENERATION = f"""
    INSERT INTO {tables.GENERATION_TABLE} (site_id, value)
    VALUES (:site_id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
    ON CONFLICT (site_id) DO UPDATE SET value = {tables.GENERATION_TABLE}.value + 1
"""

# One statement writes all four tables, so a dataset is indexed in a single round trip. The DELETE
# of the old terms and the INSERT of the new ones see the same snapshot and do not interfere.
_UPSERT = sa.text(
    f"""
    WITH main AS (
        INSERT INTO {tables.TABLE} (
            index_id, id, site_id, name, state, capacity, permission_labels,
            metadata_created, metadata_modified, indexed_ts, title_string,
            extent_west, extent_south, extent_east, extent_north)
        VALUES (
            :index_id, :id, :site_id, :name, :state, :capacity, CAST(:permission_labels AS text[]),
            CAST(:metadata_created AS timestamptz), CAST(:metadata_modified AS timestamptz), now(),
            :title_string, :extent_west, :extent_south, :extent_east, :extent_north)
        ON CONFLICT (index_id) DO UPDATE SET
            id = EXCLUDED.id, site_id = EXCLUDED.site_id, name = EXCLUDED.name, state = EXCLUDED.state,
            capacity = EXCLUDED.capacity, permission_labels = EXCLUDED.permission_labels,
            metadata_created = EXCLUDED.metadata_created, metadata_modified = EXCLUDED.metadata_modified,
            indexed_ts = EXCLUDED.indexed_ts, title_string = EXCLUDED.title_string,
            extent_west = EXCLUDED.extent_west, extent_south = EXCLUDED.extent_south,
            extent_east = EXCLUDED.extent_east, extent_north = EXCLUDED.extent_north
        RETURNING doc_id
    ), vectors AS (
        SELECT to_tsvector({_CONFIG}, :title) AS title, to_tsvector({_CONFIG}, :notes) AS notes
    ), text AS (
        INSERT INTO {tables.TEXT_TABLE} (doc_id, search_vector, title_vector, notes_vector)
        SELECT main.doc_id,
            setweight(vectors.title || to_tsvector({_CONFIG}, :text_a), 'A')
              || setweight(vectors.notes, 'B')
              || setweight(to_tsvector({_CONFIG}, :text_c), 'C')
              || setweight(to_tsvector({_CONFIG}, :text_d), 'D'),
            vectors.title, vectors.notes
        FROM main, vectors
        ON CONFLICT (doc_id) DO UPDATE SET search_vector = EXCLUDED.search_vector,
            title_vector = EXCLUDED.title_vector, notes_vector = EXCLUDED.notes_vector
    ), old_terms AS (
        DELETE FROM {tables.TERM_TABLE} t USING main WHERE t.doc_id = main.doc_id
    ), new_terms AS (
        INSERT INTO {tables.TERM_TABLE} (doc_id, field, value)
        SELECT main.doc_id, u.field, u.value FROM main,
            unnest(CAST(:term_fields AS text[]), CAST(:term_values AS text[])) AS u(field, value)
    ), document AS (
        INSERT INTO {tables.DOCUMENT_TABLE} (doc_id, doc, data_dict, validated_data_dict)
        SELECT doc_id, CAST(:doc AS jsonb), :data_dict, :validated_data_dict FROM main
        ON CONFLICT (doc_id) DO UPDATE SET doc = EXCLUDED.doc, data_dict = EXCLUDED.data_dict,
            validated_data_dict = EXCLUDED.validated_data_dict
    )
    SELECT doc_id FROM main
    """
)

# Deleting the narrow row cascades to the text, term and document rows.
_DELETE = sa.text(
    f"""
    WITH deleted AS (
        DELETE FROM {tables.TABLE} WHERE site_id = :site_id AND (:ref IS NULL OR id = :ref OR name = :ref)
    ) {_BUMP_GENERATION}
    """
)


def _commit_solr() -> None:
    """Solr's commit, waiting until searches see it: CKAN's own (``waitSearcher=False``) returned at
    the end of a rebuild while Solr still answered from the index before it (the switch test and
    CKAN's rebuild test then read the datasets as they were before the rebuild)."""
    try:
        make_connection().commit(waitSearcher=True)
    except Exception as error:
        log.exception(error)
        raise SearchIndexError(error) from error


class PostgresPackageSearchIndex(PackageSearchIndex):
    """CKAN's package index, writing to PostgreSQL while the backend is active."""

    def index_package(self, pkg_dict: dict[str, Any] | None, defer_commit: bool = False) -> None:
        if not backend.is_active():
            try:
                return super().index_package(pkg_dict, defer_commit)
            except SearchIndexError as error:  # Solr down: the dataset is saved, indexed when it is back
                return solr.postpone((pkg_dict or {}).get("id"), error)
        if pkg_dict is None:
            return None
        document = build_document(pkg_dict)
        if document is None:
            return self.delete_package(pkg_dict)
        row = to_row(document)
        parameters = dict(vars(row))
        parameters["doc"] = json.dumps(row.doc)
        self._execute(_UPSERT, parameters)
        if not defer_commit:
            self.commit()
        log.debug("Indexed dataset %s", row.name)
        return None

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        if not backend.is_active():
            try:
                return super().delete_package(pkg_dict)
            except SearchIndexError as error:
                return solr.postpone(pkg_dict.get("id"), error)
        self._execute(_DELETE, {"site_id": config.get("ckan.site_id"), "ref": dataset_reference(pkg_dict.get("id"))})
        return None

    def clear(self) -> None:
        if not backend.is_active():
            return super().clear()
        self._execute(_DELETE, {"site_id": config.get("ckan.site_id"), "ref": None})
        # an emptied index answers differently: facet counts cached for the generation before are void
        self._execute(sa.text(_BUMP_GENERATION), {"site_id": config.get("ckan.site_id")})
        model.Session.commit()
        return None

    def commit(self) -> None:
        """Start a new index generation (index rows commit with CKAN's transaction).

        Deferred writes (``defer_commit``, used by rebuilds) leave this to one call at the end, so
        parallel rebuild workers do not queue up on the generation row's lock.
        """
        if not backend.is_active():
            return _commit_solr()
        self._execute(sa.text(_BUMP_GENERATION), {"site_id": config.get("ckan.site_id")})
        return None

    @staticmethod
    def _execute(statement: sa.TextClause, parameters: dict[str, Any]) -> None:
        try:
            model.Session.execute(statement, parameters)
        except SQLAlchemyError as error:
            reason = errors.MISSING_TABLES if errors.missing_tables(error) else error
            raise SearchIndexError(f"Could not write to the search index: {reason}") from error
