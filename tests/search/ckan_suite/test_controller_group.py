"""CKAN's group page tests of ``ckan.tests.controllers.test_group`` about the index.

Deleting a group and searching within a group; the other classes render forms and member lists
without the search index and would cost minutes.
"""

from ckan.tests.controllers.test_group import (  # noqa: F401
    TestGroupDelete,
    TestGroupInnerSearch,
    sysadmin,
    user,
)
