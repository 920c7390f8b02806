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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    not_applicable = [item for item in items if _not_applicable(item, NOT_APPLICABLE)]
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


@pytest.fixture(autouse=True)
def configured_search_backend(with_plugins: None) -> Iterator[None]:
    on_solr = tk.config.get("ckanext.chemnitz.search.backend") == "solr"
    assert backend.is_active() != on_solr, f"the {'Solr' if on_solr else 'PostgreSQL'} search backend must answer"
    yield
