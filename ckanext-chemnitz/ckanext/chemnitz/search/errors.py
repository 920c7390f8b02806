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
