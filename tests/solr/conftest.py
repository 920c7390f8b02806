"""tests/solr runs on the SolrCloud of scripts/solr.sh, with the configuration
``scripts/ckan-config.sh test-solr`` writes: ``pytest --ckan-ini=var/test-solr.ini tests/solr``."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.chemnitz.search import backend


@pytest.fixture(autouse=True)
def solr_search_backend(with_plugins: None) -> None:
    assert tk.config.get("solr_url") and not backend.is_active(), (
        "tests/solr needs the SolrCloud: scripts/solr.sh start, scripts/ckan-config.sh test-solr, "
        "then pytest --ckan-ini=var/test-solr.ini"
    )
