"""Fixtures of the conformance suites: the test portal after the pipeline suites harvested every source into it."""

from __future__ import annotations

import pytest

from tests.support.portal import as_pipelines, settings


@pytest.fixture(scope="module")
def portal() -> dict[str, str]:
    return settings()


@pytest.fixture(scope="module")
def published(portal: dict[str, str]) -> list[dict]:
    datasets = as_pipelines(portal).action.package_search(rows=1000)["results"]
    assert len(datasets) >= 7, "the pipeline suites should have harvested every source"
    return datasets
