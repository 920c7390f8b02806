"""CKAN's `ckan.tests.cli.test_search_index`, collected here to run on the PostgreSQL backend."""

from ckan.tests.cli.test_search_index import *  # noqa: F403
