"""CKAN's `ckan.tests.lib.search.test_query`, collected here to run on the PostgreSQL backend."""

from ckan.tests.lib.search.test_query import *  # noqa: F403
