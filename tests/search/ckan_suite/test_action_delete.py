"""CKAN's delete and purge tests of ``ckan.tests.logic.action.test_delete`` that touch the search index.

Deleting a dataset, purging a dataset, a group or an organization with datasets (which hands
dataset ids to ``package_patch`` as database rows), and removing group members re-index or
remove datasets. The module's other classes (users, tokens, jobs, views) never reach the index.
"""

from ckan.tests.logic.action.test_delete import (  # noqa: F401
    TestDatasetPurge,
    TestDelete,
    TestGroupPurge,
    TestMemberDelete,
    TestOrganizationDelete,
    TestOrganizationPurge,
)
