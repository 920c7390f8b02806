"""Turtle, RDF/XML and JSON-LD written straight from a small graph (one dataset, a catalogue head).

rdflib's serialisers spent about 13 ms on the three documents of one dataset (Turtle's prefix
search, pretty-xml's nesting, JSON-LD's context machinery): three quarters of what storing a
dataset's RDF cost. The graphs stored here are small trees (a dataset, its distributions, blank
nodes used once), so each document is one pass over the triples grouped by subject:

* Turtle: the prefixes used, each named subject once, blank nodes used once nested as ``[ … ]``;
  literals as rdflib's Turtle serialiser writes them (its own ``_literal_n3``), so values read back
  identically.
* RDF/XML: the top-level elements only, each declaring the namespaces it uses (``pages.py`` puts
  them inside one ``rdf:RDF``); a typed node element where the type has a QName.
* JSON-LD: the node objects of the expanded document (no context), as rdflib writes them.

Blank nodes not nested keep their rdflib ids, which are random, so pieces concatenate safely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import cast
from xml.sax.saxutils import escape, quoteattr

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

# A local name that is safe in Turtle prefixed names and XML QNames alike.
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")
_FIRST: dict[Term, int] = {  # subjects written first, in this order: catalogue, datasets, distributions
    URIRef("http://www.w3.org/ns/dcat#Catalog"): 0,
    URIRef("http://www.w3.org/ns/dcat#Dataset"): 1,
    URIRef("http://www.w3.org/ns/dcat#DatasetSeries"): 1,
    URIRef("http://www.w3.org/ns/dcat#Distribution"): 2,
}
RDF_NS = str(RDF)
TYPE = RDF.type
Term = URIRef | BNode | Literal


class _Shape:
    """The graph as ``subject -> predicate -> objects`` with the blank nodes to nest."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.subjects: dict[Term, dict[URIRef, list[Term]]] = {}
        references: dict[BNode, int] = {}
        # rdflib types a graph's terms as Node; those of a built or parsed graph are these three
        for subject, predicate, obj in cast("Iterable[tuple[Term, URIRef, Term]]", graph):
            self.subjects.setdefault(subject, {}).setdefault(predicate, []).append(obj)
            if isinstance(obj, BNode):
                references[obj] = references.get(obj, 0) + 1
        self.namespaces = {str(namespace): prefix for prefix, namespace in graph.namespaces() if prefix}
        self.nested = {node for node, count in references.items() if count == 1}
        self.roots = sorted((s for s in self.subjects if s not in self.nested), key=self._order)
        self._unnest_cycles()
        self._properties: dict[Term, list[tuple[URIRef, list[Term]]]] = {}

    def _order(self, subject: Term) -> tuple[int, str]:
        types = self.subjects.get(subject, {}).get(TYPE, [])
        return min((_FIRST.get(t, 3) for t in types), default=3), str(subject)

    def _unnest_cycles(self) -> None:
        """Blank nodes only reachable from each other (no root leads to them) become roots."""
        reached: set[Term] = set()
        stack = list(self.roots)
        while True:
            while stack:
                for objects in self.subjects.get(stack.pop(), {}).values():
                    for obj in objects:
                        if obj in self.nested and obj not in reached:
                            reached.add(obj)
                            stack.append(obj)
            orphans = sorted(node for node in self.nested - reached if node in self.subjects)
            if not orphans:
                return
            self.nested.discard(orphans[0])
            self.roots.append(orphans[0])
            stack.append(orphans[0])

    def properties(self, subject: Term) -> list[tuple[URIRef, list[Term]]]:
        """rdf:type first, then the predicates in IRI order; objects sorted (stable output)."""
        if subject not in self._properties:
            found = self.subjects.get(subject, {})
            ordered = sorted(found, key=lambda predicate: (predicate != TYPE, str(predicate)))
            self._properties[subject] = [(p, sorted(found[p], key=_object_order)) for p in ordered]
        return self._properties[subject]


def _object_order(obj: Term) -> tuple[int, str]:
    return (0 if isinstance(obj, URIRef) else 1 if isinstance(obj, BNode) else 2), str(obj)


def _split(uri: str) -> tuple[str, str] | None:
    """Namespace and local name at the last ``#`` or ``/``, if the local name is a safe one."""
    cut = max(uri.rfind("#"), uri.rfind("/")) + 1
    local = uri[cut:]
    return (uri[:cut], local) if cut and _LOCAL.fullmatch(local) else None


# -------------------------------------------------------------------------------------- Turtle
def _turtle(shape: _Shape) -> str:
    """A complete Turtle document (prefixes first)."""
    used: dict[str, str] = {}

    def name(uri: URIRef) -> str:
        split = _split(uri)
        prefix = shape.namespaces.get(split[0]) if split else None
        if split is None or prefix is None:
            return uri.n3()
        used[prefix] = split[0]
        return f"{prefix}:{split[1]}"

    def term(node: Term, depth: int) -> str:
        if isinstance(node, Literal):
            return node._literal_n3(use_plain=True, qname_callback=name)
        if isinstance(node, URIRef):
            return name(node)
        if node in shape.nested:
            inner = properties(node, depth + 1)
            return f"[ {inner} ]" if inner else "[]"
        return node.n3()

    def properties(subject: Term, depth: int) -> str:
        indent = "\n" + "    " * depth
        return f" ;{indent}".join(
            ("a" if predicate == TYPE else name(predicate))
            + " "
            + f",{indent}    ".join(term(obj, depth + 1) for obj in objects)
            for predicate, objects in shape.properties(subject)
        )

    blocks = [f"{term(root, 0)} {properties(root, 1)} .\n" for root in shape.roots]
    prefixes = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(used.items()))
    return prefixes + "\n" + "\n".join(blocks)


