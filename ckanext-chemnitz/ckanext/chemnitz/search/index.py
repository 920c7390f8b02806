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
from ckan.lib.search.common import SearchIndexError
from ckan.lib.search.index import PackageSearchIndex
from sqlalchemy.exc import SQLAlchemyError

from ckanext.chemnitz.search import backend, ddl
from ckanext.chemnitz.search.document import build_document, to_row

log = logging.getLogger(__name__)

_CONFIG = f"'{ddl.TEXT_CONFIG}'::regconfig"

_UPSERT = sa.text(
    f"""
    INSERT INTO {ddl.TABLE} (
        index_id, id, site_id, name, state, capacity, metadata_created, metadata_modified,
        indexed_ts, title_string, permission_labels, fields, doc, data_dict, validated_data_dict,
        search_vector, title_vector, notes_vector)
    VALUES (
        :index_id, :id, :site_id, :name, :state, :capacity,
        CAST(:metadata_created AS timestamptz), CAST(:metadata_modified AS timestamptz),
        now(), :title_string, CAST(:permission_labels AS text[]), CAST(:fields AS jsonb),
        CAST(:doc AS jsonb), :data_dict, :validated_data_dict,
        setweight(to_tsvector({_CONFIG}, :text_a), 'A')
          || setweight(to_tsvector({_CONFIG}, :text_b), 'B')
          || setweight(to_tsvector({_CONFIG}, :text_c), 'C')
          || setweight(to_tsvector({_CONFIG}, :text_d), 'D'),
        to_tsvector({_CONFIG}, :title), to_tsvector({_CONFIG}, :notes))
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, site_id = EXCLUDED.site_id, name = EXCLUDED.name, state = EXCLUDED.state,
        capacity = EXCLUDED.capacity, metadata_created = EXCLUDED.metadata_created,
        metadata_modified = EXCLUDED.metadata_modified, indexed_ts = EXCLUDED.indexed_ts,
        title_string = EXCLUDED.title_string, permission_labels = EXCLUDED.permission_labels,
        fields = EXCLUDED.fields, doc = EXCLUDED.doc, data_dict = EXCLUDED.data_dict,
        validated_data_dict = EXCLUDED.validated_data_dict, search_vector = EXCLUDED.search_vector,
        title_vector = EXCLUDED.title_vector, notes_vector = EXCLUDED.notes_vector
    """
)


class PostgresPackageSearchIndex(PackageSearchIndex):
    """CKAN's package index, writing to PostgreSQL while the backend is active."""

    def index_package(self, pkg_dict: dict[str, Any] | None, defer_commit: bool = False) -> None:
        if not backend.is_active():
            return super().index_package(pkg_dict, defer_commit)
        if pkg_dict is None:
            return None
        document = build_document(pkg_dict)
        if document is None:
            return self.delete_package(pkg_dict)
        row = to_row(document)
        parameters = dict(vars(row))
        parameters["fields"] = json.dumps(row.fields)
        parameters["doc"] = json.dumps(row.doc)
        self._execute(_UPSERT, parameters)
        log.debug("Indexed dataset %s", row.name)
        return None

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        if not backend.is_active():
            return super().delete_package(pkg_dict)
        reference = pkg_dict.get("id")
        self._execute(
            sa.text(f"DELETE FROM {ddl.TABLE} WHERE site_id = :site AND (id = :ref OR name = :ref)"),
            {"site": config.get("ckan.site_id"), "ref": reference},
        )
        return None

    def clear(self) -> None:
        if not backend.is_active():
            return super().clear()
        self._execute(
            sa.text(f"DELETE FROM {ddl.TABLE} WHERE site_id = :site"), {"site": config.get("ckan.site_id")}
        )
        model.Session.commit()
        return None

    def commit(self) -> None:
        if not backend.is_active():
            return super().commit()
        # Index rows are part of CKAN's transaction; committing that is the caller's business.
        return None

    @staticmethod
    def _execute(statement: sa.TextClause, parameters: dict[str, Any]) -> None:
        ddl.ensure_schema()
        try:
            model.Session.execute(statement, parameters)
        except SQLAlchemyError as error:
            raise SearchIndexError(f"Could not write to the search index: {error}") from error
