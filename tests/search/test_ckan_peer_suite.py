"""CKAN's own package_search tests, run unchanged against the PostgreSQL search backend.

The classes below are imported from the ``ckan`` package (``ckan/tests/logic/action/test_get.py``)
and collected here, so the ``conftest.py`` of this folder enables the backend for them. They are
the contract CKAN itself holds Solr to; any test that is inherently Solr-specific is listed in
``SOLR_ONLY`` with the reason.
"""

from ckan.tests.logic.action.test_get import (  # noqa: F401  (collected by pytest)
    TestBadLimitQueryParameters,
    TestCollaboratorsSearch,
    TestPackageAutocompleteWithDatasetForm,
    TestPackageSearch,
)
