"""The catalogue summary the home page shows, computed once per catalogue change.

The home page shows the number of datasets, the newest ones, the departments and themes with their
counts and the metadata quality average: all of it about public datasets, so the same for every
visitor. One faceted search answers all of it; the answer is kept in the worker's memory until the
catalogue changes (a cheap stamp of the package and organization tables, read on every view) or
``ckanext.chemnitz.home.summary_max_age`` seconds pass (for changes the stamp cannot see, such as
an index rebuild with new plugins).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.chemnitz.quality.search import SCORE

NEWEST = 5
# What the newest-datasets list needs of a dataset (the whole dictionary would be kept otherwise).
NEWEST_FIELDS = ("name", "title", "title_translated", "metadata_created")

# Public datasets (count and last change) and the organizations' names, titles and states.
STAMP = sa.text(
    """
    SELECT (SELECT count(*) FILTER (WHERE state = 'active' AND NOT private) || '/' ||
                   coalesce(max(metadata_modified)::text, '') FROM package),
           (SELECT md5(coalesce(string_agg(name || '|' || title || '|' || state, ',' ORDER BY id), ''))
              FROM "group" WHERE is_organization)
    """
)


@dataclass(frozen=True)
class Summary:
    count: int
    newest: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    themes: dict[str, int] = field(default_factory=dict)
    scores: dict[int, int] = field(default_factory=dict)


_cache: dict[str, Any] = {}


def _stamp() -> tuple[Any, ...]:
    return tuple(model.Session.execute(STAMP).one())


def _newest_entry(dataset: dict[str, Any]) -> dict[str, Any]:
    entry = {key: dataset[key] for key in NEWEST_FIELDS if key in dataset}
    entry["organization"] = {"title": (dataset.get("organization") or {}).get("title", "")}
    return entry


def _compute() -> Summary:
    found = tk.get_action("package_search")(
        {},
        {
            "rows": NEWEST,
            "sort": "metadata_created desc",
            "include_private": False,
            "facet.field": ["organization", "theme", SCORE],
            "facet.limit": -1,
        },
    )
    facets = found["facets"]
    counts = facets.get("organization", {})
    organizations = tk.get_action("organization_list")({}, {"all_fields": True})
    departments = sorted(
        (
            {"name": org["name"], "title": org["title"], "package_count": counts.get(org["name"], 0)}
            for org in organizations
        ),
        key=lambda org: (-org["package_count"], org["title"].casefold()),
    )
    return Summary(
        count=int(found["count"]),
        newest=[_newest_entry(dataset) for dataset in found["results"]],
        departments=departments,
        themes=dict(facets.get("theme", {})),
        scores={int(value): n for value, n in facets.get(SCORE, {}).items() if str(value).isdigit()},
    )


def catalogue_summary() -> Summary:
    """The home page's figures, recomputed only when the catalogue changed."""
    stamp = _stamp()
    max_age = tk.config.get("ckanext.chemnitz.home.summary_max_age")
    if _cache.get("stamp") != stamp or time.monotonic() - _cache.get("at", 0.0) > max_age:
        _cache.update(summary=_compute(), stamp=stamp, at=time.monotonic())
    return _cache["summary"]
