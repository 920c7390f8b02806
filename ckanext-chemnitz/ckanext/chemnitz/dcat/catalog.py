"""Reading a paged DCAT catalogue the way harvesters do: follow ``hydra:next`` to the last page."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator

import rdflib

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".n3": "n3"}


def pages(url: str, timeout: float = 60) -> Iterator[rdflib.Graph]:
    """Every page of the catalogue at ``url`` as a graph; the format follows the URL's suffix."""
    seen: set[str] = set()
    next_url: str | None = url
    while next_url and next_url not in seen:
        seen.add(next_url)
        path = next_url.split("?", 1)[0]
        rdf_format = next((f for suffix, f in FORMATS.items() if path.endswith(suffix)), "turtle")
        request = urllib.request.Request(next_url, headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            graph = rdflib.Graph().parse(data=answer.read(), format=rdf_format)
        yield graph
        following = [str(o) for o in graph.objects(None, HYDRA.next)]
        next_url = following[0] if following else None


def with_profile(url: str, profile: str) -> str:
    """``url`` asking ckanext-dcat for another RDF profile (its ``profiles`` parameter)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "profiles"] + [("profiles", profile)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
