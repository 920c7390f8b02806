"""The portal's search on Solr: CKAN's Solr code, adjusted where the portal promises the same as on PostgreSQL.

``PostgresPackageSearchQuery`` and ``PostgresPackageSearchIndex`` hand over to CKAN's Solr classes while
Solr is configured; before and after that hand-over this module makes Solr answer as the PostgreSQL
backend does (ranking fields, prefix words in free text, ``facet.sort``, the sort and syntax errors)
and keeps a Solr outage from losing data or showing a server error:

* a search while Solr cannot answer raises ``SearchUnavailable`` (a ``SearchError``: search pages show
  their error state with a German notice, the Action API answers 503, see ``plugin.py``);
* a dataset saved while Solr cannot take it is saved all the same: its id waits in Redis and is
  indexed by the first search after Solr is back (``reindex_postponed``).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.logic as logic
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import config
from ckan.lib.redis import connect_to_redis
from ckan.lib.search.common import SearchError, SearchIndexError, SolrConnectionError
from flask import Flask, Response, g, has_request_context, request
from markupsafe import Markup
from redis.exceptions import RedisError

from ckanext.chemnitz.search import lucene
from ckanext.chemnitz.search.errors import InvalidQuery
from ckanext.chemnitz.search.fields import RANK_CLASSES, TIE_BREAK

log = logging.getLogger(__name__)

# The free-text query fields, boosted with the weights of the PostgreSQL backend's classes (title and
# name, description, tags/groups/organisation/vocabularies, everything): with BooleanSimilarity
# (docker/solr/conf/schema.xml) and tie=0 a word scores its best class, as there (fields.RANK_CLASSES).
# name and the topics as analysed copies: a stop word then makes no clause of the query and does not
# count towards mm, as on PostgreSQL. CKAN's default puts tags above notes.
QUERY_FIELDS = " ".join(f"{field}^{weight:g}" for _, weight, fields in RANK_CLASSES for field in fields)
# Free text with a word ending in * or ? (type-ahead "Schul*"): dismax takes them literally.
_WILDCARD_WORD = re.compile(r"\w[*?](\s|$)")
# What pysolr and Solr say when no node, or no replica of a shard, can answer.
_UNAVAILABLE = (
    "Failed to connect to server",
    "Connection to server",
    "Could not connect to Solr",
    "(HTTP 503)",
    "No registered leader",
    "no servers hosting shard",
)
# ckanext-spatial's filter as spatial/search.py writes it: Intersects(ENVELOPE(minX, maxX, maxY, minY)).
_NUMBER = r"\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*"
_SPATIAL_FILTER = re.compile(rf'spatial_geom:"Intersects\(ENVELOPE\({_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}\)\)"')
# Datasets postponed in one go: a search after an outage indexes at most this many before it answers.
_BATCH = 100


class SearchUnavailable(SearchError):
    """Solr cannot answer now (every node down, or no replica of a shard)."""

    def __init__(self) -> None:
        super().__init__("The search index (Solr) is unavailable; try again in a few minutes.")


def prepare(query: dict[str, Any]) -> None:
    """Adjust a package query before CKAN's Solr code sends it."""
    text = str(query.get("q") or "")
    if ":" not in text and "defType" not in query and _has_operators(text):
        # "Denkmale OR Friedhöfe": read like Solr's standard parser over all text, as on PostgreSQL
        # (dismax takes OR for a word, which then blocks mm)
        query.update(defType="lucene", df="text")
    elif ":" not in text and "defType" not in query and _WILDCARD_WORD.search(text):
        query["defType"] = "edismax"  # dismax has no wildcards; edismax reads free text the same way else
    query.setdefault("qf", QUERY_FIELDS)
    query.setdefault("tie", "0")  # a word's best field only (CKAN: 0.1, a tenth of the others added)
    _break_ties(query)
    _rank_by_overlap(query)


def _break_ties(query: dict[str, Any]) -> None:
    """Equal datasets in the order the PostgreSQL backend gives them (``fields.TIE_BREAK``), not in the
    order they happen to lie in the shards; without a sort, by score as there."""
    sort = [item.strip() for item in str(query.get("sort") or "score desc").split(",") if item.strip()]
    named = {item.split()[0] for item in sort}
    query["sort"] = ",".join(sort + [f"{name} {direction}" for name, direction in TIE_BREAK if name not in named])


def _has_operators(text: str) -> bool:
    try:
        return lucene.parse(text, default_and=False).has_operators
    except InvalidQuery:
        return False


def _rank_by_overlap(query: dict[str, Any]) -> None:
    """A place search (``ext_bbox``/``ext_district``) sorted by relevance ranks by overlap with the
    searched box first (intersection over union, ckanext-spatial's overlapRatio), then by the text's
    relevance, as on PostgreSQL: a sort function on the box's numbers (``spatial_box``, schema.xml)."""
    sort = [item.strip() for item in str(query.get("sort") or "score desc").split(",")]
    filters = [query.get("fq"), *(query.get("fq_list") or [])]
    found = next((m for f in filters if isinstance(f, str) for m in [_SPATIAL_FILTER.search(f)] if m), None)
    if found is None or sort[0].lower() != "score desc":
        return
    west, east, north, south = (float(number) for number in found.groups())
    width = f"max(0,sub(min(field(spatial_box__maxX),{east}),max(field(spatial_box__minX),{west})))"
    height = f"max(0,sub(min(field(spatial_box__maxY),{north}),max(field(spatial_box__minY),{south})))"
    shared = f"product({width},{height})"
    whole = (
        "sum(product(sub(field(spatial_box__maxX),field(spatial_box__minX)),"
        f"sub(field(spatial_box__maxY),field(spatial_box__minY))),{(east - west) * (north - south)!r})"
    )
    query["sort"] = ",".join([f"div({shared},sub({whole},{shared})) desc", *sort])


