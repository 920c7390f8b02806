"""Template helpers for the metadata quality section and the home page average."""

from __future__ import annotations

from typing import Any

from ckanext.chemnitz.quality import assessment, search


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_metadata_quality": assessment.assess,
        "chemnitz_metadata_quality_average": search.catalogue_average,
        "chemnitz_metadata_quality_labels": lambda: {
            "dimensions": assessment.DIMENSION_LABELS,
            "ratings": assessment.RATING_LABELS,
        },
    }
