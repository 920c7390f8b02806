"""CKAN's `ckan.tests.lib.search.test_index`, collected here to run on the PostgreSQL backend."""

from ckan.tests.lib.search.test_index import *  # noqa: F403
