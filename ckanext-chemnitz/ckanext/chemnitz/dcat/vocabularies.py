"""The controlled vocabularies of DCAT-AP.de, read from the official files shipped in ``standards/``.

Forms offer these concepts (URI stored, German label shown) and validators refuse URIs outside
them. Files are parsed once per process; the biggest (languages) is only read for validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import DC, DCTERMS, SKOS

STANDARDS = Path(__file__).parent / "standards"
VOCABULARIES = STANDARDS / "vocabularies"
EU = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class Vocabulary:
    """A SKOS concept scheme in one file of ``standards/vocabularies``."""

    name: str
    file: str
    scheme: str


VOCABULARY = {
    v.name: v
    for v in (
        Vocabulary("theme", "eu/data-theme.rdf", EU + "data-theme"),
        Vocabulary("frequency", "eu/frequency.rdf", EU + "frequency"),
        Vocabulary("file_type", "eu/file-type.rdf", EU + "file-type"),
        Vocabulary("access_right", "eu/access-right.rdf", EU + "access-right"),
        Vocabulary("distribution_status", "eu/distribution-status.rdf", EU + "distribution-status"),
        Vocabulary("availability", "eu/planned-availability.rdf", EU + "planned-availability"),
        Vocabulary("language", "eu/language.ttl", EU + "language"),
        Vocabulary("license", "dcat-ap-de/licenses-20210721.rdf", "http://dcat-ap.de/def/licenses"),
        Vocabulary("contributor", "dcat-ap-de/contributors-20251021.rdf", "http://dcat-ap.de/def/contributors"),
        Vocabulary(
            "political_geocoding",
            "dcat-ap-de/derived-politicalGeocoding-inScheme-from-v1.0.2-lists.ttl",
            "http://dcat-ap.de/def/politicalGeocoding/regionalKey",
        ),
        Vocabulary(
            "political_geocoding_district",
            "dcat-ap-de/derived-politicalGeocoding-inScheme-from-v1.0.2-lists.ttl",
            "http://dcat-ap.de/def/politicalGeocoding/districtKey",
        ),
    )
}
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
# "Provisional data" placeholders of the EU tables are not offered to editors.
_HIDDEN = ("OP_DATPRO",)


@cache
def _graph(file: str) -> rdflib.Graph:
    return rdflib.Graph().parse(VOCABULARIES / file)


@cache
def concepts(name: str) -> dict[str, dict[str, str]]:
    """URI -> {language: label} of every concept of the vocabulary ``name``."""
    if name == "hvd_category":
        return HVD_CATEGORIES
    vocabulary = VOCABULARY[name]
    graph = _graph(vocabulary.file)
    found: dict[str, dict[str, str]] = {}
    for concept in graph.subjects(SKOS.inScheme, rdflib.URIRef(vocabulary.scheme)):
        uri = str(concept)
        labels = {label.language or "": str(label).strip() for label in graph.objects(concept, SKOS.prefLabel)}
        found[uri] = {lang: text for lang, text in labels.items() if lang in ("de", "en")}
        if name == "frequency" and not found[uri]:
            de, en = FREQUENCY_LABELS.get(uri.rsplit("/", 1)[-1], ("", ""))
            found[uri] = {"de": de, "en": en} if de else {}
    return found


def is_concept(name: str, uri: str) -> bool:
    return uri in concepts(name)


def label(name: str, uri: str, lang: str = "de") -> str:
    """The concept's label in ``lang`` (German, then English, then the URI's last segment)."""
    labels = concepts(name).get(uri, {})
    return labels.get(lang) or labels.get("de") or labels.get("en") or uri.rstrip("/").rsplit("/", 1)[-1]


def choices(name: str) -> list[dict[str, object]]:
    """ckanext-scheming choices (value = URI, label = {de, en}), sorted by German label."""
    items = [
        {"value": uri, "label": {"de": label(name, uri, "de"), "en": label(name, uri, "en")}}
        for uri in concepts(name)
        if not uri.endswith(_HIDDEN)
    ]
    return sorted(items, key=lambda item: str(item["label"]["de"]).casefold())  # type: ignore[index]


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