# ------------------------------------------------------------------------------------- RDF/XML
def _rdf_xml_elements(shape: _Shape) -> str:
    """The top-level RDF/XML elements, each declaring the namespaces it uses."""
    return "".join(_xml_node(shape, root, {"rdf": RDF_NS}, 0) + "\n" for root in shape.roots)


def _qname(shape: _Shape, uri: str, declared: dict[str, str]) -> str | None:
    """``prefix:local`` for an element name, declaring the prefix (``nsN`` where none is bound)."""
    match = _NCNAME_TAIL.search(uri)
    if not match or match.start() == 0:
        return None
    namespace, local = uri[: match.start()], match.group()
    prefix = shape.namespaces.get(namespace)
    number = 0
    while prefix is None or prefix == "xml" or declared.get(prefix, namespace) != namespace:
        prefix, number = f"ns{number}", number + 1
    declared[prefix] = namespace
    return f"{prefix}:{local}"


def _xml_node(shape: _Shape, subject: Term, declared: dict[str, str], depth: int) -> str:
    """A node element, typed by its first type that has a QName (else ``rdf:Description``); at the
    top (``depth`` 0) it declares every namespace used inside it."""
    properties = shape.properties(subject)
    tag = "rdf:Description"
    if properties and properties[0][0] == TYPE:
        types = properties[0][1]
        for position, rdf_type in enumerate(types):
            qname = _qname(shape, rdf_type, declared) if isinstance(rdf_type, URIRef) else None
            if qname:
                tag, rest = qname, types[:position] + types[position + 1 :]
                properties = ([(TYPE, rest)] if rest else []) + properties[1:]
                break
    if isinstance(subject, URIRef):
        attributes = f" rdf:about={quoteattr(subject)}"
    else:
        attributes = "" if subject in shape.nested else f" rdf:nodeID={quoteattr(_node_id(subject))}"
    indent = "\n" + "  " * (depth + 1)
    children = []
    for predicate, objects in properties:
        element = _qname(shape, predicate, declared)
        if element is None:
            raise ValueError(f"{predicate} cannot be written as an RDF/XML element")
        children += [indent + _xml_property(shape, element, obj, declared, depth + 1) for obj in objects]
    if depth == 0:
        namespaces = "".join(f" xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in sorted(declared.items()))
        attributes = namespaces + attributes
    if not children:
        return f"<{tag}{attributes}/>"
    return f"<{tag}{attributes}>{''.join(children)}\n{'  ' * depth}</{tag}>"


def _xml_property(shape: _Shape, element: str, obj: Term, declared: dict[str, str], depth: int) -> str:
    if isinstance(obj, URIRef):
        return f"<{element} rdf:resource={quoteattr(obj)}/>"
    if isinstance(obj, BNode):
        if obj not in shape.nested:
            return f"<{element} rdf:nodeID={quoteattr(_node_id(obj))}/>"
        inner = _xml_node(shape, obj, declared, depth + 1)
        return f"<{element}>\n{'  ' * (depth + 1)}{inner}\n{'  ' * depth}</{element}>"
    if obj.language:
        attributes = f" xml:lang={quoteattr(obj.language)}"
    elif obj.datatype:
        attributes = f" rdf:datatype={quoteattr(obj.datatype)}"
    else:
        attributes = ""
    return f"<{element}{attributes}>{escape(obj)}</{element}>"


def _node_id(node: str) -> str:
    """rdf:nodeID must be an XML name; rdflib's own ids (``N`` and hex digits) are."""
    return node if _LOCAL.fullmatch(node) else "b" + re.sub(r"[^A-Za-z0-9_-]", "_", node)


# ------------------------------------------------------------------------------------- JSON-LD
def _jsonld_nodes(shape: _Shape) -> str:
    """The node objects of the expanded JSON-LD document, comma-separated (no enclosing array)."""
    nodes = []
    for subject in sorted(shape.subjects, key=shape._order):
        node: dict[str, object] = {"@id": _jsonld_id(subject)}
        for predicate, objects in shape.properties(subject):
            if predicate == TYPE:
                node["@type"] = [_jsonld_id(obj) for obj in objects]
            else:
                node[str(predicate)] = [_jsonld_value(obj) for obj in objects]
        nodes.append(json.dumps(node, ensure_ascii=False))
    return ",\n".join(nodes)


def _jsonld_id(node: Term) -> str:
    return node.n3() if isinstance(node, BNode) else str(node)


def _jsonld_value(obj: Term) -> dict[str, str]:
    if not isinstance(obj, Literal):
        return {"@id": _jsonld_id(obj)}
    if obj.language:
        return {"@language": obj.language, "@value": str(obj)}
    if obj.datatype:
        return {"@type": str(obj.datatype), "@value": str(obj)}
    return {"@value": str(obj)}


WRITERS: dict[str, Callable[[_Shape], str]] = {"ttl": _turtle, "xml": _rdf_xml_elements, "jsonld": _jsonld_nodes}


def write(graph: rdflib.Graph, formats: Iterable[str]) -> dict[str, str]:
    """``graph`` in each of ``formats`` (``ttl``, ``xml``, ``jsonld``), grouped by subject once."""
    shape = _Shape(graph)
    return {fmt: WRITERS[fmt](shape) for fmt in formats}
