"""Metadata quality in the search: index fields, the rating facet in German, the catalogue average."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.quality import assessment

FACET = "metadata_quality_rating"
SCORE = "metadata_quality"


def index_document(document: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: add the score and rating of the dataset as CKAN shows it."""
    dataset = json.loads(document["validated_data_dict"])
    document.update(assessment.index_fields(dataset))
    return document


def label_rating_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: German labels for the rating facet's values."""
    facet = (search_results.get("search_facets") or {}).get(FACET)
    if facet:
        for item in facet["items"]:
            item["display_name"] = tk._(assessment.RATING_LABELS.get(item["name"], item["name"]))
    return search_results


def catalogue_average(scores: dict[int, int]) -> dict[str, Any] | None:
    """Mean score over the public datasets, from the number of datasets per score (a facet, no dataset loaded)."""
    datasets = sum(scores.values())
    if not datasets:
        return None
    percent = round(sum(value * count for value, count in scores.items()) / datasets)
    return {"percent": percent, "rating": assessment.rating_of(percent / 100), "datasets": datasets}
