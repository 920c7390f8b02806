"""Every test in this folder runs with the search backend its configuration chooses: PostgreSQL
(``var/test.ini``) or the SolrCloud of scripts/solr.sh (``var/test-solr.ini``).

CKAN's pytest plugin unloads all plugins before the tests start and loads, per test, the plugins
of the ``ckan.plugins`` option (the test ini lists ``chemnitz_search``) plus those of
``with_plugins`` marks. CKAN's own search tests, re-run here, do not ask for plugins; some replace
``ckan.plugins`` with a ``ckan_config`` mark. Every test here gets ``with_plugins`` and, where the
mark dropped it, the backend's plugin on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest

from ckanext.chemnitz.search import backend
from tests.search.ckan_suite import NOT_APPLICABLE

_HERE = Path(__file__).parent

# Tests of this folder that look at the PostgreSQL backend's own machinery: deselected on Solr
# (node id without parameters, or with one parameter → reason). Everything else runs on both.
POSTGRES_ONLY = {
    "test_postgres_search.py::TestVisibility::test_privacy_change_delete_and_purge_update_the_index": (
        "ends by counting the rows of the PostgreSQL index table"
    ),
    "test_postgres_search.py::TestTransactions": (
        "index rows that commit or roll back with CKAN's database transaction, and the check and rebuild "
        "of the PostgreSQL index tables; CKAN sends a dataset to Solr before it commits"
    ),
    "test_postgres_search.py::test_metadata_modified_ranges_use_real_time": "rewrites the PostgreSQL index table",
    "test_postgres_search.py::TestFacetCache::test_counts_change_with_the_catalogue_at_once": (
        "the PostgreSQL backend's facet cache in Redis; Solr counts facets itself"
    ),
    "test_postgres_search.py::TestSolrSyntax::test_invalid_syntax_is_a_search_error[title:[a TO b]]": (
        "the PostgreSQL backend has no term ranges over analysed text; Solr compares the indexed words"
    ),
    "test_index_migration.py::test_the_upgrade_keeps_the_index_made_on_first_use": (
        "searches the PostgreSQL index tables an upgrade took over"
    ),
    "test_index_migration.py::test_an_index_of_an_older_layout_is_made_anew_for_a_rebuild": (
        "searches the PostgreSQL index tables an upgrade made anew"
    ),
    "test_index_commands_agree.py::test_check_and_list_unindexed_agree_about_drafts": (
        "the portal's own check of its PostgreSQL index; on Solr `search-index check` is CKAN's, which still "
        "counts drafts as unindexed (left as it is upstream, docs/search.md)"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    not_applicable = [item for item in items if _not_applicable(item, NOT_APPLICABLE)]
    if tk.config.get("ckanext.chemnitz.search.backend") == "solr":
        not_applicable += [item for item in items if _postgres_only(item)]
    if not_applicable:
        config.hook.pytest_deselected(items=not_applicable)
        items[:] = [item for item in items if item not in not_applicable]
    for item in items:
        if _HERE not in Path(str(item.path)).parents:
            continue
        for mark in item.iter_markers("ckan_config"):
            if mark.args and mark.args[0] == "ckan.plugins" and backend.PLUGIN_NAME not in mark.args[1]:
                item.add_marker(pytest.mark.with_plugins(backend.PLUGIN_NAME))


def _not_applicable(item: pytest.Item, listed: dict[str, str]) -> bool:
    path = Path(str(item.path))
    if path.parent.name != "ckan_suite":
        return False
    parts = [path.stem, *item.nodeid.split("[", 1)[0].split("::")[1:]]
    return any("::".join(parts[:n]) in listed for n in range(2, len(parts) + 1))


def _postgres_only(item: pytest.Item) -> bool:
    if Path(str(item.path)).parent != _HERE:
        return False
    node = item.nodeid.split("/")[-1]
    parts = node.split("[", 1)[0].split("::")
    return node in POSTGRES_ONLY or any("::".join(parts[:n]) in POSTGRES_ONLY for n in range(2, len(parts) + 1))


@pytest.fixture(autouse=True)
def configured_search_backend(with_plugins: None) -> Iterator[None]:
    on_solr = tk.config.get("ckanext.chemnitz.search.backend") == "solr"
    assert backend.is_active() != on_solr, f"the {'Solr' if on_solr else 'PostgreSQL'} search backend must answer"
    yield
