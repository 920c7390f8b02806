"""CKAN's `ckan.tests.lib.search.test_search`, collected here to run on the PostgreSQL backend."""

from ckan.tests.lib.search.test_search import *  # noqa: F403
