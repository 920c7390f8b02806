"""CKAN's `ckan.tests.logic.action.test_get`, collected here to run on the PostgreSQL backend."""

from ckan.tests.logic.action.test_get import *  # noqa: F403
