"""Dataset search as the portal's search backend answers it inside CKAN's test app (imports CKAN)."""

from __future__ import annotations

from typing import Any

import ckan.tests.helpers as helpers


def search(**params: Any) -> dict[str, Any]:
    """``package_search`` with the test's parameters, as a sysadmin (CKAN's ``call_action``)."""
    return helpers.call_action("package_search", **params)


def names(**params: Any) -> list[str]:
    """The names of up to 100 datasets found, sorted."""
    return sorted(dataset["name"] for dataset in search(rows=100, **params)["results"])


def titles(**params: Any) -> list[str]:
    """The titles of up to 100 datasets found, in the order of the hits."""
    return [dataset["title"] for dataset in search(rows=100, **params)["results"]]
