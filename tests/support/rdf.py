"""DCAT answers read as RDF graphs, so that tests check triples rather than the text of one serialisation."""

from __future__ import annotations

import rdflib
from rdflib import RDF
from rdflib.namespace import DCAT, DCTERMS


def graph(data: bytes | str, rdf_format: str = "turtle") -> rdflib.Graph:
    """The graph of an RDF document (``turtle``, ``xml``, ``json-ld``, ``n3``); a document that does not parse fails."""
    return rdflib.Graph().parse(data=data, format=rdf_format)


def dataset_titles(document: rdflib.Graph) -> set[str]:
    """The title of each ``dcat:Dataset`` node (``"None"`` for one without)."""
    return {str(document.value(dataset, DCTERMS.title)) for dataset in document.subjects(RDF.type, DCAT.Dataset)}


def missing(document: rdflib.Graph, expected: list[tuple[rdflib.term.Node | None, ...]]) -> list[tuple]:
    """Those of the ``(subject, predicate, object)`` patterns (``None`` for any) that no triple matches."""
    return [pattern for pattern in expected if pattern not in document]


def mentions(document: rdflib.Graph, text: str) -> bool:
    """Whether any term of any triple contains ``text`` (a leak check independent of escaping)."""
    return any(text in str(term) for triple in document for term in triple)
