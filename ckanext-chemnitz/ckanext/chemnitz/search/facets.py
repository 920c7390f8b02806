"""Facet counts (``facet.field``, ``facet.limit``, ``facet.mincount``, ``facet.sort``).

Counts come from the ``package_term`` inverted index. Counting the whole catalogue touches every
value of every dataset, so results are cached in Redis per *index generation*: the generation is
bumped in the same transaction as every index change, so a cached count is never served for a
catalogue that has changed since (the role Solr's filter and query caches play). Without Redis,
counts are simply computed each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.redis import connect_to_redis
from ckan.lib.search.common import SearchQueryError
from redis.exceptions import RedisError

from ckanext.chemnitz.search import tables
from ckanext.chemnitz.search.compiler import Plan
from ckanext.chemnitz.search.fields import Kind, is_valid_name, kind_of

log = logging.getLogger(__name__)

Facets = dict[str, dict[str, int]]


def count(plan: Plan, query: dict[str, Any]) -> Facets:
    """Facet counts over the datasets ``plan`` matches, as ``{field: {value: count}}``."""
    names = query.get("facet.field") or []
    names = list(dict.fromkeys([names] if isinstance(names, str) else names))
    for name in names:
        if not is_valid_name(name):
            raise SearchQueryError(f"Invalid facet field: {name!r}")
    if not names:
        return {}
    limit = integer(query.get("facet.limit", config.get("search.facets.limit")), "facet.limit")
    mincount = integer(query.get("facet.mincount", 1), "facet.mincount")
    order = str(query.get("facet.sort") or ("count" if limit > 0 else "index")).lower()
    if order not in ("count", "index"):
        raise SearchQueryError("Invalid facet.sort parameter: use 'count' or 'index'")

    ttl = config.get("ckanext.chemnitz.search.facet_cache_ttl")
    key = _cache_key(plan, names, limit, mincount, order) if ttl else None
    cached = _cache_get(key) if key else None
    if cached is not None:
        return cached
    result = _compute(plan, names, limit, mincount, order)
    if key:
        _cache_set(key, result, ttl)
    return result


def _compute(plan: Plan, names: list[str], limit: int, mincount: int, order: str) -> Facets:
    matched = f"SELECT d.doc_id FROM {plan.source} WHERE {plan.where}"
    text_fields = [name for name in names if kind_of(name) is Kind.TEXT]
    counted = f"""
        SELECT t.field, t.value, count(*) AS n FROM {tables.TERM_TABLE} t
        WHERE t.field = ANY(CAST(:_facets AS text[])) AND t.doc_id IN ({matched})
        GROUP BY t.field, t.value
    """
    if text_fields:
        counted += f"""
        UNION ALL
        SELECT f.field, v.value COLLATE "C", count(DISTINCT s.doc_id) FROM {tables.DOCUMENT_TABLE} s
        CROSS JOIN unnest(CAST(:_text_facets AS text[])) AS f(field)
        CROSS JOIN LATERAL jsonb_array_elements_text(chemnitz_search.as_array(s.doc -> f.field)) AS v(value)
        WHERE s.doc_id IN ({matched}) GROUP BY f.field, v.value
        """
    ranking = "n DESC, value" if order == "count" else "value"
    statement = f"""
        SELECT field, value, n FROM (
            SELECT field, value, n, row_number() OVER (PARTITION BY field ORDER BY {ranking}) AS position
            FROM ({counted}) counted WHERE n >= :_mincount
        ) ranked
        WHERE :_limit < 0 OR position <= :_limit
        ORDER BY field, position
    """
    params = dict(plan.params, _facets=names, _text_facets=text_fields, _mincount=mincount, _limit=limit)
    result: Facets = {name: {} for name in names}
    for field, value, number in model.Session.execute(sa.text(statement), params):
        result[field][value] = int(number)
    return result


def _cache_key(plan: Plan, names: list[str], limit: int, mincount: int, order: str) -> str | None:
    """None while the index has no generation (a cleared index): a key without one would repeat."""
    site = config.get("ckan.site_id")
    database, generation = model.Session.execute(
        sa.text(f"SELECT current_database(), (SELECT value FROM {tables.GENERATION_TABLE} WHERE site_id = :site)"),
        {"site": site},
    ).one()
    fingerprint = json.dumps(
        [plan.source, plan.where, sorted(plan.params.items()), names, limit, mincount, order], default=str
    )
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    return f"ckanext.chemnitz.search:facets:{database}:{site}:{generation}:{digest}" if generation else None


def _cache_get(key: str) -> Facets | None:
    try:
        raw = connect_to_redis().get(key)
    except RedisError as error:
        log.warning("Facet cache unavailable, counting directly: %s", error)
        return None
    return json.loads(raw) if raw else None


def _cache_set(key: str, result: Facets, ttl: int) -> None:
    try:
        connect_to_redis().set(key, json.dumps(result), ex=ttl)
    except RedisError as error:
        log.warning("Facet cache unavailable: %s", error)


def integer(value: Any, name: str) -> int:
    """A numeric search parameter, or the query error Solr's parser would give."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f"Invalid {name} parameter: {value!r} is not an integer") from None
