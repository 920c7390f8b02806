"""The controlled vocabularies of DCAT-AP.de, read from the official files shipped in ``standards/``.

Forms offer these concepts (URI stored, German label shown) and validators refuse URIs outside
them. Files are parsed once per process; the biggest (languages) is only read for validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import DC, DCTERMS, SKOS

STANDARDS = Path(__file__).parent / "standards"
VOCABULARIES = STANDARDS / "vocabularies"
EU = "http://publications.europa.eu/resource/authority/"


# High-value dataset categories of Implementing Regulation (EU) 2023/138 (EU vocabulary
# http://data.europa.eu/bna/asd487ae75, top concepts; no offline copy of that table exists here).
HVD_CATEGORIES = {
    "http://data.europa.eu/bna/c_ac64a52d": {"de": "Georaum", "en": "Geospatial"},
    "http://data.europa.eu/bna/c_dd313021": {
        "de": "Erdbeobachtung und Umwelt",
        "en": "Earth observation and environment",
    },
    "http://data.europa.eu/bna/c_164e0bf5": {"de": "Meteorologie", "en": "Meteorological"},
    "http://data.europa.eu/bna/c_e1da4e07": {"de": "Statistik", "en": "Statistics"},
    "http://data.europa.eu/bna/c_a9135398": {
        "de": "Unternehmen und Eigentümerschaft von Unternehmen",
        "en": "Companies and company ownership",
    },
    "http://data.europa.eu/bna/c_b79e35eb": {"de": "Mobilität", "en": "Mobility"},
}
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
FILE_TYPE = EU + "file-type/"
# CKAN format labels whose EU file-type code is not the upper-cased label, and back.
FORMAT_CODES = {"WFS": "WFS_SRVC", "WMS": "WMS_SRVC"}
FORMAT_LABELS = {"GEOJSON": "GeoJSON", **{code: label for label, code in FORMAT_CODES.items()}}
# The EU frequency table ships without labels: German and English names of its codes.
FREQUENCY_LABELS = {
    "1MIN": ("jede Minute", "every minute"),
    "5MIN": ("alle 5 Minuten", "every five minutes"),
    "10MIN": ("alle 10 Minuten", "every ten minutes"),
    "15MIN": ("alle 15 Minuten", "every fifteen minutes"),
    "30MIN": ("alle 30 Minuten", "every thirty minutes"),
    "HOURLY": ("stündlich", "hourly"),
    "BIHOURLY": ("alle zwei Stunden", "bihourly"),
    "TRIHOURLY": ("alle drei Stunden", "trihourly"),
    "12HRS": ("alle 12 Stunden", "every twelve hours"),
    "DAILY": ("täglich", "daily"),
    "DAILY_2": ("zweimal täglich", "twice a day"),
    "WEEKLY": ("wöchentlich", "weekly"),
    "WEEKLY_2": ("zweimal wöchentlich", "semiweekly"),
    "WEEKLY_3": ("dreimal wöchentlich", "three times a week"),
    "WEEKLY_5": ("fünfmal wöchentlich", "five times a week"),
    "BIWEEKLY": ("zweiwöchentlich", "biweekly"),
    "MONTHLY": ("monatlich", "monthly"),
    "MONTHLY_2": ("zweimal im Monat", "semimonthly"),
    "MONTHLY_3": ("dreimal im Monat", "three times a month"),
    "BIMONTHLY": ("zweimonatlich", "bimonthly"),
    "QUARTERLY": ("vierteljährlich", "quarterly"),
    "ANNUAL_2": ("halbjährlich", "semiannual"),
    "ANNUAL_3": ("dreimal im Jahr", "three times a year"),
    "ANNUAL": ("jährlich", "annual"),
    "BIENNIAL": ("zweijährlich", "biennial"),
    "TRIENNIAL": ("dreijährlich", "triennial"),
    "QUADRENNIAL": ("vierjährlich", "quadrennial"),
    "QUINQUENNIAL": ("fünfjährlich", "quinquennial"),
    "SEXENNIAL": ("sechsjährlich", "sexennial"),
    "DECENNIAL": ("zehnjährlich", "decennial"),
    "BIDECENNIAL": ("zwanzigjährlich", "bidecennial"),
    "TRIDECENNIAL": ("dreißigjährlich", "tridecennial"),
    "CONT": ("kontinuierlich", "continuous"),
    "UPDATE_CONT": ("laufend aktualisiert", "continuously updated"),
    "IRREG": ("unregelmäßig", "irregular"),
    "AS_NEEDED": ("bei Bedarf", "as needed"),
    "NOT_PLANNED": ("nicht geplant", "not planned"),
    "NEVER": ("nie", "never"),
    "UNKNOWN": ("unbekannt", "unknown"),
    "OTHER": ("sonstiges", "other"),
}


@dataclass(frozen=True)
class Vocabulary:
    """SKOS concept schemes in one file of ``standards/vocabularies``, or a fixed list of concepts.

    ``labels`` (URI -> {language: label}) supplies labels the file lacks; without a file, its
    keys are the concepts.
    """

    name: str
    schemes: tuple[str, ...]
    file: str | None = None
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def scheme(self) -> str:
        return self.schemes[0]


_POLITICAL_GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
VOCABULARY = {
    v.name: v
    for v in (
        Vocabulary("theme", (EU + "data-theme",), "eu/data-theme.rdf"),
        Vocabulary(
            "frequency",
            (EU + "frequency",),
            "eu/frequency.rdf",
            {EU + "frequency/" + code: {"de": de, "en": en} for code, (de, en) in FREQUENCY_LABELS.items()},
        ),
        Vocabulary("file_type", (EU + "file-type",), "eu/file-type.rdf"),
        Vocabulary("access_right", (EU + "access-right",), "eu/access-right.rdf"),
        Vocabulary("distribution_status", (EU + "distribution-status",), "eu/distribution-status.rdf"),
        Vocabulary("availability", (EU + "planned-availability",), "eu/planned-availability.rdf"),
        Vocabulary("language", (EU + "language",), "eu/language.ttl"),
        Vocabulary("license", ("http://dcat-ap.de/def/licenses",), "dcat-ap-de/licenses-20210721.rdf"),
        Vocabulary("contributor", ("http://dcat-ap.de/def/contributors",), "dcat-ap-de/contributors-20251021.rdf"),
        Vocabulary(
            "political_geocoding",
            (_POLITICAL_GEOCODING + "regionalKey", _POLITICAL_GEOCODING + "districtKey"),
            "dcat-ap-de/derived-politicalGeocoding-inScheme-from-v1.0.2-lists.ttl",
        ),
        Vocabulary("hvd_category", ("http://data.europa.eu/bna/asd487ae75",), labels=HVD_CATEGORIES),
    )
}

# "Provisional data" placeholders of the EU tables are not offered to editors.
_HIDDEN = ("OP_DATPRO",)


@cache
def _graph(file: str) -> rdflib.Graph:
    return rdflib.Graph().parse(VOCABULARIES / file)


@cache
def concepts(name: str) -> dict[str, dict[str, str]]:
    """URI -> {language: label} of every concept of the vocabulary ``name``."""
    vocabulary = VOCABULARY[name]
    if vocabulary.file is None:
        return {uri: dict(labels) for uri, labels in vocabulary.labels.items()}
    graph = _graph(vocabulary.file)
    found: dict[str, dict[str, str]] = {}
    for scheme in vocabulary.schemes:
        for concept in graph.subjects(SKOS.inScheme, rdflib.URIRef(scheme)):
            uri = str(concept)
            labels = {
                label.language: str(label).strip()
                for label in graph.objects(concept, SKOS.prefLabel)
                if isinstance(label, rdflib.Literal)
            }
            found[uri] = {lang: text for lang, text in labels.items() if lang in ("de", "en")} or dict(
                vocabulary.labels.get(uri, {})
            )
    return found


def is_concept(name: str, uri: str) -> bool:
    return uri in concepts(name)


def label(name: str, uri: str, lang: str = "de") -> str:
    """The concept's label in ``lang`` (German, then English, then the URI's last segment)."""
    labels = concepts(name).get(uri, {})
    return labels.get(lang) or labels.get("de") or labels.get("en") or uri.rstrip("/").rsplit("/", 1)[-1]


def choices(name: str) -> list[dict[str, object]]:
    """ckanext-scheming choices (value = URI, label = {de, en}), sorted by German label."""
    uris = sorted(
        (uri for uri in concepts(name) if not uri.endswith(_HIDDEN)), key=lambda uri: label(name, uri).casefold()
    )
    return [{"value": uri, "label": {"de": label(name, uri, "de"), "en": label(name, uri, "en")}} for uri in uris]


def file_type(format_label: str | None) -> str | None:
    """The EU file-type URI of a CKAN format label ("CSV", "GeoJSON", "WFS" …), None if it has none."""
    code = str(format_label or "").strip().upper().replace(" ", "_")
    uri = FILE_TYPE + FORMAT_CODES.get(code, code)
    return uri if code and is_concept("file_type", uri) else None


def format_label(file_type_uri: str) -> str | None:
    """The CKAN format label of an EU file-type URI, None for other URIs."""
    if not file_type_uri.startswith(FILE_TYPE):
        return None
    code = file_type_uri[len(FILE_TYPE) :]
    return FORMAT_LABELS.get(code, code)


@cache
def license_ids() -> frozenset[str]:
    """The dcat-ap.de licence identifiers (``license_id`` values of the portal)."""
    return frozenset(entry["id"] for entry in license_register())


def license_register() -> list[dict[str, str]]:
    """The dcat-ap.de licences as CKAN licence entries: id = dcat-ap.de identifier, url = its URI.

    Serialising ``license_url`` as ``dct:license`` then yields the vocabulary URI GovData requires.
    """
    graph = _graph(VOCABULARY["license"].file)
    entries = []
    for uri, labels in concepts("license").items():
        subject = rdflib.URIRef(uri)
        identifier = str(graph.value(subject, DC.identifier) or uri.rsplit("licenses/", 1)[-1])
        usage = str(graph.value(subject, DCTERMS.type) or "")
        entries.append(
            {
                "id": identifier,
                "title": labels.get("de") or identifier,
                "url": uri,
                "od_conformance": "approved" if usage == "Freie Nutzung" else "not reviewed",
                "osd_conformance": "not reviewed",
                "status": "active",
            }
        )
    return sorted(entries, key=lambda entry: entry["title"].casefold())
