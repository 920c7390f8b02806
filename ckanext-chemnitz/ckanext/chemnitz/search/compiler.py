"""Turns parsed Solr queries into parameterised SQL over the search index tables.

Predicates refer to the narrow index row as ``d`` and, for full-text conditions, to its vectors
as ``x`` (the query joins ``package_text x`` when ``QueryCompiler.uses_text`` is set). Exact-match
fields are looked up in the ``package_term`` inverted index.

Every value from the user becomes a bound parameter; the SQL text is assembled only from fixed
fragments, column names of the index table and generated parameter names. Field semantics come
from :mod:`fields` (string fields match exactly, text fields through German full-text search,
date and number fields by value).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from ckanext.chemnitz.search import datemath, lucene
from ckanext.chemnitz.search.errors import InvalidQuery
from ckanext.chemnitz.search.fields import (
    NGRAM_SIZES,
    NGRAM_SOURCES,
    RANK_CLASSES,
    SPATIAL_FIELD,
    VECTOR_COLUMNS,
    Kind,
    kind_of,
)
from ckanext.chemnitz.search.tables import DOCUMENT_TABLE, TERM_TABLE, TEXT_CONFIG

# Columns of the index table that hold a single exact-match field of the same name.
_STRING_COLUMNS = {"id", "name", "state", "capacity", "site_id", "index_id"}
_DATE_COLUMNS = {"metadata_created", "metadata_modified", "indexed_ts"}

_CONFIG = f"'{TEXT_CONFIG}'::regconfig"
# ckanext-spatial's Solr filter: Intersects(ENVELOPE(minX, maxX, maxY, minY)), WGS 84 degrees.
_NUMBER = r"\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*"
_ENVELOPE = re.compile(rf"^\s*Intersects\(\s*ENVELOPE\({_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}\)\s*\)\s*$")
_WORD = re.compile(r"\w+")
# A word that may be a German plural in -s that the snowball stemmer keeps (Kitas, Autos, Hotels).
_PLURAL_CANDIDATE = re.compile(r"^[^\W\d_]{3,}$")
# A lexeme of a tsquery's text ('schul', 'it''s', 'park':* for a prefix), and the same restricted to
# one weight class ('schul':A, 'park':*A): PostgreSQL has no function that weights a whole tsquery.
_LEXEME = r"('(?:[^']|'')*')(?::(\*))?"
_WEIGHTED_LEXEME = r"\1:\2"


@dataclass
class Plan:
    """A compiled search: the FROM clause, WHERE condition, ORDER BY list and their parameters."""

    source: str
    where: str
    order: str
    rank: str
    params: dict[str, Any]


class SqlBuilder:
    """Collects bound parameters while SQL fragments are generated."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        # The searched box of a spatial filter (bound west, south, east, north), for relevance ranking.
        self.envelope: list[str] | None = None

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