def search_error(error: Exception, query: dict[str, Any]) -> Exception:
    """The error a portal user gets for a failed Solr search, worded as on PostgreSQL."""
    if isinstance(error, SolrConnectionError) or _is_unavailable(error):
        log.error("Solr cannot answer a search: %s", error)
        if has_request_context():
            g.chemnitz_search_unavailable = True  # the response becomes a 503 (unavailable_response)
        return SearchUnavailable()
    if isinstance(error, SearchError) and "(HTTP 400)" in str(error):
        return InvalidQuery(_syntax_reason(query) or _solr_reason(str(error)))
    return error


def _syntax_reason(query: dict[str, Any]) -> str | None:
    """The portal's own parser's reason for refusing ``q`` or an ``fq`` (the same words as on PostgreSQL)."""
    fq = query.get("fq") or []
    for text in [query.get("q"), *(fq if isinstance(fq, list) else [fq])]:
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            lucene.parse(text)
        except InvalidQuery as invalid:
            return invalid.reason
    return None


def _solr_reason(message: str) -> str:
    """Solr's reason without the query CKAN puts in front of it and without the parser's expectations."""
    reason = message.split("[Reason: ", 1)[-1]
    return reason.split("\\n", 1)[0].split("\n", 1)[0].rstrip("]")


def _is_unavailable(error: Exception) -> bool:
    return any(sign in str(error) for sign in _UNAVAILABLE)


def _pending_key() -> str:
    return f"{config.get('ckan.site_id')}:chemnitz:search:pending"


def postpone(dataset_id: str | None, error: SearchIndexError) -> None:
    """Keep a dataset's change for later when Solr cannot take it now; other index errors still fail."""
    if not dataset_id or not _is_unavailable(error):
        raise error
    try:
        connect_to_redis().sadd(_pending_key(), dataset_id)
    except RedisError:  # nowhere to keep it: the change fails as in CKAN
        raise error from None
    log.warning("Solr unavailable: dataset %s is saved and will be indexed when Solr is back (%s)", dataset_id, error)


def reindex_postponed() -> None:
    """Index the datasets saved while Solr was unavailable, a batch at a time, before a search answers.

    Each search asks Redis once whether any wait (one EXISTS); without Redis nothing can wait.
    """
    try:
        redis = connect_to_redis()
        if not redis.exists(_pending_key()):
            return
        ids = [i.decode() if isinstance(i, bytes) else i for i in redis.spop(_pending_key(), _BATCH) or []]
    except RedisError as error:
        log.warning("Could not read the datasets waiting for Solr from Redis: %s", error)
        return
    index = _package_index()
    for dataset_id in ids:
        try:
            if model.Package.get(dataset_id) is None:  # purged meanwhile
                index.delete_package({"id": dataset_id})
            else:  # still unavailable: postpone() puts it back
                logic.index_update_package({"ignore_auth": True}, dataset_id)
        except Exception:  # a document Solr refuses must not break every search; rebuild reports it
            log.exception("Could not index dataset %s, saved while Solr was unavailable", dataset_id)
    log.info("Indexed %d dataset(s) saved while Solr was unavailable", len(ids))


def _package_index() -> Any:
    from ckan.lib import search

    return search.index_for(model.Package)


def install(app: Flask) -> Flask:
    """A request whose search found Solr unavailable answers 503 (CKAN: 500 or a search error 409).

    Pages keep their content (the search form shows the German notice of
    ``templates/snippets/search_form.html``); the Action API's error says what happened.
    """

    @app.before_request
    def search_not_yet_failed() -> None:
        g.pop("chemnitz_search_unavailable", None)  # g outlives a request where an app context is reused

    @app.after_request
    def unavailable_response(response: Response) -> Response:
        if not g.get("chemnitz_search_unavailable"):
            return response
        if request.blueprint == "api" and response.is_json:
            body = response.get_json(silent=True) or {}
            message = tk._(
                "The dataset search is temporarily unavailable. Datasets can still be viewed, created and "
                "edited; changes appear in the search once it is back. Please try again in a few minutes."
            )
            body.update(success=False, error={"__type": "Search Unavailable", "message": message})
            body.pop("result", None)
            response.set_data(json.dumps(body))
        response.status_code = 503
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(SearchUnavailable)
    def unavailable_page(error: SearchUnavailable) -> tuple[str, int]:
        """Pages whose view does not catch search errors (an organization's page counts its datasets)."""
        notice = Markup(tk.render("snippets/search_unavailable.html"))
        return tk.render("error_document_template.html", {"code": 503, "content": notice}), 503

    return app


@tk.chained_helper
def in_series_choices(next_helper: Any, field: dict[str, Any]) -> list[dict[str, str]]:
    """The dataset series a dataset may join, from the database while Solr is unavailable.

    ckanext-dataset_series finds them with a search, and its choices validate every dataset that is
    saved: without this, no dataset could be created or edited during an outage. The fallback lists
    every active series (as the search does for a sysadmin); the editor's rights are checked again
    when the dataset is saved into one (``chemnitz_in_series``).
    """
    try:
        return next_helper(field)
    except SearchUnavailable:
        series = model.Session.query(model.Package.id, model.Package.title).filter(
            model.Package.type == "dataset_series", model.Package.state == "active"
        )
        return [{"value": row.id, "label": row.title} for row in series]
