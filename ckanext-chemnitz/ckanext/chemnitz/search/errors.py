"""Errors of the PostgreSQL search backend, expressed as CKAN's own search exceptions.

CKAN's API maps ``SearchError`` to HTTP 409 and ``SearchQueryError`` to HTTP 400, and its web UI
shows a search error page for both; raising the same classes keeps that behaviour.
"""

from __future__ import annotations

from ckan.lib.search.common import SearchError


class InvalidQuery(SearchError):
    """A ``q`` or ``fq`` that is not valid Solr syntax (Solr answers these with a SyntaxError)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Search Query is invalid: {reason}")
        self.reason = reason


# PostgreSQL's SQLSTATE for a table that does not exist.
_UNDEFINED_TABLE = "42P01"
MISSING_TABLES = "the search index's tables are missing: run `ckan db upgrade` (the extension's migrations make them)"


def missing_tables(error: Exception) -> bool:
    """Whether the database refused a statement because the index's tables were never made (no upgrade)."""
    return getattr(getattr(error, "orig", None), "pgcode", None) == _UNDEFINED_TABLE