class QueryCompiler:
    """Compiles one ``q`` or ``fq`` syntax tree to a boolean SQL expression over alias ``d``."""

    def __init__(self, sql: SqlBuilder) -> None:
        self.sql = sql
        # The condition of each optional clause compiled so far, by id of its node, for ``score``.
        self._optional: dict[int, str] = {}
        self.uses_text = False

    def predicate(self, node: lucene.Node) -> str:
        if isinstance(node, lucene.BooleanQuery):
            return self._boolean(node)
        if isinstance(node, lucene.MatchAll):
            return "TRUE"
        if isinstance(node, lucene.Exists):
            return self._exists(node.field)
        if isinstance(node, lucene.Range):
            return self._range(node)
        if isinstance(node, (lucene.Term, lucene.Phrase)):
            return self._match(node)
        raise TypeError(node)

    # -- relevance ---------------------------------------------------------------------------

    def score(self, node: lucene.Node, by_class: bool) -> str:
        """The relevance of a dataset that matches ``node`` (compiled by ``predicate`` before), as
        Solr scores it under BooleanSimilarity (``fields.RANK_CLASSES``).

        With ``by_class`` (free text read like dismax) a word counts with the weight of the best
        class of fields it occurs in; otherwise (the standard parser) each matched leaf counts 1.
        A boolean query sums the scores of the clauses a dataset matches.
        """
        if isinstance(node, lucene.BooleanQuery):
            parts = []
            for clause in node.clauses:
                if clause.occur is lucene.Occur.MUST_NOT:
                    continue
                part = self.score(clause.query, by_class)
                if clause.occur is lucene.Occur.SHOULD and not _weighed_by_class(clause.query, by_class):
                    part = f"CASE WHEN coalesce({self._optional[id(clause.query)]}, false) THEN {part} ELSE 0 END"
                parts.append(part)  # a class weight is 0 where the word is missing: no second test
            return "(" + " + ".join(parts) + ")" if parts else "0"
        if _weighed_by_class(node, by_class):
            return self._class_weight(cast("lucene.Term | lucene.Phrase", node))
        return "1"

    def _class_weight(self, node: lucene.Term | lucene.Phrase) -> str:
        """The weight of the best class of fields the free-text term occurs in (A–D of the full-text
        vector), 0 where it does not; the term's tsquery is built once for the four tests."""
        self.uses_text = True
        classes = [name for name, _, _ in RANK_CLASSES]
        if isinstance(node, lucene.Term) and node.like is not None and node.prefix is None:
            pattern = self.sql.bind(node.like.lower())
            tests = [_lexeme_like(f"ts_filter(x.search_vector, '{{{name.lower()}}}')", pattern) for name in classes]
        else:
            query, lexeme = f"({self._text_query(node)})::text", self.sql.bind(_LEXEME)
            weighted = [self.sql.bind(_WEIGHTED_LEXEME + name) for name in classes]
            tests = [f"x.search_vector @@ regexp_replace({query}, {lexeme}, {w}, 'g')::tsquery" for w in weighted]
        weights = [weight for _, weight, _ in RANK_CLASSES]
        cases = " ".join(f"WHEN {test} THEN {weight!r}" for test, weight in zip(tests, weights, strict=True))
        return f"CASE {cases} ELSE 0 END"

    # -- boolean structure -------------------------------------------------------------------

    def _boolean(self, node: lucene.BooleanQuery) -> str:
        must: list[str] = []
        should: list[str] = []
        must_not: list[str] = []
        for clause in node.clauses:
            if clause.occur is lucene.Occur.MUST_NOT:
                must_not.append(self._prohibited(clause.query))
            else:
                compiled = self.predicate(clause.query)
                if clause.occur is lucene.Occur.MUST:
                    must.append(compiled)
                else:
                    should.append(compiled)
                    self._optional[id(clause.query)] = compiled
        parts = list(must)
        if should:
            needed = node.minimum_should_match
            if needed is None:
                needed = 0 if must else 1
            needed = max(0, min(needed, len(should)))
            if needed == len(should):
                parts.extend(should)
            elif needed == 1:
                parts.append("(" + " OR ".join(should) + ")")
            elif needed > 1:
                total = " + ".join(f"(coalesce({p}, false))::int" for p in should)
                parts.append(f"({total}) >= {needed:d}")
        parts.extend(f"NOT coalesce({p}, false)" for p in must_not)
        if not parts:
            return "TRUE"
        return "(" + " AND ".join(parts) + ")"

    def _prohibited(self, node: lucene.Node) -> str:
        """Predicate of a MUST_NOT clause; a stop-word-only term then excludes nothing."""
        if isinstance(node, (lucene.Term, lucene.Phrase)):
            inner_wildcard = isinstance(node, lucene.Term) and node.like is not None and node.prefix is None
            vector = self._vector(node.field)
            if vector is not None and not inner_wildcard and self._is_full_text(node.field):
                query = self._text_query(node)
                return f"(numnode({query}) > 0 AND {vector} @@ {query})"
        return self.predicate(node)

    # -- leaves ------------------------------------------------------------------------------

    @staticmethod
    def _is_full_text(field: str | None) -> bool:
        return field is None or kind_of(field) is Kind.TEXT

    @staticmethod
    def _vector(field: str | None) -> str | None:
        return (
            "x." + VECTOR_COLUMNS["text" if field is None else field]
            if (field is None or field in VECTOR_COLUMNS)
            else None
        )

    def _match(self, node: lucene.Term | lucene.Phrase) -> str:
        field = node.field
        if field == SPATIAL_FIELD:
            return self._intersects(node.text)
        if field is None:
            return self._full_text(node)
        kind = kind_of(field)
        if kind is Kind.TEXT:
            return self._full_text(node)
        if kind is Kind.NGRAM:
            return self._substring(NGRAM_SOURCES[field], node.text)
        if kind is Kind.DATE:
            instant = self.sql.bind(_date(node.text))
            return self._compare_values(field, f"= {instant}", kind)
        if isinstance(node, lucene.Term) and node.like is not None:
            pattern = self.sql.bind(node.like)
            if field in _STRING_COLUMNS:
                return f'd.{field} COLLATE "C" LIKE {pattern}'
            return self._terms(field, f"t.value LIKE {pattern}")
        if field in _STRING_COLUMNS:
            return f"d.{field} = {self.sql.bind(node.text)}"
        return self._terms(field, f"t.value = {self.sql.bind(node.text)}")

    def _intersects(self, text: str) -> str:
        """Datasets whose extent meets the envelope (``ext_bbox``, or ckanext-spatial's own filter)."""
        match = _ENVELOPE.match(text)
        if not match:
            raise InvalidQuery(f'{SPATIAL_FIELD} expects "Intersects(ENVELOPE(minX, maxX, maxY, minY))", got {text!r}')
        west, east, north, south = (float(number) for number in match.groups())
        if west > east or south > north:
            raise InvalidQuery(f"{SPATIAL_FIELD}: the envelope must have minX <= maxX and minY <= maxY")
        corners = [self.sql.bind(number) for number in (west, south, east, north)]
        self.sql.envelope = corners
        return (
            f"(d.extent_west <= {corners[2]} AND d.extent_east >= {corners[0]} "
            f"AND d.extent_south <= {corners[3]} AND d.extent_north >= {corners[1]})"
        )

    def _terms(self, field: str, condition: str | None = None) -> str:
        """The dataset has a value of ``field`` that satisfies ``condition`` (any value if None)."""
        where = f"t.field = {self.sql.bind(field)}" + (f" AND {condition}" if condition else "")
        return f"d.doc_id IN (SELECT t.doc_id FROM {TERM_TABLE} t WHERE {where})"

    def _substring(self, source: str, text: str) -> str:
        """Every whitespace-separated token of ``text`` is one of the value's indexed n-grams."""
        tokens = text.lower().split()
        if not tokens or any(len(token) not in NGRAM_SIZES for token in tokens):
            return "FALSE"
        value = "d.name" if source == "name" else "d.title_string"
        conditions = [f"lower({value}) LIKE {self.sql.bind('%' + _escape_like(t) + '%')}" for t in tokens]
        return "(" + " AND ".join(conditions) + ")"

    def _full_text(self, node: lucene.Term | lucene.Phrase) -> str:
        field = node.field
        vector = self._vector(field)  # None for a named text field without a vector of its own
        if isinstance(node, lucene.Term) and node.like is not None and node.prefix is None:
            # Inner wildcards (``Sch*le``, ``?ita``): match lexemes and raw values by pattern.
            pattern = self.sql.bind(node.like.lower())
            if field is not None and vector is None:
                return self._stored_text(field, f"lower(v.value) LIKE {pattern}")
            self.uses_text = True
            return _lexeme_like(str(vector), pattern)
        query = self._text_query(node)
        if field is not None and vector is None:
            return self._stored_text(field, f"to_tsvector({_CONFIG}, v.value) @@ {query}")
        self.uses_text = True
        # A term made only of stop words ("in", "der") is neutral instead of matching nothing.
        return f"(numnode({query}) = 0 OR {vector} @@ {query})"

    def _stored_text(self, field: str, condition: str) -> str:
        """A text field without a vector of its own: analysed on the fly from the stored document."""
        return (
            f"d.doc_id IN (SELECT s.doc_id FROM {DOCUMENT_TABLE} s, jsonb_array_elements_text("
            f"chemnitz_search.as_array(s.doc -> {self.sql.bind(field)})) AS v(value) WHERE {condition})"
        )

    def _text_query(self, node: lucene.Term | lucene.Phrase) -> str:
        """The tsquery expression for a term or phrase, German-stemmed."""
        if isinstance(node, lucene.Phrase):
            return f"phraseto_tsquery({_CONFIG}, {self.sql.bind(node.text)})"
        if node.prefix is not None:
            words = _WORD.findall(node.prefix)
            syntax = " & ".join(f"{word}:*" for word in words) if words else ""
            return f"to_tsquery({_CONFIG}, {self.sql.bind(syntax)})"
        query = f"plainto_tsquery({_CONFIG}, {self.sql.bind(node.text)})"
        variant = _plural_variant(node.text)
        if variant:
            query = f"({query} || plainto_tsquery({_CONFIG}, {self.sql.bind(variant)}))"
        return query

    def _exists(self, field: str) -> str:
        if field in _STRING_COLUMNS or field in _DATE_COLUMNS:
            return f"d.{field} IS NOT NULL"
        if kind_of(field) is Kind.TEXT:
            return self._stored_text(field, "v.value <> ''")
        return self._terms(field)

    def _range(self, node: lucene.Range) -> str:
        kind = kind_of(node.field)
        if kind in (Kind.TEXT, Kind.NGRAM):
            raise InvalidQuery(f"range queries are not supported on the text field {node.field!r}")
        low: Any = node.low
        high: Any = node.high
        if kind is Kind.DATE:
            low = None if low is None else _date(low)
            high = None if high is None else _date(high)
        elif kind is Kind.INT or _numeric(low, high):
            kind = Kind.INT
            low = None if low is None else _number(low)
            high = None if high is None else _number(high)
        conditions = []
        if low is not None:
            conditions.append((">=" if node.include_low else ">") + " " + self.sql.bind(low))
        if high is not None:
            conditions.append(("<=" if node.include_high else "<") + " " + self.sql.bind(high))
        if not conditions:
            return self._exists(node.field)
        return self._compare_values(node.field, conditions, kind)

    def _compare_values(self, field: str, conditions: str | list[str], kind: Kind) -> str:
        """Some value of ``field`` satisfies every condition (``'>= :p1'`` …)."""
        if isinstance(conditions, str):
            conditions = [conditions]
        if field in _DATE_COLUMNS:
            return "(" + " AND ".join(f"d.{field} {c}" for c in conditions) + ")"
        if field in _STRING_COLUMNS and kind is Kind.STRING:
            return "(" + " AND ".join(f'd.{field} COLLATE "C" {c}' for c in conditions) + ")"
        value = {
            Kind.DATE: "chemnitz_search.to_timestamptz(t.value)",
            Kind.INT: "chemnitz_search.to_numeric(t.value)",
            Kind.STRING: "t.value",
        }[kind]
        return self._terms(field, " AND ".join(f"{value} {c}" for c in conditions))


