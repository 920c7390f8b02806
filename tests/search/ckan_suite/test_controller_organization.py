"""CKAN's organization page tests of ``ckan.tests.controllers.test_organization`` about the index.

The bulk page (``/organization/bulk_process/<org>``: make private, make public, delete), deleting
an organization with datasets and searching within an organization. The other classes render
forms and member lists without the search index and would cost minutes.
"""

from ckan.tests.controllers.test_organization import (  # noqa: F401
    TestOrganizationBulkProcess,
    TestOrganizationDelete,
    TestOrganizationInnerSearch,
    sysadmin,
    user,
)
