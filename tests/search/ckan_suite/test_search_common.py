"""CKAN's `ckan.tests.lib.search.test_common`, collected here to run on the PostgreSQL backend."""

from ckan.tests.lib.search.test_common import *  # noqa: F403