def _weighed_by_class(node: lucene.Node, by_class: bool) -> bool:
    """A free-text word read like dismax: it scores the weight of its best class of fields."""
    return by_class and isinstance(node, (lucene.Term, lucene.Phrase)) and node.field is None


def _lexeme_like(vector: str, pattern: str) -> str:
    """Some lexeme of the tsvector matches the LIKE pattern (an inner wildcard: ``Sch*le``)."""
    return f"EXISTS (SELECT 1 FROM unnest(tsvector_to_array({vector})) AS l(lexeme) WHERE l.lexeme LIKE {pattern})"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _plural_variant(text: str) -> str | None:
    """The other number of a word whose -s plural the German stemmer does not remove."""
    if not _PLURAL_CANDIDATE.match(text):
        return None
    return text[:-1] if text.lower().endswith("s") else text + "s"


def _date(text: str) -> dt.datetime:
    try:
        return datemath.parse(text)
    except datemath.DateMathError as error:
        raise InvalidQuery(str(error)) from None


def _numeric(*bounds: str | None) -> bool:
    values = [b for b in bounds if b is not None]
    return bool(values) and all(_is_number(b) for b in values)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidQuery(f"{text!r} is not a number") from None


def minimum_should_match(spec: str, optional: int) -> int:
    """Solr's ``mm`` parameter (``2<-1 5<80%``) for a query with ``optional`` SHOULD clauses."""
    spec = spec.strip()
    if "<" not in spec:
        return _mm_value(spec, optional)
    result = optional
    for part in spec.split():
        threshold, _, value = part.partition("<")
        try:
            if optional > int(threshold):
                result = _mm_value(value, optional)
        except ValueError:
            raise InvalidQuery(f"invalid mm parameter {spec!r}") from None
    return result


def _mm_value(value: str, optional: int) -> int:
    try:
        if value.endswith("%"):
            percent = int(value[:-1])
            amount = optional * abs(percent) // 100
            result = optional - amount if percent < 0 else amount
        else:
            number = int(value)
            result = optional + number if number < 0 else number
    except ValueError:
        raise InvalidQuery(f"invalid mm parameter {value!r}") from None
    return max(0, min(optional, result))
