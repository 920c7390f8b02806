"""CKAN's bulk actions of ``ckan.tests.logic.action.test_update``, run on the PostgreSQL backend.

``bulk_update_private``/``_public``/``_delete`` hand each dataset id to ``package_patch`` as a
database row, which reaches the search index. The rest of CKAN's update tests take minutes and
add nothing about the index that ``test_action_get`` does not cover.
"""

from ckan.tests.logic.action.test_update import TestBulkOperations  # noqa: F401
