"""Scores a dataset's metadata the way data.europa.eu's MQA does, so editors see what to improve.

The MQA awards points for indicators in five dimensions (findability, accessibility,
interoperability, reusability, contextuality; 405 points in all) and rates the sum as excellent,
good, sufficient or bad. This module applies the same indicators and weights to a dataset dict.
Two MQA indicators need HTTP requests (access and download URL answer with a 2xx/3xx status);
they are not made at index time: "AccessURL accessible" is awarded for a well-formed http(s) URL,
"DownloadURL accessible" (30 points) is left out. The maximum here is therefore 375 points, and
the score is reported as a percentage with the MQA's rating thresholds scaled to it.
Distribution indicators earn their points in proportion to the distributions that meet them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ckanext.chemnitz.dcat import vocabularies
from ckanext.chemnitz.translation import N_

# Formats with an open, freely implementable specification, and formats a program can parse
# into records (after data.europa.eu's MQA, which keeps both lists as vocabularies of its own).
NON_PROPRIETARY = frozenset(
    {"CSV", "GEOJSON", "JSON", "JSON_LD", "XML", "RDF", "RDF_XML", "RDF_TURTLE", "GML", "KML", "GPKG",
     "ODS", "TXT", "HTML", "PDF", "PNG", "ZIP", "WFS_SRVC", "WMS_SRVC", "TSV", "SHP", "ATOM", "RSS"}
)  # fmt: skip
MACHINE_READABLE = frozenset(
    {"CSV", "GEOJSON", "JSON", "JSON_LD", "XML", "RDF", "RDF_XML", "RDF_TURTLE", "GML", "KML", "GPKG",
     "ODS", "XLSX", "XLS", "TSV", "SHP", "WFS_SRVC", "ATOM", "RSS"}
)  # fmt: skip

# Lower bounds of the MQA ratings (351, 221, 121 of 405 points) as shares of the maximum.
RATINGS = (("excellent", 351 / 405), ("good", 221 / 405), ("sufficient", 121 / 405), ("bad", 0.0))

Dataset = dict[str, Any]
Resource = dict[str, Any]


def _given(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return any(_given(item) for item in (value.values() if isinstance(value, dict) else value))
    return value not in (None, "") and str(value).strip() != ""


def _field(name: str) -> Callable[[Dataset], bool]:
    return lambda dataset: _given(dataset.get(name))


def _http(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) > len("https://")


def _file_type_code(resource: Resource) -> str:
    uri = vocabularies.file_type(resource.get("format"))
    return uri.rsplit("/", 1)[-1] if uri else ""


def _download_url(resource: Resource) -> bool:
    """An explicit download URL, or a file stored by the portal (the profile writes its URL as one)."""
    return _http(resource.get("download_url")) or (resource.get("url_type") == "upload" and _http(resource.get("url")))


def _licence_known(dataset: Dataset) -> bool:
    return dataset.get("license_id") in vocabularies.license_ids()


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: ``test`` takes the dataset (or, with ``per_resource``, each distribution)."""

    key: str
    dimension: str
    points: int
    label: str
    advice: str
    test: Callable[[Any], bool]
    per_resource: bool = False



