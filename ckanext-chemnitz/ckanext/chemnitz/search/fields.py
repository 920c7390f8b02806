"""Field types of the search index, mirroring CKAN's Solr schema (``ckan/config/solr/schema.xml``).

Solr decides per field how a query term matches: ``string`` fields match the whole value exactly
(case-sensitive), ``text`` fields match analysed words, ``date`` and ``int`` fields compare values.
The PostgreSQL backend keeps those semantics so that clients written against CKAN+Solr (the web UI,
ckanext-dcat, harvesters, scripts) get the same answers.
"""

from __future__ import annotations

import enum
import re


class Kind(enum.Enum):
    STRING = "string"
    TEXT = "text"
    DATE = "date"
    INT = "int"
    NGRAM = "ngram"


# Analysed (tokenised) fields of CKAN's Solr schema, ``text`` and ``text_general`` alike.
_TEXT_FIELDS = frozenset(
    {
        "title", "notes", "text", "urls",
        "author", "author_email", "maintainer", "maintainer_email",
        "res_name", "res_description",
        "depends_on", "dependency_of", "derives_from", "has_derivation",
        "links_to", "linked_from", "child_of", "parent_of",
    }
)  # fmt: skip
_TEXT_PREFIXES = ("extras_", "res_extras_")

_DATE_FIELDS = frozenset({"metadata_created", "metadata_modified", "indexed_ts"})
_INT_FIELDS = frozenset({"views_total", "views_recent", "resources_accessed_total", "resources_accessed_recent"})

# The order of datasets that the requested sort leaves equal (the same score, the same title …), on
# both backends (query.py, solr.py): the most recently changed first, then by name, which is unique, so
# that equally ranked datasets come in the same order and on the same pages on PostgreSQL and on Solr.
TIE_BREAK = (("metadata_modified", "desc"), ("name", "asc"))

# Relevance (``sort=score desc``), computed alike by both backends: a word of free text counts with the
# weight of the best class of fields it occurs in (in the title it outweighs any number of mentions
# elsewhere), summed over the query's words; equally relevant datasets follow TIE_BREAK. PostgreSQL:
# the classes are the weights A–D of the full-text vector (document.py, index.py; compiler.py ranks);
# Solr: the boosts of the free-text query fields under BooleanSimilarity with dismax's tie=0
# (docker/solr/conf/schema.xml, solr.py). Powers of two: sums are exact in either's floating point.
RANK_CLASSES = (
    ("A", 1.0, ("name_text", "title")),
    ("B", 0.5, ("notes",)),
    ("C", 0.25, ("topics_text",)),
    ("D", 0.125, ("text",)),
)

# Substring fields for type-ahead (``package_autocomplete``): Solr indexes 2–10 character n-grams
# of these copies of ``name`` and ``title``.
NGRAM_SOURCES = {"name_ngram": "name", "title_ngram": "title"}
NGRAM_SIZES = range(2, 11)

# Fields Solr indexes but never returns (``stored="false"``); ``fl`` leaves them out, too.
UNSTORED_FIELDS = frozenset(
    {"text", "urls", "title_string", "permission_labels"} | _INT_FIELDS
    | {"depends_on", "dependency_of", "derives_from", "has_derivation",
       "links_to", "linked_from", "child_of", "parent_of"}
)  # fmt: skip

# Text fields with a tsvector column of their own; the other text fields are matched on the fly.
VECTOR_COLUMNS = {"text": "search_vector", "title": "title_vector", "notes": "notes_vector"}

# Spatial search (ckanext-spatial's names): the dataset's extent as [west, south, east, north] in
# the document, and the Solr field its ``Intersects(ENVELOPE(…))`` filters name.
EXTENT_FIELD = "spatial_bbox"
SPATIAL_FIELD = "spatial_geom"

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def kind_of(field: str) -> Kind:
    """The Solr field type a field name resolves to (dynamic fields included)."""
    if field in NGRAM_SOURCES:
        return Kind.NGRAM
    if field in _TEXT_FIELDS or field.startswith(_TEXT_PREFIXES):
        return Kind.TEXT
    if field in _DATE_FIELDS or field.endswith("_date"):
        return Kind.DATE
    if field in _INT_FIELDS:
        return Kind.INT
    return Kind.STRING


def is_valid_name(field: str) -> bool:
    """Whether ``field`` can be a field name (used for sort and facet parameters)."""
    return bool(_FIELD_NAME.match(field))
