"""Datasets the requested order cannot tell apart (the same title, the same relevance) come in the same
order on PostgreSQL and on Solr: the most recently changed first, then by name. A visitor paging
through many equally titled datasets ("Schulen Kaßberg 2019" of several years' exports) sees the same
pages whichever backend the portal runs on; before, Solr listed them as they lay in its shards."""

from __future__ import annotations

import ckan.model as model
import ckan.tests.factories as factories
import pytest
import sqlalchemy as sa
from ckan.lib import search as ckan_search

from tests.support.search import search

CHANGED = {
    "daten-west": "2024-01-01",
    "daten-ost": "2025-06-01",
    "daten-nord": "2025-06-01",
    "daten-sued": "2024-09-01",
}
NEWEST_FIRST_THEN_BY_NAME = ["daten-nord", "daten-ost", "daten-sued", "daten-west"]


@pytest.fixture
def equal_datasets(clean_db: None, clean_index: None) -> None:
    """Four datasets of the same title and description, two of them changed at the same moment."""
    for name in CHANGED:
        factories.Dataset(name=name, title="Schulen Kaßberg", notes="Standorte der Schulen.")
    for name, changed in CHANGED.items():
        model.Session.execute(
            sa.text("UPDATE package SET metadata_modified = :changed WHERE name = :name"),
            {"changed": changed, "name": name},
        )
    model.Session.commit()
    ckan_search.rebuild()  # what ckan search-index rebuild runs: the index takes the dates over
    ckan_search.commit()


def names(**params) -> list[str]:
    return [dataset["name"] for dataset in search(**params)["results"]]


@pytest.mark.usefixtures("equal_datasets")
@pytest.mark.parametrize(
    "params",
    [{"sort": "title_string asc"}, {"q": "Schulen"}, {"q": "Schulen", "sort": "score desc"}, {}],
)
def test_equal_datasets_come_newest_first_then_by_name(params):
    assert names(**params) == NEWEST_FIRST_THEN_BY_NAME


@pytest.mark.usefixtures("equal_datasets")
def test_pages_of_equal_datasets_neither_repeat_nor_skip_one():
    pages = [names(q="Schulen", sort="title_string asc", rows=1, start=start) for start in range(4)]
    assert [name for page in pages for name in page] == NEWEST_FIRST_THEN_BY_NAME
