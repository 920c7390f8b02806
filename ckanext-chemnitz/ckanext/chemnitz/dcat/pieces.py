"""What a stored piece of DCAT RDF is made of: the graph of a dataset in both profiles, written in the
three joinable formats, and the fingerprint (``generation``) of everything besides the dataset that
shapes it.

Kept apart from the storing and reading of pieces (``store.py``), so that only a change of what
shapes the RDF — this module, the profile and its helpers, ckanext-dcat, the settings, the licence
and department lists — makes every stored piece outdated; a change of how pieces are stored, read
or assembled into pages keeps them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any, ClassVar

import ckan.plugins.toolkit as tk
import rdflib
from ckan import model
from ckanext.dcat.processors import RDFSerializer

from ckanext.chemnitz import organizations
from ckanext.chemnitz.dcat import version2, writers

PROFILES = ("dcat_ap_de", "dcat_ap_de_2")
PIECE_FORMATS = ("ttl", "xml", "jsonld")

# The code that shapes a dataset's RDF (a change of the pages' code keeps the stored pieces).
_PIECE_CODE = ("contact.py", "dates.py", "pieces.py", "profile.py", "version2.py", "vocabularies.py", "writers.py")
_CODE = (
    b"".join((Path(__file__).parent / name).read_bytes() for name in _PIECE_CODE)
    + importlib.metadata.version("ckanext-dcat").encode()
)
_SETTINGS = (
    "ckan.site_url",
    "ckanext.dcat.base_uri",
    "ckanext.dcat.resource.inherit.license",
    "ckanext.dcat.clean_tags",
    "ckanext.chemnitz.dcat.contributor_id",
)
_generation_cache: dict[str, Any] = {}


def generation() -> str:
    """Fingerprint of everything besides the dataset that shapes its RDF (code, settings, lists).

    Asked on every catalogue request and every indexing: the declarations file is read again only
    when its modification time or size changed.
    """
    declarations = organizations.declarations_file()
    try:
        status = declarations.stat()
        key: tuple[Any, ...] = (str(declarations), status.st_mtime_ns, status.st_size)
    except FileNotFoundError:
        key = (str(declarations),)
    if _generation_cache.get("key") != key:
        declared = declarations.read_bytes() if len(key) > 1 else b""
        licences = sorted((lic.id, lic.url or "", lic.title) for lic in model.Package.get_license_register().values())
        settings = [str(tk.config.get(option) or "") for option in _SETTINGS]
        digest = hashlib.sha1(_CODE + declared + json.dumps([settings, licences]).encode())
        _generation_cache.update(key=key, value=digest.hexdigest()[:20])
    return _generation_cache["value"]


def render(graph: rdflib.Graph, fmt: str) -> str:
    """The joinable piece of ``graph`` in the stored format ``fmt``."""
    return writers.write(graph, [fmt])[fmt]


class Serializer(RDFSerializer):
    """ckanext-dcat's serializer, looking its profiles' entry points up once per process (a lookup
    costs about 30 ms, more than assembling a page)."""

    _loaded: ClassVar[dict[tuple[str, ...], list[Any]]] = {}

    def _load_profiles(self, profile_names: list[str]) -> list[Any]:
        key = tuple(profile_names)
        if key not in self._loaded:
            self._loaded[key] = super()._load_profiles(profile_names)
        return self._loaded[key]


def build(dataset_dict: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Every stored piece of the dataset, ``{(profile, format): body}``.

    One graph: the ``dcat_ap_de`` (3.0) graph is written in each format, then turned into the 2.0
    flavour in place — exactly what the ``dcat_ap_de_2`` profile adds to the 3.0 one — and written
    again (building the graph costs as much as writing it in all three formats).
    """
    serializer = Serializer(profiles=[PROFILES[0]])
    dataset_ref = serializer.graph_from_dataset(dataset_dict)
    pieces = {(PROFILES[0], fmt): body for fmt, body in writers.write(serializer.g, PIECE_FORMATS).items()}
    version2.from_3_0(serializer.g, dataset_ref)
    pieces.update({(PROFILES[1], fmt): body for fmt, body in writers.write(serializer.g, PIECE_FORMATS).items()})
    return pieces
