"""Catalogue pages and dataset RDF assembled from the stored pieces (``store.py``) and streamed.

Replaces ckanext-dcat's views of ``/catalog.{format}`` and ``/dataset/{id}.{format}`` for the two
profiles the portal stores; any other ``profiles`` value, and datasets only some users may see,
still go through ckanext-dcat (built per request). Every answer carries an ``ETag`` (what the
page holds: its datasets and the times they changed, the catalogue's last change, the stored
generation) and ``Last-Modified`` (the catalogue's, or the dataset's, last change); a conditional
request that matches is answered ``304`` before any piece is read.

``modified_since`` lists the datasets whose RDF changed since then (their own edits, and changes
of their organization or series) and, on the first page, every dataset that left the public
catalogue since then (deleted, made private or draft) as an ActivityStreams tombstone::

    <https://…/dataset/{id}> a as:Tombstone ; as:formerType dcat:Dataset ; as:deleted "…"^^xsd:dateTime .
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import quoteattr

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.search import SearchError
from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.logic import DATASETS_PER_PAGE, wrong_page_exception
from ckanext.dcat.profiles import DCAT, RDF
from ckanext.dcat.utils import catalog_uri
from dateutil.parser import parse as parse_date
from flask import Flask, Response
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import XSD

from ckanext.chemnitz.dcat import catalog_page, listing, pieces, store

AS = Namespace("https://www.w3.org/ns/activitystreams#")
XML_OPEN = '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
PUBLIC = store.PUBLIC
WITH_RECORD = f"FROM package p LEFT JOIN {store.RECORD} r ON r.package_id = p.id"


def requested_profile() -> str | None:
    """The stored profile the request asks for, or None for any other choice (built per request)."""
    raw = tk.request.args.get("profiles")
    if raw:
        names = [name.strip() for name in raw.split(",") if name.strip()]
    else:
        configured = tk.config.get("ckanext.dcat.rdf.profiles") or ""
        names = configured.split() if isinstance(configured, str) else list(configured)
    return names[0] if len(names) == 1 and names[0] in pieces.PROFILES else None


def _since(raw: str | None) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        moment = parse_date(raw)
    except (ValueError, OverflowError):
        raise tk.ValidationError({"modified_since": ["Wrong modified date format. Use ISO-8601 format"]}) from None
    return moment.astimezone(datetime.UTC).replace(tzinfo=None) if moment.tzinfo else moment


# No catalogue has a billion pages; a larger page number is an error, not an empty page.
MAX_PAGE = 10**9


def _page_number() -> int:
    try:
        page = int(tk.request.args.get("page") or 1)
    except ValueError:
        raise wrong_page_exception from None
    if not 1 <= page <= MAX_PAGE:  # beyond MAX_PAGE the offset would not fit the database's bigint
        raise wrong_page_exception
    return page


def _whole_catalogue(since: datetime.datetime | None) -> bool:
    """Whether the request pages through the whole public catalogue (no ``q``, ``fq`` or ``modified_since``)."""
    return not (tk.request.args.get("q") or tk.request.args.get("fq") or since)


def _filtered_listing(page: int, rows: int, since: datetime.datetime | None) -> tuple[list[Any], int]:
    """The datasets ``(id, stamp)`` of a page asked with ``q``, ``fq`` or ``modified_since``, and how
    many match, newest change first (as ckanext-dcat)."""
    q, fq = tk.request.args.get("q"), tk.request.args.get("fq")
    if not (q or fq):  # the datasets changed since: few, counted and paged where they are
        changed = f"{WITH_RECORD} WHERE {PUBLIC} AND {store.STAMP} >= :since"
        found = model.Session.execute(  # the count with the page: one round trip
            sa.text(f"SELECT p.id, {store.STAMP} AS stamp, count(*) OVER () AS total {changed} "
                    "ORDER BY p.metadata_modified DESC, p.id LIMIT :rows OFFSET :start"),
            {"since": since, "rows": rows, "start": rows * (page - 1)},
        ).all()  # fmt: skip
        if not found:  # past the last page
            return [], model.Session.execute(sa.text(f"SELECT count(*) {changed}"), {"since": since}).scalar_one()
        return [(row.id, row.stamp) for row in found], found[0].total
    search = {
        "q": q or "*:*",
        "fq": fq,
        "fq_list": [f"-dataset_type:{kind}" for kind in store.HIDDEN_TYPES],
        "rows": rows,
        "start": rows * (page - 1),
        "sort": "metadata_modified desc",
        "fl": "id",
    }
    if since:
        search["fq_list"].append(f"metadata_modified:[{since.isoformat()}Z TO NOW]")
    try:
        found = tk.get_action("package_search")({}, search)
    except SearchError as error:
        raise tk.ValidationError({"q": [str(error)]}) from None
    ids = [result["id"] for result in found["results"]]
    stamps = dict(
        model.Session.execute(
            sa.text(f"SELECT p.id, {store.STAMP} {WITH_RECORD} WHERE p.id = ANY(:ids) AND {PUBLIC}"), {"ids": ids}
        ).all()
    )
    return [(id_, stamps[id_]) for id_ in ids if id_ in stamps], found["count"]


def _tombstones(since: datetime.datetime) -> list[Any]:
    return model.Session.execute(
        sa.text(f"""SELECT r.uri, r.changed FROM {store.RECORD} r LEFT JOIN package p ON p.id = r.package_id
            WHERE r.changed >= :since AND (p.id IS NULL OR NOT ({PUBLIC})) ORDER BY r.changed DESC, r.uri"""),
        {"since": since},
    ).all()  # fmt: skip


def _tag(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, default=str).encode()).hexdigest()


def _not_modified(etag: str, last_modified: datetime.datetime) -> bool:
    """RFC 9110: If-None-Match decides when present, else If-Modified-Since (whole seconds).

    If-None-Match compares weakly (RFC 9110, 13.1.2): a proxy that compresses the page, as nginx
    with gzip does in front of the portal, sends the tag as ``W/"…"``, and a harvester sends it back
    so.
    """
    request = tk.request
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    if request.if_modified_since:
        return last_modified.replace(microsecond=0, tzinfo=datetime.UTC) <= request.if_modified_since
    return False


def _conditional() -> bool:
    return bool(tk.request.if_none_match or tk.request.if_modified_since)


def _answer(fmt: str, etag: str, last_modified: datetime.datetime, body: Callable[[], Iterator[str]]) -> Response:
    if _not_modified(etag, last_modified):
        response = Response(status=304)
    else:
        response = Response(body(), content_type=f"{dcat_utils.CONTENT_TYPES[fmt]}; charset=utf-8")
    response.set_etag(etag)
    response.last_modified = last_modified.replace(tzinfo=datetime.UTC)
    return response


def _assemble(fmt: str, parts: list[str]) -> Iterator[str]:
    """One document of the parts (the catalogue head first, if any), in the stored format ``fmt``."""
    parts = [part for part in parts if part]
    if fmt == "ttl":
        for part in parts:
            yield part + "\n"
    elif fmt == "xml":
        yield XML_OPEN
        yield from parts
        yield "</rdf:RDF>\n"
    else:
        yield "[\n"
        for number, part in enumerate(parts):
            yield (",\n" if number else "") + part
        yield "\n]\n"


# What the catalogue's own description is made of besides the code and the catalogue's last change.
CATALOGUE_SETTINGS = (
    "ckan.site_title",
    "ckan.site_description",
    "ckan.site_url",
    "ckan.locale_default",
    "ckanext.dcat.base_uri",
    "ckanext.chemnitz.dcat.catalog_description",
    "ckanext.chemnitz.dcat.catalog_publisher_uri",
    "ckanext.chemnitz.dcat.catalog_publisher_name",
    "ckanext.chemnitz.dcat.regional_key",
)
_catalogue_nodes: dict[tuple[Any, ...], str] = {}


def _catalogue_node(profile: str, fmt: str, last_change: datetime.datetime) -> str:
    """The catalogue's own description (title, publisher, last change …), the same on every page
    until the catalogue changes: made once per process for each profile, format and change
    (building it with ckanext-dcat cost more than reading a page's pieces)."""
    settings = tuple(str(tk.config.get(option) or "") for option in CATALOGUE_SETTINGS)
    key = (pieces.generation(), profile, fmt, last_change, settings)
    if key not in _catalogue_nodes:
        serializer = pieces.Serializer(profiles=[profile])
        serializer.graph_from_catalog({})
        if len(_catalogue_nodes) >= 32:  # earlier changes' descriptions are never asked for again
            _catalogue_nodes.clear()
        _catalogue_nodes[key] = pieces.render(serializer.g, fmt)
    return _catalogue_nodes[key]


def _paging(profile: str, fmt: str, pagination: dict[str, Any], tombstones: list[Any]) -> str:
    """The page's hydra paging and the tombstones (the links to the datasets: ``_links``)."""
    serializer = pieces.Serializer(profiles=[profile])
    graph = serializer.g
    if pagination:
        serializer._add_pagination_triples(pagination)
    if tombstones:
        graph.bind("as", AS)
    for uri, when in tombstones:
        graph.add((URIRef(uri), RDF.type, AS.Tombstone))
        graph.add((URIRef(uri), AS.formerType, DCAT.Dataset))
        graph.add((URIRef(uri), AS.deleted, Literal(when.isoformat(), datatype=XSD.dateTime)))
    return pieces.render(graph, fmt) if len(graph) else ""


def _links(fmt: str, uris: list[str]) -> str:
    """``<catalogue> dcat:dataset <dataset>`` for the page's datasets, written directly (a graph of
    them took rdflib longer to serialise than the rest of the page)."""
    if not uris:
        return ""
    catalogue = catalog_uri()
    if fmt == "ttl":
        return f"{URIRef(catalogue).n3()} {DCAT.dataset.n3()} {', '.join(URIRef(uri).n3() for uri in uris)} .\n"
    if fmt == "xml":
        links = "".join(f"<dcat:dataset rdf:resource={quoteattr(uri)}/>" for uri in uris)
        return (f'<rdf:Description xmlns:dcat="{DCAT}" rdf:about={quoteattr(catalogue)}>{links}'
                "</rdf:Description>\n")  # fmt: skip
    return json.dumps({"@id": catalogue, str(DCAT.dataset): [{"@id": uri} for uri in uris]})


def catalog_response(url_format: str) -> Response:
    """A page of the catalogue, from the stored pieces; ckanext-dcat's for other profiles."""
    profile = requested_profile()
    if profile is None or not store.available():
        return dcat_utils.read_catalog_page(url_format)
    fmt = store.URL_FORMATS[url_format]
    try:
        page, since = _page_number(), _since(tk.request.args.get("modified_since"))
        rows = int(tk.config.get("ckanext.dcat.datasets_per_page") or DATASETS_PER_PAGE)
        last_change = store.catalogue_modified() or datetime.datetime(1970, 1, 1)
        read: dict[str, tuple[str, str]] | None = None
        if _whole_catalogue(since):
            listed, count, read = listing.page(page, rows, last_change, None if _conditional() else (profile, fmt))
        else:
            listed, count = _filtered_listing(page, rows, since)
        pagination = catalog_page.pagination_info({"count": count, "results": listed}, {"page": page})
    except tk.ValidationError as error:
        return tk.abort(409, str(error))
    tombstones = _tombstones(since) if since and page == 1 else []
    etag = _tag(pieces.generation(), profile, url_format, sorted(tk.request.args.items(multi=True)), count,
                listed, tombstones, last_change)  # fmt: skip

    def body() -> Iterator[str]:
        ids = [id_ for id_, _stamp in listed]
        if read is not None:
            found = read
        elif _whole_catalogue(since):
            found = listing.pieces(page, rows, last_change, ids, profile, fmt)
        else:
            found = store.fresh_pieces(ids, profile, fmt)
        present = [found[id_] for id_, _stamp in listed if id_ in found]
        head = [_catalogue_node(profile, fmt, last_change), _paging(profile, fmt, pagination, tombstones)]
        links = _links(fmt, [uri for uri, _piece in present])
        return _assemble(fmt, [*head, links, *(piece for _uri, piece in present)])

    return _answer(url_format, etag, last_change, body)


def dataset_response(name_or_id: str, url_format: str, original: Callable[[], Any]) -> Any:
    """One public dataset's RDF from its stored piece; ckanext-dcat's for anything else."""
    profile = requested_profile()
    package = model.Package.get(name_or_id)
    public = package is not None and package.state == "active" and not package.private
    if profile is None or not public or package.type in store.HIDDEN_TYPES or not store.available():
        return original()
    fmt = store.URL_FORMATS[url_format]
    stamp = model.Session.execute(
        sa.text(f"SELECT {store.STAMP} {WITH_RECORD} WHERE p.id = :id"),
        {"id": package.id},
    ).scalar_one()
    etag = _tag(pieces.generation(), profile, url_format, package.id, stamp)

    def body() -> Iterator[str]:
        _uri, piece = store.fresh_pieces([package.id], profile, fmt)[package.id]
        return _assemble(fmt, [piece])

    return _answer(url_format, etag, stamp, body)


def install(app: Flask) -> Flask:
    """Answer ckanext-dcat's RDF endpoints from the stored pieces (where ckanext-dcat is loaded)."""
    if "dcat.read_catalog" in app.view_functions:
        read_catalog = app.view_functions["dcat.read_catalog"]

        def catalog(_format: str | None = None, package_type: str | None = None) -> Any:
            chosen = _format or dcat_utils.check_access_header()
            _refuse_unknown(chosen)
            if chosen not in store.URL_FORMATS:
                return read_catalog(_format=_format, package_type=package_type)
            return catalog_response(chosen)

        app.view_functions["dcat.read_catalog"] = catalog
    for endpoint in ("dcat.read_dataset", "dcat.read_dataset_series"):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = _dataset_view(app.view_functions[endpoint])
    return app


def _refuse_unknown(chosen: str | None) -> None:
    """A suffix no RDF serialisation has (``/catalog.nt``, ``.json``) is a missing page, not a 500:
    ckanext-dcat looks such a suffix up in its table of content types and fails."""
    if chosen and chosen not in dcat_utils.CONTENT_TYPES:
        tk.abort(404, tk._("This catalogue is not offered as '{format}'.").format(format=chosen[:20]))


def _dataset_view(read_dataset: Callable[..., Any]) -> Callable[..., Any]:
    def dataset(_id: str, _format: str | None = None, package_type: str | None = None) -> Any:
        chosen = _format or dcat_utils.check_access_header()

        def original() -> Any:
            return read_dataset(_id=_id, _format=_format, package_type=package_type)

        _refuse_unknown(chosen)
        if chosen not in store.URL_FORMATS:
            return original()
        return dataset_response(_id, chosen, original)

    return dataset
