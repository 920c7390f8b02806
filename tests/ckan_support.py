"""Fixtures for the tests that run inside the CKAN environment (loaded by ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

# The portal's CKAN plugins as the suites load them (the demo adds datastore, structured_data, activity).
PORTAL_PLUGINS = "chemnitz_search chemnitz scheming_datasets dataset_series dcat"


@pytest.fixture
def clean_db_with_plugin_tables(clean_db, migrate_db_for):
    """``clean_db`` plus the tables of plugins with their own migrations (``activity``).

    CKAN's ``clean_db`` recreates only core tables; plugins' migrations must be applied again.
    """
    migrate_db_for("activity")


@pytest.fixture
def clean_datastore(clean_db, clean_index):
    """No DataStore tables, as CKAN's own DataStore tests start (their fixture is not loaded here)."""
    import ckanext.datastore.backend.postgres as datastore
    from ckanext.datastore.tests.helpers import rebuild_all_dbs
    from sqlalchemy import orm

    rebuild_all_dbs(orm.scoped_session(orm.sessionmaker(bind=datastore.get_write_engine())))
