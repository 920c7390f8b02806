"""CKAN's own search tests, run unchanged against the PostgreSQL search backend.

Each module of this package star-imports one test module of the ``ckan`` package, so pytest
collects CKAN's tests here and this folder's ``conftest.py`` enables the backend for them:
CKAN's action tests (all of ``test_get.py``, whose package_search, autocomplete, organization
and group tests go through the search index), its search library tests, its
``ckan search-index`` command tests, and the classes of its update, delete and organization/group
page tests that reach the index (bulk make private/public/delete, purges, searches within an
organization or group). They are the contract CKAN holds Solr to.

Tests that are inherently about Solr itself, or that cannot hold with this backend by design,
are listed in ``NOT_APPLICABLE`` (``module::test`` → reason) and deselected; pytest reports them.
"""

NOT_APPLICABLE = {
    "test_search_search::test_check_valid_schema": "checks the schema version of a Solr core",
    "test_search_search::test_check_invalid_schema": "checks the schema version of a Solr core",
    "test_search_search::test_check_schema_with_wrong_version": "checks the schema version of a Solr core",
    "test_search_search::test_get_index_uses_site_id": "writes documents straight into Solr with pysolr",
    "test_search_search::test_allowed_local_params_via_config": "runs Solr's own {!bool} query parser",
    "test_search_index::TestSearchIndex": "talks to Solr through a pysolr client",
    "test_search_index_cli::TestSearchIndex::test_rebuild_keep_orphans_option": (
        "indexes a document outside any transaction and expects it to survive without a commit, as "
        "Solr's auto-commit does; here index writes belong to CKAN's database transaction"
    ),
    "test_action_get::TestStatusShow": "asserts the exact list of enabled plugins, which here includes chemnitz_search",
}
