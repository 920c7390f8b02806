"""Reading a paged DCAT catalogue the way harvesters do: follow ``hydra:next`` to the last page."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import rdflib

from ckanext.chemnitz.security import outbound

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".n3": "n3"}
MAX_PAGE_BYTES = 100 * 1024 * 1024


def pages(url: str, timeout: float = 60) -> Iterator[rdflib.Graph]:
    """Every page of the catalogue at ``url`` as a graph; the format follows the URL's suffix.

    The operator names the catalogue, so its host and port are trusted even when internal (the
    portal's own); a ``hydra:next`` elsewhere must be on the allowlist like any other fetch.
    """
    trusted = outbound.exact_entry(url)
    seen: set[str] = set()
    next_url: str | None = url
    while next_url and next_url not in seen:
        seen.add(next_url)
        path = next_url.split("?", 1)[0]
        rdf_format = next((f for suffix, f in FORMATS.items() if path.endswith(suffix)), "turtle")
        answer = outbound.fetch(
            next_url, timeout=timeout, max_bytes=MAX_PAGE_BYTES, headers={"Accept": "text/turtle"},
            also_allowed=[trusted],
        )  # fmt: skip
        if answer.status != 200:
            raise outbound.Refused(f"{next_url} answered HTTP {answer.status}")
        graph = rdflib.Graph().parse(data=answer.body, format=rdf_format)
        yield graph
        following = [str(o) for o in graph.objects(None, HYDRA.next)]
        next_url = following[0] if following else None


def with_profile(url: str, profile: str) -> str:
    """``url`` asking ckanext-dcat for another RDF profile (its ``profiles`` parameter)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "profiles"] + [("profiles", profile)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