# Labels and advice are English message ids; the German text comes from the extension's catalogue.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("keywords", "findability", 30, N_("Keywords"), N_("Add keywords (tags)."), _field("tags")),
    Indicator("themes", "findability", 30, N_("Themes"), N_("Choose at least one EU data theme."), _field("theme")),
    Indicator("spatial", "findability", 20, N_("Spatial coverage"), N_("Give the area the data covers."),
              _field("spatial_coverage")),
    Indicator("temporal", "findability", 20, N_("Temporal coverage"), N_("Give the period the data covers."),
              _field("temporal_coverage")),
    Indicator("access_url", "accessibility", 50, N_("Access URL"), N_("Give every distribution an http(s) URL."),
              lambda r: _http(r.get("access_url") or r.get("url")), per_resource=True),
    Indicator("download_url", "accessibility", 20, N_("Download URL"),
              N_("Give every distribution a direct download URL."),
              _download_url, per_resource=True),
    Indicator("format", "interoperability", 20, N_("Format"), N_("Give every distribution a format."),
              lambda r: _given(r.get("format")), per_resource=True),
    Indicator("media_type", "interoperability", 10, N_("Media type"), N_("Give every distribution its media type."),
              lambda r: _given(r.get("mimetype")), per_resource=True),
    Indicator("format_vocabulary", "interoperability", 10, N_("Format from the EU file-type list"),
              N_("Use a format of the EU file-type list (CSV, GeoJSON, …)."),
              lambda r: bool(_file_type_code(r)), per_resource=True),
    Indicator("non_proprietary", "interoperability", 20, N_("Non-proprietary format"),
              N_("Offer the data in an open format as well (e.g. CSV instead of XLSX)."),
              lambda r: _file_type_code(r) in NON_PROPRIETARY, per_resource=True),
    Indicator("machine_readable", "interoperability", 20, N_("Machine-readable format"),
              N_("Offer the data in a machine-readable format (CSV, GeoJSON, JSON …)."),
              lambda r: _file_type_code(r) in MACHINE_READABLE, per_resource=True),
    Indicator("dcat_ap", "interoperability", 30, N_("DCAT-AP.de mandatory properties"),
              N_("Fill in description, publisher and licence."),
              lambda d: all(_given(d.get(k)) for k in ("notes", "publisher", "license_id"))
              and _given(d.get("resources"))),
    Indicator("licence", "reusability", 20, N_("Licence"), N_("Choose a licence."), _field("license_id")),
    Indicator("licence_vocabulary", "reusability", 10, N_("Licence from the DCAT-AP.de list"),
              N_("Choose a licence of the DCAT-AP.de licence list."), _licence_known),
    Indicator("access_rights", "reusability", 10, N_("Access rights"), N_("State the access rights."),
              _field("access_rights")),
    Indicator("access_rights_vocabulary", "reusability", 5, N_("Access rights from the EU list"),
              N_("Use a value of the EU access-right list."),
              lambda d: vocabularies.is_concept("access_right", str(d.get("access_rights") or ""))),
    Indicator("contact_point", "reusability", 20, N_("Contact point"), N_("Name a contact point with e-mail or URL."),
              lambda d: any(_given(c.get("email")) or _given(c.get("url")) for c in d.get("contact") or [])),
    Indicator("publisher", "reusability", 10, N_("Publisher"), N_("Name the publisher."),
              lambda d: any(_given(p.get("name")) for p in d.get("publisher") or [])),
    Indicator("rights", "contextuality", 5, N_("Rights"), N_("State the rights of use of each distribution."),
              lambda r: _given(r.get("rights") or r.get("license")), per_resource=True),
    Indicator("byte_size", "contextuality", 5, N_("File size"), N_("Give the file size of each distribution."),
              lambda r: _given(r.get("size")), per_resource=True),
    # ckanext-dcat writes the portal's timestamps when a dataset has no dates of its own, so the
    # RDF that data.europa.eu assesses always has them.
    Indicator("issued", "contextuality", 5, N_("Date of issue"), N_("Give the date of first publication."),
              lambda d: _given(d.get("issued") or d.get("metadata_created"))),
    Indicator("modified", "contextuality", 5, N_("Modification date"), N_("Give the date of the last change."),
              lambda d: _given(d.get("modified") or d.get("metadata_modified"))),
)  # fmt: skip

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
DIMENSION_LABELS = {
    "findability": N_("Findability"),
    "accessibility": N_("Accessibility"),
    "interoperability": N_("Interoperability"),
    "reusability": N_("Reusability"),
    "contextuality": N_("Contextuality"),
}
RATING_LABELS = {"excellent": N_("Excellent"), "good": N_("Good"), "sufficient": N_("Sufficient"), "bad": N_("Bad")}


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    earned: float

    @property
    def met(self) -> bool:
        return self.earned >= self.indicator.points


@dataclass(frozen=True)
class Assessment:
    results: tuple[Result, ...]

    @property
    def points(self) -> int:
        return round(sum(result.earned for result in self.results))

    @property
    def maximum(self) -> int:
        return sum(result.indicator.points for result in self.results)

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.maximum)

    @property
    def rating(self) -> str:
        return rating_of(self.points / self.maximum)

    def dimension(self, name: str) -> tuple[int, int]:
        """Points earned and possible in one dimension."""
        results = [r for r in self.results if r.indicator.dimension == name]
        return round(sum(r.earned for r in results)), sum(r.indicator.points for r in results)

    def to_improve(self) -> list[Result]:
        """Unmet indicators, the most valuable first."""
        return sorted((r for r in self.results if not r.met), key=lambda r: r.earned - r.indicator.points)

    def as_dict(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "maximum": self.maximum,
            "percent": self.percent,
            "rating": self.rating,
            "dimensions": {
                name: dict(zip(("points", "maximum"), self.dimension(name), strict=True)) for name in DIMENSIONS
            },
            "indicators": [
                {
                    "key": r.indicator.key,
                    "dimension": r.indicator.dimension,
                    "points": round(r.earned, 1),
                    "maximum": r.indicator.points,
                    "met": r.met,
                }
                for r in self.results
            ],
        }


def rating_of(share: float) -> str:
    """The MQA rating of a share of the maximum points (0 … 1)."""
    return next(name for name, bound in RATINGS if share >= bound)


def _share(test: Callable[[Resource], bool], resources: Iterable[Resource]) -> float:
    resources = list(resources)
    return sum(1 for resource in resources if test(resource)) / len(resources) if resources else 0.0


def assess(dataset: Dataset) -> Assessment:
    """The assessment of a dataset dict as ``package_show`` returns it."""
    results = []
    for indicator in INDICATORS:
        if indicator.per_resource:
            share = _share(indicator.test, dataset.get("resources") or [])
        else:
            share = 1.0 if indicator.test(dataset) else 0.0
        results.append(Result(indicator, indicator.points * share))
    return Assessment(tuple(results))


def index_fields(dataset: Dataset) -> dict[str, str]:
    """Search-index fields: the percentage zero-padded (sorts correctly as a Solr string) and the rating."""
    assessment = assess(dataset)
    return {"metadata_quality": f"{assessment.percent:03d}", "metadata_quality_rating": assessment.rating}
