"""Plugs the PostgreSQL backend into CKAN's search registries, without patching CKAN's files.

CKAN has no search-backend interface: ``ckan.lib.search`` looks up index and query classes in
module-level registries (``_INDICES``, ``_QUERIES``), some code instantiates
``search.PackageSearchQuery`` directly, and start-up calls ``search.check_solr_schema_version``.
``install`` puts subclasses of CKAN's classes in all these places. They answer from PostgreSQL
while ``backend.is_active()`` and fall back to CKAN's Solr code otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan.common import config

from ckanext.chemnitz.search import backend
from ckanext.chemnitz.search.index import PostgresPackageSearchIndex
from ckanext.chemnitz.search.query import PostgresPackageSearchQuery
from ckanext.chemnitz.search.rebuild import check, clear, rebuild

_solr_schema_check = search.check_solr_schema_version
_solr_rebuild = search.rebuild
_solr_clear = search.clear
_solr_check = search.check


def install() -> None:
    """Register the PostgreSQL classes in CKAN's search registries (idempotent)."""
    search._INDICES["package"] = PostgresPackageSearchIndex
    search._QUERIES["package"] = PostgresPackageSearchQuery
    # Code that names the classes directly (model_dictize, tests, extensions) gets them, too.
    for module, name, replacement in (
        (search, "PackageSearchIndex", PostgresPackageSearchIndex),
        (search_index, "PackageSearchIndex", PostgresPackageSearchIndex),
        (search, "PackageSearchQuery", PostgresPackageSearchQuery),
        (search_query, "PackageSearchQuery", PostgresPackageSearchQuery),
    ):
        setattr(module, name, replacement)
    search.check_solr_schema_version = _check_solr_schema_version
    # Solr understands facet.sort (as the PostgreSQL backend does); CKAN's list of parameters lacks it.
    search_query.VALID_SOLR_PARAMETERS.add("facet.sort")
    search.rebuild = _dispatch(rebuild, _solr_rebuild)
    search.clear = _dispatch(clear, _solr_clear)
    search.check = _dispatch(check, _solr_check)


def _check_solr_schema_version(schema_file: str | None = None) -> bool:
    """CKAN checks the Solr schema at start-up; with no Solr in use there is nothing to check.

    A configuration that forces the PostgreSQL backend has no Solr even while the plugin is
    being unloaded (CKAN reloads its environment then), so the check is skipped there, too.
    """
    if backend.is_active() or config.get("ckanext.chemnitz.search.backend") == "postgres":
        return False
    return _solr_schema_check(schema_file)


def _dispatch(postgres: Callable[..., Any], solr: Callable[..., Any]) -> Any:
    def dispatched(*args: Any, **kwargs: Any) -> Any:
        return (postgres if backend.is_active() else solr)(*args, **kwargs)

    dispatched.__doc__ = solr.__doc__
    return dispatched
