"""Answers ``package_search`` from the PostgreSQL index with CKAN's Solr query contract.

Input is the dict CKAN's ``package_search`` action hands to ``PackageSearchQuery.run`` (``q``,
``fq``, ``sort``, ``rows``, ``start``, ``fl``, ``facet.*`` …); output is what the Solr
implementation produces: ``results``, ``count`` and ``facets``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, cast

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import (
    MAGIC_FIELD_RE,
    QUERY_PARSER_RE,
    VALID_SOLR_PARAMETERS,
    PackageSearchQuery,
)
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import MultiDict

from ckanext.chemnitz.search import backend, ddl, lucene
from ckanext.chemnitz.search.compiler import QueryCompiler, SqlBuilder, minimum_should_match
from ckanext.chemnitz.search.fields import UNSTORED_FIELDS, Kind, is_valid_name, kind_of

log = logging.getLogger(__name__)

# Parameters beyond Solr's that this backend understands.
VALID_PARAMETERS = VALID_SOLR_PARAMETERS | {"facet.sort", "q.op"}
DEFAULT_MM = "2<-1 5<80%"  # CKAN's dismax default: all of 1–2 words, all but one of 3–5, 80% beyond
_SORT_ITEM = re.compile(r"^\s*(\S+)\s+(asc|desc)\s*$", re.IGNORECASE)
_SORT_COLUMNS = {
    "metadata_modified": "d.metadata_modified",
    "metadata_created": "d.metadata_created",
    "indexed_ts": "d.indexed_ts",
    "name": 'd.name COLLATE "C"',
    "id": "d.id",
    "title_string": 'd.title_string COLLATE "de-x-icu"',
}


@dataclass
class _Plan:
    where: str
    order: str
    params: dict[str, Any]
    rank: str


class PostgresPackageSearchQuery(PackageSearchQuery):
    """CKAN's package query, answered by PostgreSQL while the backend is active."""

    def run(
        self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        if not backend.is_active():
            return super().run(query, permission_labels, **kwargs)
        assert isinstance(query, (dict, MultiDict))
        invalid = set(query.keys()) - VALID_PARAMETERS
        if invalid:
            raise SearchQueryError(f"Invalid search parameters: {sorted(invalid)}")
        for name, value in query.items():
            _reject_local_parameters(name, value)

        rows = _integer(query.get("rows", 10), "rows")
        start = _integer(query.get("start", 0), "start")
        plan = self._plan(query, permission_labels)
        fields = _field_list(query.get("fl", "name"))

        ddl.ensure_schema()
        try:
            records, total = self._page(plan, fields, rows, start)
            self.facets = self._facets(plan, query) if _facets_wanted(query) else {}
        except DBAPIError as error:
            model.Session.rollback()
            raise SearchError(f"Search Query is invalid: {error.orig}") from None
        self.count = total
        self.results = [_result(record, fields) for record in records]
        if fields in (["id"], ["name"]):
            self.results = [r.get(fields[0]) for r in self.results]
        return {"results": self.results, "count": self.count}

    def _plan(self, query: dict[str, Any], permission_labels: list[str] | None) -> _Plan:
        sql = SqlBuilder()
        compiler = QueryCompiler(sql)
        conditions = [f"d.site_id = {sql.bind(config.get('ckan.site_id'))}"]

        text = query.get("q") or ""
        if text.strip() not in ("", '""', "''"):
            conditions.append(compiler.predicate(_parse_q(text, query), ranked=True))

        filters = []
        if query.get("fq"):
            filters.append(query["fq"])
        filters.extend(query.get("fq_list", []) or [])
        if not any("+state:" in item for item in filters if isinstance(item, str)):
            filters.append("+state:active")
        for item in filters:
            if isinstance(item, str) and item.strip():
                conditions.append(QueryCompiler(sql).predicate(lucene.parse(item)))

        if permission_labels is not None:
            conditions.append(f"d.permission_labels && CAST({sql.bind(list(permission_labels))} AS text[])")

        rank = compiler.rank_expression()
        ordering = [
            f"{_sort_expression(name, rank, sql)} {direction} NULLS LAST"
            for name, direction in _order_by(query.get("sort"))
        ]
        ordering += ["d.metadata_modified DESC NULLS LAST", "d.index_id"]
        return _Plan(" AND ".join(conditions), ", ".join(ordering), sql.params, rank)

    def _page(self, plan: _Plan, fields: list[str], rows: int, start: int) -> tuple[list[sa.Row], int]:
        columns = ["d.doc", "d.index_id", f"{plan.rank} AS score", "count(*) OVER () AS total"]
        for stored in ("data_dict", "validated_data_dict"):
            if "*" in fields or stored in fields:
                columns.append(f"d.{stored}")
        statement = (
            f"SELECT {', '.join(columns)} FROM {ddl.TABLE} d WHERE {plan.where} "
            f"ORDER BY {plan.order} LIMIT :_limit OFFSET :_offset"
        )
        params = dict(plan.params, _limit=rows, _offset=start)
        records = list(model.Session.execute(sa.text(statement), params)) if rows > 0 else []
        if records:
            return records, int(records[0].total)
        count = model.Session.execute(
            sa.text(f"SELECT count(*) FROM {ddl.TABLE} d WHERE {plan.where}"), plan.params
        ).scalar_one()
        return records, int(count)

    def _facets(self, plan: _Plan, query: dict[str, Any]) -> dict[str, dict[str, int]]:
        names = query.get("facet.field") or []
        if isinstance(names, str):
            names = [names]
        names = list(dict.fromkeys(names))
        for name in names:
            if not is_valid_name(name):
                raise SearchQueryError(f"Invalid facet field: {name!r}")
        limit = _integer(query.get("facet.limit", config.get("search.facets.limit")), "facet.limit")
        mincount = _integer(query.get("facet.mincount", 1), "facet.mincount")
        facet_sort = str(query.get("facet.sort") or ("count" if limit > 0 else "index")).lower()
        if facet_sort not in ("count", "index"):
            raise SearchQueryError("Invalid facet.sort parameter: use 'count' or 'index'")
        facets: dict[str, dict[str, int]] = {name: {} for name in names}
        if not names:
            return facets
        ranking = 'n DESC, value COLLATE "C"' if facet_sort == "count" else 'value COLLATE "C"'
        text_fields = [name for name in names if kind_of(name) is Kind.TEXT]
        statement = f"""
            WITH matched AS MATERIALIZED (
                SELECT d.fields, d.doc FROM {ddl.TABLE} d WHERE {plan.where}
            ), counted AS (
                SELECT f.field, v.value, count(*) AS n
                FROM unnest(CAST(:_facets AS text[])) AS f(field)
                CROSS JOIN matched m
                CROSS JOIN LATERAL jsonb_array_elements_text(
                    CASE WHEN f.field = ANY(CAST(:_text_facets AS text[]))
                         THEN chemnitz_search.as_array(m.doc -> f.field)
                         ELSE coalesce(m.fields -> f.field, '[]'::jsonb) END) AS v(value)
                GROUP BY f.field, v.value
            )
            SELECT field, value, n FROM (
                SELECT field, value, n, row_number() OVER (PARTITION BY field ORDER BY {ranking}) AS position
                FROM counted WHERE n >= :_mincount
            ) ranked
            WHERE :_limit < 0 OR position <= :_limit
            ORDER BY field, position
        """
        params = dict(plan.params, _facets=names, _text_facets=text_fields, _mincount=mincount, _limit=limit)
        for field, value, count in model.Session.execute(sa.text(statement), params):
            facets[field][value] = int(count)
        return facets

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        if not backend.is_active():
            return super().get_all_entity_ids(max_results)
        ddl.ensure_schema()
        statement = sa.text(
            f"SELECT id FROM {ddl.TABLE} WHERE site_id = :site AND state = 'active' LIMIT :limit"
        )
        return [
            row.id
            for row in model.Session.execute(
                statement, {"site": config.get("ckan.site_id"), "limit": max_results}
            )
        ]

    def get_index(self, reference: str) -> dict[str, Any]:
        if not backend.is_active():
            return super().get_index(reference)
        ddl.ensure_schema()
        statement = sa.text(
            f"SELECT doc, data_dict, validated_data_dict FROM {ddl.TABLE} "
            "WHERE site_id = :site AND (id = :ref OR name = :ref) LIMIT 1"
        )
        record = model.Session.execute(
            statement, {"site": config.get("ckan.site_id"), "ref": reference}
        ).first()
        if record is None:
            raise SearchError(f"Dataset not found in the search index: {reference}")
        return dict(record.doc, data_dict=record.data_dict, validated_data_dict=record.validated_data_dict)


def _parse_q(text: str, query: dict[str, Any]) -> lucene.BooleanQuery:
    """Free text like Solr's dismax (``mm``), fielded queries like the standard parser (AND)."""
    def_type = str(query.get("defType") or "dismax").lower()
    if ":" in text and def_type != "edismax":
        return lucene.parse(text)
    parsed = lucene.parse(text, default_and=False)
    if parsed.has_operators:
        return lucene.parse(text)
    optional = sum(1 for c in parsed.clauses if c.occur is lucene.Occur.SHOULD)
    parsed.minimum_should_match = minimum_should_match(str(query.get("mm") or DEFAULT_MM), optional)
    return parsed


def _reject_local_parameters(name: str, value: Any) -> None:
    """Refuse Solr magic fields and local parameters with the messages CKAN gives.

    CKAN lets ``ckan.search.solr_allowed_query_parsers`` admit Solr query parsers such as
    ``{!bool}``; they are Solr features, so this backend refuses them even when admitted.
    """
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str):
            continue
        item = item.strip()
        if MAGIC_FIELD_RE.search(item):
            raise SearchError(f"Magic fields are not supported in param '{name}'.")
        found = QUERY_PARSER_RE.findall(item)
        if not found:
            continue
        if len(found) > 1:
            raise SearchError(f"Query parsers are not supported in param '{name}'.")
        if not item.startswith("{!"):
            raise SearchError(f"Local parameters must be defined at the beginning of param '{name}'.")
        raise SearchError(f"Local parameters are not supported in param '{name}'.")


