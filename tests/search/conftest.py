"""Every test in this folder runs with the PostgreSQL search backend enabled.

CKAN's pytest plugin unloads all plugins before the tests start and loads, per test, the plugins
of the ``ckan.plugins`` option plus those of ``with_plugins`` marks. CKAN's own search tests
(re-run here) do not ask for this backend, so each test of this folder gets the mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ckanext.chemnitz.search import backend

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.with_plugins(backend.PLUGIN_NAME))


@pytest.fixture(autouse=True)
def postgres_search_backend(with_plugins: None) -> Iterator[None]:
    assert backend.is_active(), "the PostgreSQL search backend must answer these tests"
    yield
