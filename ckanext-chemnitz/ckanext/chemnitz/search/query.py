"""Answers ``package_search`` from the PostgreSQL index with CKAN's Solr query contract.

Input is the dict CKAN's ``package_search`` action hands to ``PackageSearchQuery.run`` (``q``,
``fq``, ``sort``, ``rows``, ``start``, ``fl``, ``facet.*`` …); output is what the Solr
implementation produces: ``results``, ``count`` and ``facets``.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any, cast

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError, SolrConnectionError
from ckan.lib.search.query import (
    MAGIC_FIELD_RE,
    QUERY_PARSER_RE,
    VALID_SOLR_PARAMETERS,
    PackageSearchQuery,
)
from sqlalchemy.exc import DBAPIError

from ckanext.chemnitz.search import backend, errors, facets, lucene, solr, tables
from ckanext.chemnitz.search.compiler import Plan, QueryCompiler, SqlBuilder, minimum_should_match
from ckanext.chemnitz.search.fields import TIE_BREAK, UNSTORED_FIELDS, Kind, is_valid_name, kind_of
from ckanext.chemnitz.search.reference import dataset_reference

log = logging.getLogger(__name__)

# Parameters beyond Solr's that this backend understands.
VALID_PARAMETERS = VALID_SOLR_PARAMETERS | {"facet.sort", "q.op"}
_CONFIG = f"'{tables.TEXT_CONFIG}'::regconfig"
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


class PostgresPackageSearchQuery(PackageSearchQuery):
    """CKAN's package query, answered by PostgreSQL while the backend is active."""

    def run(self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        if not backend.is_active():
            return self._run_on_solr(query, permission_labels, **kwargs)
        if not isinstance(query, dict):  # werkzeug's MultiDict, as CKAN's views pass it, is a dict
            raise SearchQueryError(f"Search parameters must be a mapping of names to values: {type(query).__name__}")
        invalid = set(query.keys()) - VALID_PARAMETERS
        if invalid:
            raise SearchQueryError(f"Invalid search parameters: {sorted(invalid)}")
        for name, value in query.items():
            _reject_local_parameters(name, value)

        rows = facets.integer(query.get("rows", 10), "rows")
        start = facets.integer(query.get("start", 0), "start")
        plan = _plan(query, permission_labels)
        fields = _field_list(query.get("fl", "name"))

        try:
            records, total = _page(plan, fields, rows, start)
            self.facets = facets.count(plan, query) if _facets_wanted(query) else {}
        except DBAPIError as error:
            model.Session.rollback()
            if errors.missing_tables(error):
                raise SearchError(f"Search index unavailable: {errors.MISSING_TABLES}") from None
            raise SearchError(f"Search Query is invalid: {error.orig}") from None
        self.count = total
        results: list[Any] = [_result(record, fields) for record in records]
        if fields in (["id"], ["name"]):
            results = [r.get(fields[0]) for r in results]
        self.results = results
        return {"results": self.results, "count": self.count}

    def _run_on_solr(self, query: dict[str, Any], permission_labels: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        """CKAN's Solr search, answering as the PostgreSQL backend does (``solr.py``)."""
        _order_by(query.get("sort"))  # the same sort strings are valid on both backends
        solr.prepare(query)
        solr.reindex_postponed()
        try:
            return super().run(query, permission_labels, **kwargs)
        except SearchQueryError:
            raise
        except (SearchError, SolrConnectionError) as error:
            raise solr.search_error(error, query) from error

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        if not backend.is_active():
            return super().get_all_entity_ids(max_results)
        # every entry, drafts included, as Solr's answer: `search-index list-unindexed` and
        # `rebuild --only-missing` then agree with `check` that an indexed draft is indexed
        statement = sa.text(f"SELECT id FROM {tables.TABLE} WHERE site_id = :site LIMIT :limit")
        parameters = {"site": config.get("ckan.site_id"), "limit": max_results}
        return [row.id for row in model.Session.execute(statement, parameters)]

    def get_index(self, reference: str) -> dict[str, Any]:
        if not backend.is_active():
            return super().get_index(reference)
        reference = dataset_reference(reference)
        statement = sa.text(
            f"SELECT s.doc, s.data_dict, s.validated_data_dict FROM {tables.TABLE} d "
            f"JOIN {tables.DOCUMENT_TABLE} s ON s.doc_id = d.doc_id "
            "WHERE d.site_id = :site AND (d.id = :ref OR d.name = :ref) LIMIT 1"
        )
        record = model.Session.execute(statement, {"site": config.get("ckan.site_id"), "ref": reference}).first()
        if record is None:
            raise SearchError(f"Dataset not found in the search index: {reference}")
        return dict(record.doc, data_dict=record.data_dict, validated_data_dict=record.validated_data_dict)


def _plan(query: dict[str, Any], permission_labels: list[str] | None) -> Plan:
    sql = SqlBuilder()
    compilers = [QueryCompiler(sql)]
    conditions = [f"d.site_id = {sql.bind(config.get('ckan.site_id'))}"]

    rank = "0::float8"  # an expression: ORDER BY 0 would name a column
    text = query.get("q") or ""
    if text.strip() not in ("", '""', "''"):
        parsed, by_class = _parse_q(text, query)
        conditions.append(compilers[0].predicate(parsed))
        rank = f"({compilers[0].score(parsed, by_class)})::float8"

    filters = []
    if query.get("fq"):
        filters.append(query["fq"])
    filters.extend(query.get("fq_list", []) or [])
    if not any("+state:" in item for item in filters if isinstance(item, str)):
        filters.append("+state:active")
    for item in filters:
        if isinstance(item, str) and item.strip():
            compilers.append(QueryCompiler(sql))
            conditions.append(compilers[-1].predicate(lucene.parse(item)))

    if permission_labels is not None:
        conditions.append(f"d.permission_labels && CAST({sql.bind(list(permission_labels))} AS text[])")

    order = _order_by(query.get("sort"))
    ordering = [f"{_sort_expression(name, rank, sql)} {direction} NULLS LAST" for name, direction in order]
    if sql.envelope is not None and order[0] == ("score", "DESC"):  # overlap with the searched box first
        ordering.insert(0, f"{_overlap_ratio(sql.envelope)} DESC NULLS LAST")
    ordering += [f"{_SORT_COLUMNS[name]} {direction.upper()} NULLS LAST" for name, direction in TIE_BREAK]
    source = f"{tables.TABLE} d"
    if any(compiler.uses_text for compiler in compilers):
        source += f" JOIN {tables.TEXT_TABLE} x ON x.doc_id = d.doc_id"
    return Plan(source, " AND ".join(conditions), ", ".join(ordering), rank, sql.params)


def _overlap_ratio(box: list[str]) -> str:
    """Intersection over union of the dataset's extent and the searched box (ckanext-spatial's
    overlapRatio), as plain arithmetic on the row: a function call per row would cost more than the
    search. A point or line inside the box has no area and counts as 0."""
    west, south, east, north = box
    shared = (
        f"GREATEST(LEAST(d.extent_east, {east}) - GREATEST(d.extent_west, {west}), 0) * "
        f"GREATEST(LEAST(d.extent_north, {north}) - GREATEST(d.extent_south, {south}), 0)"
    )
    whole = (
        f"(d.extent_east - d.extent_west) * (d.extent_north - d.extent_south) + ({east} - {west}) * ({north} - {south})"
    )
    return f"COALESCE(({shared}) / NULLIF({whole} - ({shared}), 0), 1)"


def _page(plan: Plan, fields: list[str], rows: int, start: int) -> tuple[list[sa.Row], int]:
    """One page of results with the stored documents, and the total number of matches."""
    if rows <= 0:
        return [], _count(plan)
    stored = [f"s.{column}" for column in ("data_dict", "validated_data_dict") if "*" in fields or column in fields]
    statement = f"""
        SELECT page.score, page.total, s.doc{"".join(", " + column for column in stored)}
        FROM (
            SELECT d.doc_id, {plan.rank} AS score, count(*) OVER () AS total,
                   row_number() OVER (ORDER BY {plan.order}) AS position
            FROM {plan.source} WHERE {plan.where}
            ORDER BY {plan.order} LIMIT :_limit OFFSET :_offset
        ) page
        JOIN {tables.DOCUMENT_TABLE} s ON s.doc_id = page.doc_id
        ORDER BY page.position
    """
    records = list(model.Session.execute(sa.text(statement), dict(plan.params, _limit=rows, _offset=start)))
    if records:
        return records, int(records[0].total)
    return records, _count(plan)


def _count(plan: Plan) -> int:
    statement = sa.text(f"SELECT count(*) FROM {plan.source} WHERE {plan.where}")
    return int(model.Session.execute(statement, plan.params).scalar_one())


def _parse_q(text: str, query: dict[str, Any]) -> tuple[lucene.BooleanQuery, bool]:
    """Free text like Solr's dismax (``mm``), fielded queries and operators like the standard parser
    (AND); and whether free-text words are ranked by their best class of fields, as Solr ranks them
    where it reads ``q`` with its query fields (dismax, edismax; ``solr.prepare``)."""
    def_type = str(query.get("defType") or "dismax").lower()
    if ":" in text and def_type != "edismax":
        return lucene.parse(text), False
    parsed = lucene.parse(text, default_and=False)
    if parsed.has_operators:
        return lucene.parse(text), def_type == "edismax"
    _drop_stop_words(parsed)
    optional = sum(1 for c in parsed.clauses if c.occur is lucene.Occur.SHOULD)
    parsed.minimum_should_match = minimum_should_match(str(query.get("mm") or DEFAULT_MM), optional)
    return parsed, def_type in ("dismax", "edismax")


def _drop_stop_words(parsed: lucene.BooleanQuery) -> None:
    """Leave out free-text words that are only stop words ("in", "der"), so they do not count towards
    ``mm``: "Schulen in Kaßberg" needs both words, as a two-word query does. Solr's dismax does the
    same, its query fields removing the stop word (docker/solr/conf/schema.xml). A query of stop
    words alone keeps them and finds nothing, as on Solr (bench/search_parity.py asks "in der")."""
    words = [word for word in map(_plain_word, parsed.clauses) if word is not None]
    stop = _stop_words(tuple(sorted(set(words))))
    kept = [c for c in parsed.clauses if _plain_word(c) not in stop]
    if kept and len(kept) < len(parsed.clauses):
        parsed.clauses = kept


def _plain_word(clause: lucene.Clause) -> str | None:
    """The word of an optional free-text clause without wildcards, None for any other clause."""
    node = clause.query
    if (
        clause.occur is lucene.Occur.SHOULD
        and isinstance(node, lucene.Term)
        and node.field is None
        and node.like is None
        and node.prefix is None
    ):
        return node.text
    return None


@functools.lru_cache(maxsize=4096)
def _stop_words(words: tuple[str, ...]) -> frozenset[str]:
    """Those of ``words`` the text search configuration reduces to nothing (its stop words)."""
    if not words:
        return frozenset()
    rows = model.Session.execute(
        sa.text(f"SELECT w FROM unnest(CAST(:words AS text[])) AS w WHERE numnode(plainto_tsquery({_CONFIG}, w)) = 0"),
        {"words": list(words)},
    )
    return frozenset(row[0] for row in rows)


def _reject_local_parameters(name: str, value: Any) -> None:
    """Refuse Solr magic fields and local parameters with the messages CKAN gives.

    CKAN lets ``ckan.search.solr_allowed_query_parsers`` admit Solr query parsers such as
    ``{!bool}``; they are Solr features, so this backend refuses them even when admitted.
    """
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str):
            continue
        item = item.strip()
        if "\x00" in item:  # PostgreSQL text cannot hold it; psycopg2 would fail with a server error
            raise SearchQueryError(f"Parameter '{name}' contains a NUL character.")
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
    kind = kind_of(field)
    if kind is Kind.TEXT:
        return (
            f"(SELECT chemnitz_search.as_array(s.doc -> {name}) ->> 0 FROM {tables.DOCUMENT_TABLE} s "
            "WHERE s.doc_id = d.doc_id)"
        )
    value = {
        Kind.DATE: "chemnitz_search.to_timestamptz(t.value)",
        Kind.INT: "chemnitz_search.to_numeric(t.value)",
    }.get(kind, "t.value")
    return f"(SELECT min({value}) FROM {tables.TERM_TABLE} t WHERE t.doc_id = d.doc_id AND t.field = {name})"


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
    result["extras"] = {key[len("extras_") :]: result.pop(key) for key in list(result) if key.startswith("extras_")}
    return result