def _integer(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f"Invalid {name} parameter: {value!r} is not an integer") from None


def _order_by(sort: str | None) -> list[tuple[str, str]]:
    """``"score desc, metadata_modified desc"`` → ``[("score", "DESC"), …]``."""
    if not sort:
        return [("score", "DESC")]
    order = []
    for item in str(sort).split(","):
        match = _SORT_ITEM.match(item)
        if not match or not is_valid_name(match.group(1)):
            raise SearchQueryError('Invalid "sort" parameter')
        order.append((match.group(1), match.group(2).upper()))
    return order


def _sort_expression(field: str, rank: str, sql: SqlBuilder) -> str:
    if field == "score":
        return rank
    if field in _SORT_COLUMNS:
        return _SORT_COLUMNS[field]
    name = sql.bind(field)
    value = f"(d.fields -> {name} ->> 0)"
    kind = kind_of(field)
    if kind is Kind.TEXT:
        return f"(chemnitz_search.as_array(d.doc -> {name}) ->> 0)"
    if kind is Kind.DATE:
        return f"chemnitz_search.to_timestamptz{value}"
    if kind is Kind.INT:
        return f"chemnitz_search.to_numeric{value}"
    return value + ' COLLATE "C"'


def _field_list(fl: Any) -> list[str]:
    items = fl if isinstance(fl, list) else re.split(r"[\s,]+", str(fl))
    return [item for item in (str(i).strip() for i in items) if item]


def _facets_wanted(query: dict[str, Any]) -> bool:
    return str(query.get("facet", "true")).lower() not in ("false", "off", "0", "no")


def _result(record: sa.Row, fields: list[str]) -> dict[str, Any]:
    stored = cast(dict[str, Any], record.doc)
    everything = "*" in fields
    result: dict[str, Any] = {}
    for key, value in stored.items():
        if key in UNSTORED_FIELDS:
            continue
        if everything or key in fields:
            result[key] = value
    for key in ("data_dict", "validated_data_dict"):
        if everything or key in fields:
            result[key] = getattr(record, key)
    if "score" in fields:
        result["score"] = float(record.score)
    extras = {key[len("extras_") :]: result.pop(key) for key in list(result) if key.startswith("extras_")}
    result["extras"] = extras
    return result
